#!/usr/bin/env bash
# run.sh - the main job: build testcage, run the samples project's caged
# tests with ctest, then show what the cage catches in the misbehaving ones.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
testcage_install_missing
cd "$TESTCAGE_ROOT"
testcage_build build >/dev/null
TC=$TESTCAGE_ROOT/build/runner/testcage
SAMPLES=$TESTCAGE_ROOT/build-samples

echo "== the samples project under ctest (every test caged)"
BUILD_DIR=$SAMPLES bash samples/run.sh

demo() {
    echo
    echo "\$ testcage $*"
    set +e
    "$TC" "$@"
    echo "(exit status $?)"
    set -e
}
echo
echo "== what the cage catches"
demo --timeout 5 -- "$SAMPLES/misbehave" daemon
demo --timeout 5 -- "$SAMPLES/misbehave" litter
demo --timeout 1 --grace 1 --no-backtrace -- "$SAMPLES/misbehave" ignore-term
demo --timeout 1 -- "$SAMPLES/misbehave" hang
demo --leaks fail -- sh -c 'ipcmk -M 4096 >/dev/null'
demo -- sh -c 'echo "pid $$ sees $(ls /proc | grep -c "^[0-9]") processes"; kill -SEGV $$'
echo
echo "== a linked plain-C suite, each case in its own cage, two at a time"
set +e
"$SAMPLES/plain_suite" -j 2
echo "(exit status $?)"
