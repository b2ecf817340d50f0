#!/bin/bash
# signals.sh - the runner dies or is interrupted while a daemon-spawning program runs:
# SIGKILL leaves nothing behind, SIGINT/SIGTERM tear the cage down and exit 130/143.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup signals "$@"

# start_bg MARK: testcage in the background (default SIGINT disposition), daemon + hang.
start_bg() {
    env --default-signal=INT,TERM "$TC" --timeout 30 -- "$HOSTILE" daemon stay "$1" \
        >"$OUT" 2>"$ERR" &
    BG=$!
    wait_spawned "$1"
}

# wait_spawned MARK: the daemon is up (testcage, init, body, daemon carry the marker).
wait_spawned() {
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q '^daemon spawned$' "$OUT" && break
        sleep 0.05
    done
    wait_marked "$1" 4 || true
}

# wait_bg: exit status of the background testcage, at most 5 s.
wait_bg() {
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$BG" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$BG" 2>/dev/null; then
        note_fail "testcage still running 5 s after the signal"
        kill -9 "$BG" 2>/dev/null || true
    fi
    set +e
    wait "$BG"
    RC=$?
    set -e
}

m1="$MARK-kill"
TC_EXTRA_MARKS+=("$m1")
TC_LAST="$TC -- $HOSTILE daemon stay (kill -9 testcage)"
start_bg "$m1"
kill -9 "$BG"
wait_bg
expect_rc 137 "testcage killed by SIGKILL"
check_host "$m1"

# Every signal that would end testcage tears the cage down first (the same
# set as the linked runner's: see runner/options/optable.c).
for sig in INT TERM HUP QUIT USR1 USR2 ALRM; do
    m="$MARK-$sig"
    TC_EXTRA_MARKS+=("$m")
    TC_LAST="$TC -- $HOSTILE daemon stay (kill -$sig testcage)"
    start_bg "$m"
    kill -"$sig" "$BG"
    wait_bg
    expect_rc $((128 + $(kill -l "$sig"))) "SIG$sig"
    # Torn down before it exits: nothing left at the moment it returns.
    pids=$(marked_pids "$m")
    [[ -z $pids ]] || note_fail "SIG$sig: processes still alive when testcage returned: $pids"
    check_host "$m"
done

# SIGINT to the whole foreground process group (as a terminal's ^C does).
m="$MARK-pgrp"
TC_EXTRA_MARKS+=("$m")
TC_LAST="setsid $TC -- $HOSTILE daemon stay (kill -INT -pgrp)"
setsid env --default-signal=INT "$TC" --timeout 30 -- "$HOSTILE" daemon stay "$m" >"$OUT" 2>"$ERR" &
BG=$!
wait_spawned "$m"
kill -INT -- -"$BG" 2>/dev/null || kill -INT "$BG"
wait_bg
expect_rc 130 "SIGINT to the process group"
check_host "$m"

# --ns none (fork only) and the runner is SIGKILLed: its daemon must not outlive it either.
m="$MARK-none"
TC_EXTRA_MARKS+=("$m")
TC_LAST="$TC --ns none -- $HOSTILE daemon stay (kill -9 testcage)"
"$TC" --ns none --timeout 30 -- "$HOSTILE" daemon stay "$m" >"$OUT" 2>"$ERR" &
BG=$!
wait_spawned "$m"
kill -9 "$BG"
wait_bg
sleep 0.3
pids=$(marked_pids "$m")
if [[ -n $pids ]]; then
    note_fail "--ns none, runner SIGKILLed: survivors: $(ps -o pid=,args= -p "$(echo "$pids" | paste -sd,)" | tr '\n' ';')"
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
fi
