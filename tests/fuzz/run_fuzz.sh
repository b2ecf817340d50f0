#!/bin/sh
# run_fuzz.sh - one CTest fuzz check: replay the seed corpus and the crash
# reproducers (regression), then fuzz for a bounded time from the seeds.
# usage: run_fuzz.sh BINARY CORPUS_DIR CRASH_DIR WORK_DIR SECONDS [libFuzzer flags...]
set -eu
bin=$1 corpus=$2 crashes=$3 work=$4 secs=$5
shift 5
mkdir -p "$work/new" "$work/artifacts"

# Every seed and every past crash must run clean.
set -- "$@"
inputs=$(find "$corpus" "$crashes" -type f ! -name '.*' ! -name README.md | sort)
if [ -n "$inputs" ]; then
    # shellcheck disable=SC2086 # one argument per file; names have no spaces
    "$bin" -runs=1 $inputs >"$work/replay.log" 2>&1 || {
        cat "$work/replay.log" >&2
        echo "run_fuzz: a seed or crash reproducer fails" >&2
        exit 1
    }
    echo "replayed $(echo "$inputs" | wc -l) inputs from $corpus and $crashes"
fi

# Bounded fuzzing; new units go to the build tree, never into the sources.
"$bin" -max_total_time="$secs" -runs=50000000 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@" \
    "$work/new" "$corpus" >"$work/fuzz.log" 2>&1 || {
    tail -60 "$work/fuzz.log" >&2
    echo "run_fuzz: crash; reproducer in $work/artifacts/ - copy it to $crashes/ and fix" >&2
    exit 1
}
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' "$work/fuzz.log" || true
