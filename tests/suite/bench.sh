#!/usr/bin/env bash
# bench.sh BUILD_DIR - per-case cost of 1,000 trivial cmocka cases, side by side:
# plain cmocka in-process, testcage -j1, -j2, and namespaces off (fork only).
set -euo pipefail
dir=${1:?usage: bench.sh BUILD_DIR}/tests/suite
per_case() { # label cmd...: prints microseconds per case
    local label=$1 start end
    shift
    start=$(date +%s%N)
    "$@" > /dev/null 2>&1 || { echo "$label: failed" >&2; exit 1; }
    end=$(date +%s%N)
    printf '%-28s %8.1f us/case\n' "$label" "$(echo "($end - $start) / 1000 / 1000" | bc -l)"
}
per_case "cmocka (in-process)" "$dir/suite_bench_cmocka"
per_case "testcage -j1" "$dir/suite_bench_testcage" -j 1
per_case "testcage -j2" "$dir/suite_bench_testcage" -j 2
per_case "testcage -j1 --ns none" "$dir/suite_bench_testcage" -j 1 --ns none
per_case "testcage -j2 --ns none" "$dir/suite_bench_testcage" -j 2 --ns none
