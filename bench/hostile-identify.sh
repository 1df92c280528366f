#!/usr/bin/env bash
# Identification of hostile answers: for each kind (entity bomb, attribute flood, long JSON names,
# deep JSON, huge Manufacturer text, many big answers for one device) build about 1 MB of
# observations, run `sightline identify` on it under `/usr/bin/time -v`, and print the seconds and
# peak RSS. Issue 9's target: each under 1 s and 100 MB. Nothing here touches the network.
# Usage: bench/hostile-identify.sh [KIND...]   (default: every kind)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet -p cli
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
MB = 1 << 20

def write(name, observations):
    with open(f"{work}/{name}.jsonl", "w") as w:
        for i, (kind, request, response) in enumerate(observations):
            o = {"id": f"{name}-{i}", "device": name, "kind": kind, "response": response}
            if request:
                o["request"] = request
            w.write(json.dumps(o) + "\n")

HIK = 'xmlns="http://www.hikvision.com/ver20/XMLSchema"'
ISAPI = "GET /ISAPI/System/deviceInfo HTTP/1.1"
# The engine reads the first 256 KiB of a body, so each hostile document is complete within
# 250 KB and padded to 1 MB (an XML comment or JSON whitespace after it).
DOC = 250 * 1000

def pad_xml(doc):
    return doc + "<!--" + "p" * (MB - len(doc) - 7) + "-->"

def pad_json(doc):
    return doc + " " * (MB - len(doc))

# Baseline: one MAC observation (what loading the fingerprint database costs).
write("baseline", [("mac", "", "bc:ad:28:00:00:01")])

# Billion laughs: a 64 KB entity referenced until the document is 250 KB (expanded: ~4 GB).
big = "x" * (64 * 1024)
refs = "&a;" * ((DOC - len(big)) // 3)
write("entity-bomb", [("http", ISAPI, pad_xml(
    f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "{big}">]>'
    f'<DeviceInfo {HIK}><model>DS-2CD2143G0-I</model><deviceName>{refs}</deviceName></DeviceInfo>'))])

# Attribute flood: elements with many long, distinct attribute names (`xml.e@<name>` per value).
name = "a" * 1000
attrs = " ".join(f'{name}{i}="v"' for i in range(DOC // 1010))
write("attribute-flood", [("http", ISAPI, pad_xml(f"<DeviceInfo {HIK}><e {attrs}/></DeviceInfo>"))])

# Long JSON path names: nested objects with 1 KB keys, every leaf named like a MAC.
key = "k" * 1024
leaf = '{"mac":"bc:ad:28:00:00:01"}'
depth = 30
head = "".join(f'{{"{key}{d}":' for d in range(depth))
n = (DOC - len(head) - depth) // (len(leaf) + 1)
write("json-names", [("http", "GET /api HTTP/1.1", pad_json(head + "[" + ",".join([leaf] * n) + "]" + "}" * depth))])

# Deep JSON: a million opening brackets.
write("deep-json", [("http", "GET /api HTTP/1.1", "[" * MB)])

# Huge Manufacturer text in an ONVIF device-information answer: one element of 200 KB of names,
# and 2000 elements of 100 bytes.
words = ("Hikvision Axis Bosch Dahua Uniview Hanwha " * 5000)[:200_000]
write("manufacturer-text", [("onvif", "", pad_xml(f"<GetDeviceInformationResponse><Manufacturer>{words}</Manufacturer></GetDeviceInformationResponse>"))])
write("manufacturer-many", [("onvif", "", pad_xml("<R>" + "".join(f"<Manufacturer>{'Axis ' * 18} Hikvision{i}</Manufacturer>" for i in range(2000)) + "</R>"))])

# Condition flood: thousands of values of a field whose fingerprint has a condition on the whole
# body (Uniview's LAPI envelope), with the condition's text only at the very end.
urls = ",".join(['{"ResponseURL":"/LAPI/V1.0/System"}'] * 2000)
write("condition-flood", [("http", "GET /LAPI/V1.0/System HTTP/1.1", pad_json(
    '{"Response":[' + urls + '],"pad":"' + "p" * (DOC - 80 * 1000) + '","ResponseCode":0,"StatusCode":0}'))])

# Many big answers for one device: 40 answers of ~54 KB, each 1000 distinct models (fingerprint
# hits) and 1000 distinct MACs.
answers = []
for a in range(40):
    items = "".join(f"<model>DS-2CD{a:02}{i:03}-I</model><macAddress>bc:ad:28:{a:02x}:{i >> 8:02x}:{i & 255:02x}</macAddress>" for i in range(1000))
    answers.append(("http", ISAPI, f"<DeviceInfo {HIK}>{items}</DeviceInfo>"))
write("many-answers", answers)
PY

printf '%-18s %8s %8s %10s %8s\n' kind seconds cpu-s max-rss-MB bytes
for f in "$work"/*.jsonl; do
    kind=$(basename "$f" .jsonl)
    if [ $# -gt 0 ] && [[ " $* " != *" $kind "* ]]; then continue; fi
    # A soft address-space limit so that the old, unbounded behaviour fails instead of swapping.
    ( ulimit -v 4000000; /usr/bin/time -v target/release/sightline identify --format jsonl "$f" \
        >"$work/$kind.out" 2>"$work/$kind.time" ) || true
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$work/$kind.time")
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/$kind.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/$kind.time")
    status=$(awk -F': ' '/Exit status/ {print $2}' "$work/$kind.time")
    printf '%-18s %8s %8s %10s %8s%s\n' "$kind" "$secs" "$cpu" "$rss" "$(stat -c %s "$f")" \
        "$([ "${status:-0}" = 0 ] || echo "  (exit $status)")"
done
