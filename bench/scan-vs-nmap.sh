#!/usr/bin/env bash
# sightline scan vs nmap -sV on the same simulated estate: 1,000 fake devices spread over a /20
# of loopback (127.80.0.0/20, 4,096 addresses), the same ports for both tools. Prints wall time,
# peak memory, covered recall and manufacturer accuracy against the estate's truth file, over all
# devices and over those answering on first contact (one of their captured answers is to a request
# a scan makes without credentials; the others are known only from after-login answers at paths
# no scanner asks, which the lab replays out of context).
# Traffic stays on 127.0.0.0/8. Needs root (the lab listens on ports below 1024) and nmap
# (apt-get install nmap). Usage: bench/scan-vs-nmap.sh [DEVICES] [NMAP_TIMEOUT_SECONDS] [NET]
# (defaults: 1000 devices, 1800 s, 127.80.0.0/20). nmap -sV needs far longer than sightline: at
# its time limit it is stopped and scored on the hosts it finished.
# PERSONAS="eval/blind/*.jsonl" bench/scan-vs-nmap.sh: the estate replays those labelled sets
# instead of the built-in personas, one device per labelled unit (DEVICES is then ignored): an
# end-to-end score on answers the built-in estate and the fingerprints were not made from.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-1000}
nmap_budget=${2:-1800}
net=${3:-127.80.0.0/20}
work=$(mktemp -d)
lab_pid=""
cleanup() { [ -n "$lab_pid" ] && kill "$lab_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

command -v nmap >/dev/null || { echo "nmap is missing: apt-get install -y nmap" >&2; exit 2; }
cargo build --release --quiet -p cli
bin=target/release/sightline

persona_args=()
if [ -n "${PERSONAS:-}" ]; then
  # shellcheck disable=SC2206 # the glob is meant to expand
  persona_args=(--personas $PERSONAS --each)
fi
"$bin" lab serve --devices "$devices" --net "$net" --seed 1 --truth "$work/truth.jsonl" "${persona_args[@]}" > "$work/lab.out" 2> "$work/lab.err" &
lab_pid=$!
for _ in $(seq 1 100); do grep -q ready "$work/lab.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$work/lab.out" || { cat "$work/lab.err" >&2; exit 2; }
cat "$work/lab.err" >&2

# The default port set plus every port the estate's devices listen on (TCP).
# (the list in crates/scan/src/ports.rs)
default_ports=21,22,23,80,81,443,554,2000,5000,7001,8000,8080,8443,8554,8899,9010,34567,37777
ports=$(python3 - "$work/truth.jsonl" "$default_ports" <<'PY'
import json, sys
ports = set(int(p) for p in sys.argv[2].split(","))
for line in open(sys.argv[1]):
    ports.update(json.loads(line)["ports"])
ports -= {161, 1900, 3702, 37020, 37810}   # UDP-only services
print(",".join(str(p) for p in sorted(ports)))
PY
)
echo "ports: $ports" >&2

# sightline also asks the UDP discovery protocols (unicast to every target); nmap -sV is TCP only.
/usr/bin/time -f "%e %M" -o "$work/sl.time" "$bin" scan "$net" --ports "$ports" --format jsonl --no-progress > "$work/sightline.jsonl" 2> "$work/sightline.err"
read -r sl_secs sl_kb < <(tail -n 1 "$work/sl.time")
sl_score=$(python3 bench/score.py "$work/truth.jsonl" "$work/sightline.jsonl")

nmap_status=complete
/usr/bin/time -f "%e %M" -o "$work/nmap.time" timeout "$nmap_budget" nmap -sV -Pn -n -T4 -p "$ports" -oX "$work/nmap.xml" "$net" > /dev/null 2>&1 || nmap_status="stopped after ${nmap_budget}s (partial)"
# GNU time writes "Command exited with non-zero status N" first when nmap is stopped.
read -r nm_secs nm_kb < <(tail -n 1 "$work/nmap.time") || true
python3 - "$work/nmap.xml" > "$work/nmap.tsv" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
except OSError:
    sys.exit(0)
if "</nmaprun>" not in text:
    # Stopped at its time limit: keep the hosts it finished.
    cut = text.rfind("</host>")
    text = (text[: cut + len("</host>")] if cut >= 0 else text) + "</nmaprun>"
try:
    root = ET.fromstring(text)
except ET.ParseError:
    sys.exit(0)
for host in root.iter("host"):
    addr = host.find("address").get("addr")
    makers = []
    for svc in host.iter("service"):
        for cpe in svc.iter("cpe"):
            parts = (cpe.text or "").split(":")
            if len(parts) > 2:
                makers.append(parts[2])
        for key in ("product", "extrainfo", "devicetype"):
            if svc.get(key):
                makers.append(svc.get(key))
    print(f"{addr}\t{' '.join(makers)}")
PY
nm_score=$(python3 bench/score.py "$work/truth.jsonl" "$work/nmap.tsv" --nmap)

echo
echo "estate: $devices devices on $net, $(echo "$ports" | tr ',' '\n' | wc -l) ports; nmap finished $(grep -c '<host ' "$work/nmap.xml" 2>/dev/null || echo 0) hosts"
printf '%-10s %10s %14s  %s\n' tool "wall (s)" "peak RSS (MB)" "accuracy against the truth"
printf '%-10s %10s %14s  %s\n' sightline "$sl_secs" "$((sl_kb / 1024))" "$sl_score"
printf '%-10s %10s %14s  %s\n' "nmap -sV" "${nm_secs:-?}" "$(( ${nm_kb:-0} / 1024 ))" "$nm_score ($nmap_status)"
python3 -c "print(f'speed-up: {float(\"${nm_secs:-0}\") / float(\"$sl_secs\"):.1f}x')"
