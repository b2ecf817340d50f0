#!/usr/bin/env bash
# run.sh - build testcage from this checkout and run the samples project's
# caged tests: the command the README shows. Scratch lives in build-samples/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$root/build-samples}
cmake -S "$here" -B "$build" -DTESTCAGE_SOURCE_DIR="$root" >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@"
