#!/bin/bash
# valgrind.sh - memcheck on the runner itself (not the caged program) for pass, fail, timeout
# with SIGKILL, leaks, reports and a missing program: no error, no leak, no fd beyond 0-2.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup valgrind "$@"
command -v valgrind >/dev/null || {
    note_fail "valgrind is not installed"
    exit 1
}

n=0
# vg WANT_RC ARGS...: testcage ARGS under memcheck; checks every valgrind log it produced
# (the runner, and the cage init, which is a fork of it and exits under valgrind too).
vg() {
    local want=$1 log main
    shift
    n=$((n + 1))
    mkdir -p "$WORK/vg$n"
    run_cmd valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
        --errors-for-leak-kinds=all --trace-children=no --track-fds=yes --vgdb=no \
        --log-file="$WORK/vg$n/%p.log" "$TC" "$@"
    expect_rc "$want" "valgrind testcage $*"
    main=
    for log in "$WORK/vg$n"/*.log; do
        [[ -e $log ]] || continue
        # The runner's log is the one whose parent left no log; forks of it (the cage init is
        # pid 1 in its namespace and names parent 0) are checked for memory errors only.
        ppid=$(sed -n 's/.*Parent PID: \([0-9]*\)$/\1/p' "$log")
        if [[ $ppid != 0 && ! -e $WORK/vg$n/$ppid.log ]]; then
            main=$log
        elif grep -Eq '== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap)' "$log"; then
            note_fail "valgrind: memory errors in the cage process $(basename "$log") for: testcage $*"
            sed 's/^/     /' "$log" | head -60 >&2
        fi
    done
    # Any fd still open at exit beyond 0-2 that was not inherited.
    if [[ -n $main ]]; then
        note "runner log $(basename "$main"): $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$main")"
        local leaked
        leaked=$(awk 'match($0, /== Open [^0-9]* [0-9]+:/) {
                        fd = substr($0, RSTART, RLENGTH); sub(/:$/, "", fd); sub(/.* /, "", fd)
                        cur = fd + 0; next }
                      /<inherited from parent>/ { cur = -1; next }
                      cur > 2 && /at 0x|by 0x/ { print cur; cur = -1 }' "$main")
        [[ -z $leaked ]] || note_fail "fds left open by the runner: $leaked (testcage $*)"
        if ! grep -q 'ERROR SUMMARY: 0 errors' "$main"; then
            note_fail "valgrind: errors or leaks in the runner for: testcage $*"
            sed 's/^/     /' "$main" | head -80 >&2
        fi
    else
        note_fail "no valgrind log for testcage $*"
    fi
}

vg 0 --timeout 5 -- "$HOSTILE" exit 0 "$MARK"
vg 1 --timeout 5 -- "$HOSTILE" exit 1 "$MARK"
vg 124 --timeout 0.5 --grace 0.3 -- "$HOSTILE" ignore-term "$MARK"
vg 0 --timeout 5 --json "$WORK/r.json" --junit "$WORK/r.xml" -- "$HOSTILE" litter "$MARK"
vg 122 --timeout 5 --leaks=fail -- "$HOSTILE" daemon "$MARK"
vg 0 --timeout 5 -- "$HOSTILE" ipc "$KEY" "$MARK"
vg 127 --timeout 5 -- "$WORK/no-such-$MARK"
vg 125 --bogus -- "$HOSTILE" exit 0 "$MARK"

# --valgrind runs PROGRAM under memcheck in the cage; no vgdb FIFO reaches the host /tmp.
before=$(find /tmp -maxdepth 1 -name 'vgdb-pipe*' 2>/dev/null | sort)
cage --timeout 30 --valgrind -- "$HOSTILE" exit 3 "$MARK"
expect_rc 3 "--valgrind passes the status"
cage --timeout 30 --valgrind -- "$HOSTILE" heap-overflow "$MARK"
expect_rc 121 "--valgrind: a heap overflow fails the test with 121 (see --help)"
expect_err_regex 'Invalid write' "--valgrind reports the heap overflow"
after=$(find /tmp -maxdepth 1 -name 'vgdb-pipe*' 2>/dev/null | sort)
new=$(comm -13 <(echo "$before") <(echo "$after"))
[[ -z $new ]] || note_fail "--valgrind left vgdb FIFOs in the host /tmp: $new"
