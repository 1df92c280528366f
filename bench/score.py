#!/usr/bin/env python3
"""Score scan results against a lab truth file.

usage: score.py TRUTH.jsonl RESULTS.jsonl [--nmap]
RESULTS is `sightline scan --format jsonl` output, or with --nmap a file of
"address<TAB>manufacturer-or-empty" lines derived from nmap -sV (see scan-vs-nmap.sh).
Prints covered recall, false covered rate and manufacturer accuracy over the devices in the truth.
"""
import json
import sys

COVERED = {"hikvision", "dahua", "huawei", "zte", "hytera", "ezviz", "imou", "hikmicro", "dji"}


def norm(s):
    return "".join(c for c in (s or "").lower() if c.isalnum())


truth = {}
for line in open(sys.argv[1]):
    t = json.loads(line)
    truth[t["address"]] = t

got = {}
if "--nmap" in sys.argv:
    for line in open(sys.argv[2]):
        addr, _, maker = line.rstrip("\n").partition("\t")
        m = maker.strip() or None
        covered = any(c in norm(m) for c in COVERED) if m else False
        got[addr] = {"manufacturer": m, "covered": covered}
else:
    for line in open(sys.argv[2]):
        r = json.loads(line)
        got[r["address"]] = r

cov = [a for a, t in truth.items() if t["covered"]]
notcov = [a for a, t in truth.items() if not t["covered"]]
found = sum(1 for a in cov if got.get(a, {}).get("covered"))
false = sum(1 for a in notcov if got.get(a, {}).get("covered"))
labelled = [a for a, t in truth.items() if t.get("manufacturer")]


def same(want, have):
    w, h = norm(want), norm(have)
    return bool(h) and (w == h or w in h or h in w)


right = sum(1 for a in labelled if same(truth[a]["manufacturer"], got.get(a, {}).get("manufacturer")))
pct = lambda a, b: 100.0 * a / b if b else 100.0
print(f"covered recall {pct(found, len(cov)):.1f}% ({found}/{len(cov)}); "
      f"false covered {pct(false, len(notcov)):.1f}% ({false}/{len(notcov)}); "
      f"manufacturer accuracy {pct(right, len(labelled)):.1f}% ({right}/{len(labelled)})")
# The devices a scan can learn something from on first contact (the lab's truth marks them:
# one of their captured answers is to a request a scan makes without credentials). A device
# known only from answers to after-login requests at other paths is replayed out of context.
fc = [a for a, t in truth.items() if t.get("first_contact", True)]
fc_cov = [a for a in fc if truth[a]["covered"]]
fc_not = [a for a in fc if not truth[a]["covered"]]
fc_found = sum(1 for a in fc_cov if got.get(a, {}).get("covered"))
fc_false = sum(1 for a in fc_not if got.get(a, {}).get("covered"))
print(f"  answering on first contact ({len(fc)} devices): covered recall {pct(fc_found, len(fc_cov)):.1f}% "
      f"({fc_found}/{len(fc_cov)}); false covered {pct(fc_false, len(fc_not)):.1f}% ({fc_false}/{len(fc_not)})")
if "-v" in sys.argv:
    for a in cov:
        if not got.get(a, {}).get("covered"):
            print("  missed covered:", a, truth[a]["persona"], truth[a]["ports"],
                  "" if truth[a].get("first_contact", True) else "(not on first contact)")
    for a in notcov:
        if got.get(a, {}).get("covered"):
            print("  false covered:", a, truth[a]["persona"], got[a].get("manufacturer"))
