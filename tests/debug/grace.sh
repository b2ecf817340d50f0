#!/usr/bin/env bash
# grace.sh - SIGTERM/SIGINT to testcage: the program gets SIGTERM, has --grace to finish
# (its trap runs), and is killed after it; testcage exits 143/130 and nothing survives.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
dbg_setup grace "$@"

# bg_cage ARGS...: starts testcage in the background (pid in $BG, output in $OUT/$ERR).
bg_cage() {
    TC_LAST=$(printf '%q ' "$TC" "$@")
    : >"$OUT"
    "$TC" "$@" >"$OUT" 2>"$ERR" &
    BG=$!
    T_BG+=("$BG")
}

# end_bg: waits (at most 10 s) for the background testcage; status in $RC, ms in $ELAPSED.
end_bg() {
    local i t0 t1
    t0=$(date +%s%N)
    for ((i = 0; i < 200; i++)); do
        kill -0 "$BG" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$BG" 2>/dev/null; then
        note_fail "testcage still running 10 s after the signal"
        kill -9 "$BG"
    fi
    set +e
    wait "$BG"
    RC=$?
    set -e
    t1=$(date +%s%N)
    ELAPSED=$(((t1 - t0) / 1000000))
    note "rc=$RC ${ELAPSED}ms after the signal: $TC_LAST"
}

# 1. A program that traps SIGTERM and needs 0.5 s: within the default grace (2 s) it finishes.
bg_cage -- "$PROG" slowterm "$MARK-1"
if wait_for_line "$OUT" "ready"; then
    kill -TERM "$BG"
    end_bg
    expect_rc 143 "SIGTERM to testcage"
    expect_out_fixed "trapped SIGTERM" "the program's trap"
    expect_out_fixed "clean exit after SIGTERM" "the program's clean-up within the grace period"
fi

# 2. The same with --grace 0.1: killed before its clean-up ends.
bg_cage --grace 0.1 -- "$PROG" slowterm "$MARK-2"
if wait_for_line "$OUT" "ready"; then
    kill -TERM "$BG"
    end_bg
    expect_rc 143 "SIGTERM to testcage, --grace 0.1"
    expect_out_fixed "trapped SIGTERM"
    expect_no_out_fixed "clean exit after SIGTERM" "--grace 0.1 (clean-up takes 0.5 s)"
fi

# 3. A program (and its child) ignoring SIGTERM, --grace 0.3: killed shortly after.
bg_cage --grace 0.3 -- "$PROG" ignoreterm "$MARK-3"
if wait_for_line "$OUT" "ready"; then
    kill -TERM "$BG"
    end_bg
    expect_rc 143 "SIGTERM to testcage, program ignores it"
    ((ELAPSED < 10000)) || note_fail "testcage took ${ELAPSED} ms to end after SIGTERM"
    [[ -z $(marked_pids "$MARK-3") ]] || note_fail "the program ignoring SIGTERM survived"
fi

# 4. SIGINT: same teardown, exit 130.
bg_cage --grace 0.3 -- "$PROG" ignoreterm "$MARK-4"
if wait_for_line "$OUT" "ready"; then
    kill -INT "$BG"
    end_bg
    expect_rc 130 "SIGINT to testcage"
    [[ -z $(marked_pids "$MARK-4") ]] || note_fail "the program ignoring SIGINT survived"
fi

# 5. SIGTERM during the on-timeout command: the teardown still happens.
bg_cage --timeout 0.3 --grace 0.3 --on-timeout "echo looking; sleep 1" -- \
    "$PROG" ignoreterm "$MARK-5"
if wait_for_line "$OUT" "ready"; then
    sleep 0.5
    kill -TERM "$BG"
    end_bg
    expect_rc 143 "SIGTERM while the on-timeout command runs"
    [[ -z $(marked_pids "$MARK-5") ]] || note_fail "the program survived"
fi
