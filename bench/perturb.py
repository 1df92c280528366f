#!/usr/bin/env python3
"""Score identification on perturbed copies of labelled sets (shared/EVAL.md, "Variants").

Another unit of the same model answers with other serials, MACs (same OUI), nonces, dates and
addresses, and a proxy or firmware build may change header case and order. A fingerprint keyed
to one unit's literal strings loses its verdict on such a copy; one keyed to structure keeps it.
This writes a perturbed copy of each labelled set (seeded, so runs repeat) and prints the scores
of the original and of the copy side by side.

Usage: bench/perturb.py [--bin target/release/sightline] [--data DIR] [--seed N] [--misses] FILE.jsonl...
Nothing here touches the network.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

MAC = re.compile(r"\b([0-9A-Fa-f]{2})([:-]?)([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\b")
# An address stands alone: not part of an OID (1.3.6.1.4.1...) or a version (V1.2.3.4).
IPV4 = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.]|\.\d)")
NONCE = re.compile(r'(nonce|opaque|session|random|authorization)(=\s*"|"\s*:\s*"|=)([^"\s,;&]+)', re.I)
SERIAL_TAG = re.compile(r"(<(?:serialNumber|SerialNumber|serial|subSerialNumber|deviceID|DeviceID|deviceSN|SerialNo)>)([^<]{4,})(</)")
SERIAL_KV = re.compile(r'((?:serialNumber|SerialNumber|serialNo|sn|SN|deviceSN|DeviceSN)["\']?\s*[=:]\s*["\']?)([A-Za-z0-9-]{6,})')
# The value only: the spacing after the colon (Hikvision writes two spaces) and the line end stay.
DATE = re.compile(r"^(Date|Last-Modified|Expires):([ \t]*)[^\r\n]*$", re.M | re.I)
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def scramble(token, rng):
    """Same shape (letters stay letters, digits digits, case kept), other characters."""
    out = []
    for c in token:
        if c.isdigit():
            out.append(str(rng.randrange(10)))
        elif c.isalpha() and c.isascii():
            base = "A" if c.isupper() else "a"
            if c.lower() in "abcdef" and rng.random() < 0.5:
                out.append(chr(ord(base) + rng.randrange(6)))
            else:
                out.append(c)
        else:
            out.append(c)
    return "".join(out)


def perturb_text(text, rng):
    # MACs: the OUI (first three bytes) stays, the rest changes.
    def mac(m):
        sep = m.group(2)
        parts = [m.group(i) for i in (1, 3, 4, 5, 6, 7)]
        upper = parts[0].isupper() or any(p.isupper() for p in parts)
        tail = ["%02x" % rng.randrange(256) for _ in range(3)]
        if upper:
            tail = [t.upper() for t in tail]
        return sep.join(parts[:3] + tail)
    text = MAC.sub(mac, text)
    text = IPV4.sub(lambda m: "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
                    if not m.group(0).startswith(("0.", "255.")) else m.group(0), text)
    text = NONCE.sub(lambda m: m.group(1) + m.group(2) + scramble(m.group(3), rng), text)
    text = SERIAL_TAG.sub(lambda m: m.group(1) + scramble(m.group(2), rng) + m.group(3), text)
    text = SERIAL_KV.sub(lambda m: m.group(1) + scramble(m.group(2), rng), text)
    text = DATE.sub(lambda m: "%s:%s%s, %02d %s %d %02d:%02d:%02d GMT" % (
        m.group(1), m.group(2), rng.choice(DAYS), rng.randrange(1, 29), rng.choice(MONTHS),
        rng.randrange(2016, 2027), rng.randrange(24), rng.randrange(60), rng.randrange(60)), text)
    return text


def perturb_headers(text, rng):
    """Header names in another case and the header lines in another order (status line first)."""
    sep = "\r\n\r\n" if "\r\n\r\n" in text else ("\n\n" if "\n\n" in text else None)
    if sep is None or not re.match(r"^(HTTP|RTSP)/\d", text):
        return text
    head, body = text.split(sep, 1)
    nl = "\r\n" if sep == "\r\n\r\n" else "\n"
    lines = head.split(nl)
    status, headers = lines[0], lines[1:]
    if any(h[:1] in " \t" for h in headers):
        return text  # folded headers: keep the order
    rng.shuffle(headers)
    case = rng.choice([str.lower, str.upper, lambda s: s])
    headers = [case(h.split(":", 1)[0]) + ":" + h.split(":", 1)[1] if ":" in h else h for h in headers]
    return nl.join([status] + headers) + sep + body


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/release/sightline")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--misses", action="store_true", help="list the devices scored wrong")
    ap.add_argument("--data", help="fingerprint data directory (default: the binary's own copy)")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp()
    out_path = os.path.join(work, "perturbed.jsonl")
    changed = total = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for path in a.files:
            for line in open(path, encoding="utf-8"):
                if not line.strip():
                    continue
                o = json.loads(line)
                total += 1
                r = o.get("response") or ""
                p = perturb_headers(perturb_text(r, rng), rng)
                if p != r:
                    changed += 1
                o["response"] = p
                out.write(json.dumps(o) + "\n")
    print(f"{changed} of {total} answers perturbed (serials, MACs past the OUI, nonces, dates, addresses, header case and order)")
    for label, files in (("original", a.files), ("perturbed", [out_path])):
        cmd = [a.bin, "fingerprint", "eval", "--quiet", *(["--misses"] if a.misses else []),
               *(["--data", a.data] if a.data else []), *files]
        res = subprocess.run(cmd, capture_output=True, text=True)
        print(f"--- {label}")
        sys.stdout.write(res.stdout)
        if res.returncode not in (0, 1):
            sys.stderr.write(res.stderr)
            sys.exit(res.returncode)


if __name__ == "__main__":
    main()
