#!/bin/bash
# parallel.sh - 16 cages at once each create the same /tmp file with O_EXCL: every private /tmp
# is its own, so all succeed, and none of the files reaches the host.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup parallel "$@"

pids=()
for i in $(seq 1 16); do
    timeout -s KILL 30 "$TC" --timeout 10 -- "$HOSTILE" excl "/tmp/$MARK-excl" "$MARK" \
        >"$WORK/out.$i" 2>"$WORK/err.$i" &
    pids+=($!)
done
ok=0
for i in $(seq 1 16); do
    set +e
    wait "${pids[$((i - 1))]}"
    rc=$?
    set -e
    if [[ $rc == 0 ]] && grep -qx 'excl ok' "$WORK/out.$i"; then
        ok=$((ok + 1))
    else
        echo "run $i: exit $rc: $(cat "$WORK/out.$i" "$WORK/err.$i")" >&2
    fi
done
[[ $ok == 16 ]] || note_fail "16 parallel exclusive creates: only $ok succeeded"
