#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser that reads device or file input (fuzz/, issue 9).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Builds the fuzz project with cargo-fuzz (installed if missing), seeds fuzz/corpus/ from the
# fingerprint examples (fuzz/seed.py), then runs each target (default: all in fuzz/targets.tsv)
# for SECONDS_PER_TARGET (default 30) one after another under `nice -n 15`. Each run also
# replays fuzz/regressions/<target>/. Prints per target: executions, coverage, crashes; exits
# non-zero if any target crashed, timed out or ran out of memory (inputs in
# fuzz/artifacts/<target>/). Logs go to $FUZZ_LOGS (default fuzz/logs/).
#
# Environment:
#   FUZZ_KEEP_GOING=1   keep fuzzing after a crash (libFuzzer fork mode, -ignore_crashes ...),
#                       to collect several distinct failures in one run.
#   FUZZ_SANITIZER=...  cargo-fuzz sanitizer (default none: safe Rust needs no ASan, and
#                       without it each target runs several times more inputs per second).
#   FUZZ_JOBS=N         parallel fuzzing processes in keep-going mode (default 1).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-30}
shift || true
sanitizer=${FUZZ_SANITIZER:-none}
logs=${FUZZ_LOGS:-$root/fuzz/logs}
mkdir -p "$logs"

# Coverage instrumentation alone (`--sanitizer none`) uses stable `-C` flags. A sanitizer
# (`-Zsanitizer=address` ...) is a nightly flag that stable rustc accepts only under
# RUSTC_BOOTSTRAP: set it here, for this build only, never for the normal workspace build (and
# only when needed: it changes cargo's fingerprints, so toggling it rebuilds everything).
if [ "$sanitizer" != none ]; then
    export RUSTC_BOOTSTRAP=1
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz (cargo install cargo-fuzz --locked)" >&2
    cargo install cargo-fuzz --locked
fi

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(grep -v '^#' fuzz/targets.tsv | cut -f1)
fi

cd fuzz
echo "building the fuzz targets (sanitizer: $sanitizer)" >&2
build_start=$(date +%s)
nice -n 15 cargo fuzz build --sanitizer "$sanitizer" --debug-assertions 2>"$logs/build.log" \
    || { tail -30 "$logs/build.log" >&2; exit 2; }
echo "built in $(( $(date +%s) - build_start )) s" >&2
python3 seed.py

failed=0
printf '%-12s %8s %12s %10s %8s %s\n' target seconds executions exec/s cov crashes >&2
for t in "${targets[@]}"; do
    max_len=$(awk -F'\t' -v t="$t" '$1 == t { print $2 }' targets.tsv)
    if [ -z "$max_len" ]; then
        echo "unknown target $t (see fuzz/targets.tsv)" >&2
        exit 2
    fi
    mkdir -p "corpus/$t" "regressions/$t" "artifacts/$t"
    # Time: -timeout fails any input that takes over 2 s. Memory: -rss_limit_mb for the
    # process, -malloc_limit_mb for one allocation, and each target's own per-input heap bound
    # (fuzz/src/lib.rs). -max_len: the most a device or file can hand that parser at once.
    flags=(-timeout=2 -rss_limit_mb=512 -malloc_limit_mb=256 -max_len="$max_len"
        -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="artifacts/$t/")
    if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
        flags+=(-fork="${FUZZ_JOBS:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    start=$(date +%s)
    status=0
    nice -n 15 cargo fuzz run --sanitizer "$sanitizer" --debug-assertions "$t" \
        "corpus/$t" "regressions/$t" -- "${flags[@]}" >"$logs/$t.log" 2>&1 || status=$?
    took=$(( $(date +%s) - start ))
    # Plain runs print stat::number_of_executed_units; fork mode (keep-going) prints running
    # totals as "#N:". A missing line is not an error (hence the `|| true` under pipefail).
    execs=$( { grep -a -o 'stat::number_of_executed_units: [0-9]*' "$logs/$t.log" | awk '{ print $2 }'
        grep -a -o '^#[0-9]*' "$logs/$t.log" | tr -d '#'; } | sort -n | tail -1 || true)
    execs=${execs:-0}
    cov=$(grep -a -o 'cov: [0-9]*' "$logs/$t.log" | tail -1 | awk '{ print $2 }' || true)
    crashes=$(find "artifacts/$t" -type f -newermt "@$start" | wc -l)
    printf '%-12s %8s %12s %10s %8s %s\n' "$t" "$took" "$execs" $(( execs / (took > 0 ? took : 1) )) "${cov:--}" "$crashes" >&2
    if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        failed=1
        grep -a -m3 -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$logs/$t.log" | sed 's/^/    /' >&2 || true
        find "artifacts/$t" -type f -newermt "@$start" | sed 's/^/    input: fuzz\//' >&2
    fi
done
exit "$failed"
