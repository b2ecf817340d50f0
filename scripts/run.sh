#!/usr/bin/env bash
# run.sh - build testcage and run the samples under it: the misbehaving
# samples show what the cage catches.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
testcage_install_missing
cd "$TESTCAGE_ROOT"
testcage_build build
TC=$TESTCAGE_ROOT/build/runner/testcage

demo() {
    echo
    echo "\$ testcage $*"
    set +e
    "$TC" "$@"
    echo "(exit status $?)"
    set -e
}
demo --timeout 5 -- sh -c 'echo "I am pid $$ in my cage"; ls /proc | grep -c "^[0-9]" | sed "s/^/processes visible: /"'
demo -- sh -c 'setsid sleep 1000 & echo "started a daemon"'
demo -- sh -c 'echo data > /tmp/scratch.txt; echo hi > /dev/shm/segment'
demo --timeout 0.5 --grace 0.5 -- sh -c 'trap "" TERM; echo "ignoring SIGTERM"; sleep 1000'
demo -- sh -c 'kill -SEGV $$'
demo --leaks fail -- sh -c 'ipcmk -M 4096 >/dev/null'
