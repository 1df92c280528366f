#!/usr/bin/env bash
# Hostile devices beside good ones (issue 9 acceptance). A loopback estate of 200 good lab
# devices is scanned twice with the same seed and ports: once alone, once with 50 hostile devices
# of every kind (lab serve --hostile) placed beside them. Prints wall time and peak RSS of both
# scans, every good device whose identity (manufacturer, covered) differs between the two, the
# hostile hosts reported covered, and the hosts that hit their budget. Acceptance:
#   mixed wall <= good-only wall + per-host budget + 10 s;  mixed peak RSS < 300 MB;
#   identical good identities;  no hostile host covered except the serial clone.
# Exits 1 when any of these fails. Traffic stays on 127.0.0.0/8. Needs root (the lab listens on
# ports below 1024), python3 and GNU time.
# Usage: bench/hostile.sh [GOOD] [HOSTILE] [BUDGET_SECONDS|off] [NET]
# (defaults: 200, 50, 10, 127.81.0.0/20). BUDGET "off" scans without --host-budget, to measure a
# scanner that has no such flag (the time bound is then checked against the default budget, 30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
good=${1:-200}
hostile=${2:-50}
budget=${3:-10}
net=${4:-127.81.0.0/20}
seed=1
# A scan that tries to bloat is stopped here instead of taking the machine with it.
scan_memory_limit_kb=$((4 * 1024 * 1024))
# A scan that stalls is stopped here (far above any acceptable time: it fails the bound).
scan_time_limit=1200
work=$(mktemp -d)
lab_pid=""
stop_lab() {
    if [ -n "$lab_pid" ]; then
        kill "$lab_pid" 2>/dev/null || true
        wait "$lab_pid" 2>/dev/null || true
        lab_pid=""
    fi
}
cleanup() { stop_lab; rm -rf "$work"; }
trap cleanup EXIT

command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install -y time" >&2; exit 2; }
cargo build --release --quiet -p cli
bin=target/release/sightline
budget_args=()
bound_budget=$budget
if [ "$budget" = off ]; then
    bound_budget=30
else
    budget_args=(--host-budget "$budget")
fi

start_lab() { # $1 = hostile devices, $2 = name
    "$bin" lab serve --devices "$good" --hostile "$1" --misbehaving 0 --net "$net" --seed "$seed" \
        --truth "$work/$2.truth.jsonl" > "$work/$2.lab.out" 2> "$work/$2.lab.err" &
    lab_pid=$!
    for _ in $(seq 1 200); do grep -q ready "$work/$2.lab.out" 2>/dev/null && break; sleep 0.1; done
    grep -q ready "$work/$2.lab.out" || { cat "$work/$2.lab.err" >&2; exit 2; }
    head -n 1 "$work/$2.lab.err" >&2
}

scan() { # $1 = name
    (
        ulimit -v "$scan_memory_limit_kb"
        /usr/bin/time -v -o "$work/$1.time" timeout "$scan_time_limit" "$bin" scan "$net" \
            --ports "$ports" --discover --format jsonl --no-progress "${budget_args[@]}" \
            > "$work/$1.jsonl" 2> "$work/$1.err"
    ) && rc=0 || rc=$?
    # GNU time reports "Exit status: 0" for a command killed by a signal: keep the shell's code.
    echo "$rc" > "$work/$1.rc"
    [ "$rc" = 0 ] || echo "$1 scan failed (exit $rc): $(grep -v '^\s' "$work/$1.err" | tail -n 3)" >&2
}

# Both scans sweep the same ports: the default set plus every TCP port of the mixed estate.
start_lab "$hostile" mixed
stop_lab
default_ports=21,22,23,80,81,443,554,2000,5000,7001,8000,8080,8443,8554,8899,9010,34567,37777
ports=$(python3 - "$work/mixed.truth.jsonl" "$default_ports" <<'PY'
import json, sys
ports = set(int(p) for p in sys.argv[2].split(","))
for line in open(sys.argv[1]):
    ports.update(json.loads(line)["ports"])
ports -= {161, 1900, 3702, 37020, 37810}   # UDP-only services
print(",".join(str(p) for p in sorted(ports)))
PY
)

start_lab 0 good
scan good
stop_lab
start_lab "$hostile" mixed
scan mixed
stop_lab

python3 - "$work" "$bound_budget" "$good" "$hostile" "$net" <<'PY'
import json, re, sys

work, budget, good_n, hostile_n, net = sys.argv[1], float(sys.argv[2]), *sys.argv[3:]


def usage(name):
    text = open(f"{work}/{name}.time").read()
    # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34"
    wall = re.search(r"Elapsed \(wall clock\) time.*: ([\d:.]+)\s*$", text, re.M).group(1)
    secs = 0.0
    for part in wall.split(":"):
        secs = secs * 60 + float(part)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return secs, rss / 1024, int(open(f"{work}/{name}.rc").read())


def results(name):
    out = {}
    for line in open(f"{work}/{name}.jsonl", errors="replace"):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        out[r["address"]] = r
    return out


def says_budget(r):
    return r.get("status") == "budget-exhausted"


truth = [json.loads(l) for l in open(f"{work}/mixed.truth.jsonl")]
good = [t for t in truth if "hostile" not in t]
bad = [t for t in truth if "hostile" in t]
runs = {name: (usage(name), results(name)) for name in ("good", "mixed")}
ident = lambda r: (r.get("manufacturer"), bool(r.get("covered"))) if r else None

print()
print(f"estate: {good_n} good + {hostile_n} hostile devices on {net}; per-host budget {budget:g} s")
print(f"{'scan':<10} {'wall (s)':>9} {'peak RSS (MB)':>14} {'exit':>5} {'hosts':>6} {'covered':>8} {'budget hit':>11}")
for name, ((secs, mb, code), res) in runs.items():
    cov = sum(1 for r in res.values() if r.get("covered"))
    hit = sum(1 for r in res.values() if says_budget(r))
    print(f"{name:<10} {secs:>9.1f} {mb:>14.0f} {code:>5} {len(res):>6} {cov:>8} {hit:>11}")

(gs, _, gcode), gres = runs["good"]
(ms, mmb, mcode), mres = runs["mixed"]
differ = [(t["address"], t["persona"], ident(gres.get(t["address"])), ident(mres.get(t["address"])))
          for t in good if ident(gres.get(t["address"])) != ident(mres.get(t["address"]))]
for a, p, g, m in differ[:10]:
    print(f"  good device differs: {a} {p}: alone {g}, beside hostile {m}")
if len(differ) > 10:
    print(f"  ... and {len(differ) - 10} more good devices differ")
fooled = [(t["address"], t["hostile"], mres[t["address"]].get("manufacturer"))
          for t in bad if t["hostile"] != "serial-clone" and mres.get(t["address"], {}).get("covered")]
for a, k, m in fooled:
    print(f"  hostile host reported covered: {a} {k} -> {m}")
clones = [t["address"] for t in bad if t["hostile"] == "serial-clone"]
clones_ok = sum(1 for a in clones if mres.get(a, {}).get("covered"))
print(f"  serial clones identified as covered: {clones_ok}/{len(clones)}")
for kind in sorted({t["hostile"] for t in bad}):
    addrs = [t["address"] for t in bad if t["hostile"] == kind]
    seen = sum(1 for a in addrs if a in mres)
    hit = sum(1 for a in addrs if a in mres and says_budget(mres[a]))
    print(f"  {kind:<18} {len(addrs)} placed, {seen} reported, {hit} budget-exhausted")

checks = [
    (f"both scans completed (exit {gcode}, {mcode})", gcode == 0 and mcode == 0),
    (f"mixed wall {ms:.1f} s <= good-only {gs:.1f} + budget {budget:g} + 10 s", ms <= gs + budget + 10),
    (f"mixed peak RSS {mmb:.0f} MB < 300 MB", mmb < 300),
    (f"good identities identical ({len(good) - len(differ)}/{len(good)})", not differ),
    (f"no hostile host covered except serial-clone ({len(fooled)} fooled)", not fooled),
    (f"serial clones identified as covered ({clones_ok}/{len(clones)})", clones_ok == len(clones)),
]
print()
for text, ok in checks:
    print(("PASS " if ok else "FAIL ") + text)
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY
