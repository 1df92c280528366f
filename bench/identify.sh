#!/usr/bin/env bash
# Identification throughput and peak memory: 100,000 observations (real answers from the
# fingerprint examples and the evaluation set, cycled, three observations per device), one core.
# Usage: bench/identify.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet -p cli
python3 - "$count" "$work/obs.jsonl" <<'PY'
import glob, json, sys, tomllib
count, out = int(sys.argv[1]), sys.argv[2]
pool = []
for f in sorted(glob.glob("fingerprints/**/*.toml", recursive=True)):
    if "/registry/" in f:
        continue
    for fp in tomllib.load(open(f, "rb")).get("fingerprint", []):
        for e in fp.get("example", []):
            if e.get("response"):
                pool.append({"kind": e.get("kind") or fp["kinds"][0], "request": e.get("request"), "response": e["response"]})
for f in sorted(glob.glob("eval/dev/*.jsonl")):
    for line in open(f):
        o = json.loads(line)
        pool.append({"kind": o["kind"], "request": o.get("request"), "response": o["response"]})
with open(out, "w") as w:
    for i in range(count):
        o = dict(pool[i % len(pool)])
        o["id"] = f"o{i}"
        o["device"] = f"d{i // 3}"
        if o["request"] is None:
            del o["request"]
        w.write(json.dumps(o) + "\n")
print(f"{count} observations from a pool of {len(pool)} real answers", file=sys.stderr)
PY

pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
timefmt="%e %M"
start=$(date +%s.%N)
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "$timefmt" -o "$work/time" $pin target/release/sightline identify --format jsonl "$work/obs.jsonl" > "$work/out.jsonl"
  read -r secs kb < "$work/time"
else
  $pin target/release/sightline identify --format jsonl "$work/obs.jsonl" > "$work/out.jsonl"
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  kb=unknown
fi
devices=$(wc -l < "$work/out.jsonl")
python3 -c "
secs=float('$secs'); n=$count
print(f'identify: {n} observations, $devices devices in {secs:.2f} s on one core = {n/secs:,.0f} observations/s; peak RSS $kb KiB')
"
