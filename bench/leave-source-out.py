#!/usr/bin/env python3
"""Leave one source out (shared/EVAL.md): how well identification does on a source it has
never seen.

Every evaluation answer (eval/dev/*.jsonl) and every fingerprint example is grouped by its source,
taken at the level of the repository (github.com/OWNER/REPO, issue threads included) or, for
other hosts, the host. For each source S that has evaluation answers, the fingerprint database
is rebuilt without the fingerprints whose examples all come from S, and S's answers are
identified with it (`sightline identify --data DIR`). Scores are per device, added up over all
sources: covered recall, false covered rate, manufacturer accuracy (of devices whose maker is
known to the truth and was named) and OEM accuracy (devices sold under another brand: is the
true maker named?). The plain score with the whole database is printed beside it.

Usage: bench/leave-source-out.py [--bin target/release/sightline] [--root .] [--eval GLOB] [--misses]
Nothing here touches the network.
"""

import argparse
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib


def source_key(src):
    src = (src or "").strip()
    m = re.match(r"https?://(?:www\.)?github\.com/([^/\s]+)/([^/\s#?]+)", src)
    if m:
        return f"github.com/{m.group(1).lower()}/{m.group(2).lower()}"
    m = re.match(r"https?://([^/\s]+)", src)
    if m:
        return m.group(1).lower()
    return src or "?"


def load_eval(root, pattern):
    devices = collections.OrderedDict()
    for path in sorted(glob.glob(os.path.join(root, pattern))):
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            o = json.loads(line)
            dev = f"{os.path.basename(path)}:{o.get('device') or o.get('id')}"
            o["device"] = dev
            d = devices.setdefault(dev, {"lines": [], "truth": None, "sources": set()})
            d["lines"].append(o)
            if o.get("truth"):
                d["truth"] = o["truth"]
            d["sources"].add(source_key(o.get("source")))
    return devices


def fingerprint_blocks(path):
    """The file split into a preamble and one text block per [[fingerprint]] entry."""
    text = open(path, encoding="utf-8").read()
    parts = re.split(r"(?m)^(?=\[\[fingerprint\]\]\s*$)", text)
    return parts[0], parts[1:]


def example_sources(block):
    data = tomllib.loads(block)
    fp = data.get("fingerprint", [{}])[0]
    return {source_key(e.get("source")) for e in fp.get("example", [])}


def build_without(root, index, source, out):
    """Copy fingerprints/ to `out`, leaving out entries whose examples all come from `source`."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(os.path.join(root, "fingerprints"), out)
    dropped = 0
    for rel, (pre, blocks, sources) in index.items():
        keep = [b for b, s in zip(blocks, sources) if not (s and s <= {source})]
        dropped += len(blocks) - len(keep)
        if len(keep) != len(blocks):
            with open(os.path.join(out, rel), "w", encoding="utf-8") as w:
                w.write(pre + "".join(keep))
    return dropped


def identify(binary, data, lines):
    cmd = [binary, "identify", "--format", "jsonl", "-"]
    if data:
        cmd[2:2] = ["--data", data]
    stdin = "".join(json.dumps({k: v for k, v in o.items() if k != "truth"}) + "\n" for o in lines)
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)
    return {json.loads(l)["device"]: json.loads(l) for l in out.stdout.splitlines() if l.strip()}


def norm(name):
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


class Score:
    def __init__(self):
        self.c = collections.Counter()
        self.misses = []

    def add(self, truth, got, dev=""):
        before = (self.c["covered_found"], self.c["false_covered"], self.c["maker_right"], self.c["oem_right"])
        self._add(truth, got)
        c = self.c
        wrong = (truth.get("covered") and c["covered_found"] == before[0]) or c["false_covered"] > before[1] \
            or (truth.get("manufacturer") and c["maker_right"] == before[2])
        if wrong:
            self.misses.append(f"  {dev}: want {truth.get('manufacturer')} (covered={bool(truth.get('covered'))}), "
                               f"got {got.get('manufacturer')} (covered={bool(got.get('covered'))})")

    def _add(self, truth, got):
        covered = bool(truth.get("covered"))
        said = bool(got.get("covered"))
        if covered:
            self.c["covered"] += 1
            self.c["covered_found"] += said
        else:
            self.c["not_covered"] += 1
            self.c["false_covered"] += said
        maker, named = truth.get("manufacturer"), got.get("manufacturer")
        if maker:
            if named:
                self.c["named"] += 1
                self.c["maker_right"] += norm(named) == norm(maker)
            else:
                self.c["unknown"] += 1
            brand = truth.get("brand")
            if brand and norm(brand) != norm(maker):
                self.c["oem"] += 1
                self.c["oem_right"] += norm(named) == norm(maker)

    def line(self, label):
        c = self.c
        pct = lambda a, b: f"{100.0 * a / b:5.1f}% ({a}/{b})" if b else "  n/a"
        return (f"{label:<26} covered recall {pct(c['covered_found'], c['covered'])}  "
                f"false covered {pct(c['false_covered'], c['not_covered'])}  "
                f"maker accuracy {pct(c['maker_right'], c['named'])} [{c['unknown']} unknown]  "
                f"OEM->maker {pct(c['oem_right'], c['oem'])}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    ap.add_argument("--bin", default="target/release/sightline")
    ap.add_argument("--eval", default="eval/dev/*.jsonl", help="labelled sets, a glob under --root")
    ap.add_argument("--misses", action="store_true", help="list devices scored wrong when left out")
    a = ap.parse_args()
    root, binary = os.path.abspath(a.root), os.path.abspath(a.bin)
    devices = {k: v for k, v in load_eval(root, a.eval).items() if v["truth"]}

    # The data under --root, not the copy built into the binary: a data change is scored
    # without rebuilding.
    own_data = os.path.join(root, "fingerprints")
    whole = Score()
    got = identify(binary, own_data, [o for d in devices.values() for o in d["lines"]])
    for dev, d in devices.items():
        whole.add(d["truth"], got.get(dev, {}))

    index = {}
    fp_root = os.path.join(root, "fingerprints")
    for path in sorted(glob.glob(os.path.join(fp_root, "**", "*.toml"), recursive=True)):
        rel = os.path.relpath(path, fp_root)
        if rel.startswith("registry"):
            continue
        pre, blocks = fingerprint_blocks(path)
        if blocks:
            index[rel] = (pre, blocks, [example_sources(b) for b in blocks])

    by_source = collections.defaultdict(list)
    for dev, d in devices.items():
        for s in d["sources"]:
            by_source[s].append(dev)
    loso = Score()
    dropped_total = 0
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "fingerprints")
        for source, devs in sorted(by_source.items()):
            dropped = build_without(root, index, source, data)
            dropped_total += dropped
            lines = [o for dev in devs for o in devices[dev]["lines"]]
            got = identify(binary, data if dropped else own_data, lines)
            for dev in devs:
                loso.add(devices[dev]["truth"], got.get(dev, {}), dev)
    print(f"{len(devices)} labelled devices from {len(by_source)} sources; "
          f"{dropped_total} fingerprint removals over all held-out sources")
    print(whole.line("whole database:"))
    print(loso.line("leave one source out:"))
    if a.misses:
        print("\n".join(loso.misses))


if __name__ == "__main__":
    sys.exit(main())
