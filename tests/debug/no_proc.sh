#!/usr/bin/env bash
# no_proc.sh - --no-proc: the program reads the host's /proc (sees a host process) while its
# own pid is 2; a child it leaks is still reported and killed, host processes are never leaks.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
dbg_setup no_proc "$@"

(exec -a "$MARK-host" sleep 60) &
HOST_PID=$!
T_BG+=("$HOST_PID")

# shellcheck disable=SC2016
cage --no-proc -- sh -c 'echo "self=$$"; tr "\0" " " <"/proc/$1/cmdline"; echo' sh "$HOST_PID"
expect_rc 0 "--no-proc"
expect_out_fixed "self=2" "its own pid"
expect_out_fixed "$MARK-host 60" "the host process, read through /proc"
expect_no_err_fixed "leaked process" "host processes are not leaks"

# Control: with the default fresh /proc the host process is invisible.
# shellcheck disable=SC2016
cage -- sh -c 'test -e "/proc/$1" && echo visible || echo invisible' sh "$HOST_PID"
expect_out_fixed "invisible" "fresh /proc"

# A leaked child under --no-proc: reported (inside pid, comm), killed, and nothing else listed.
# shellcheck disable=SC2016
cage --no-proc --leaks fail -- bash -c '(exec -a "$1-leak" sleep 60) & sleep 0.3' sh "$MARK"
expect_rc 122 "--no-proc --leaks fail with a leaked child"
expect_err_fixed "leaked process sleep (pid 3): $MARK-leak 60"
n=$(grep -c "leaked process" "$ERR" || true)
[[ $n == 1 ]] || note_fail "expected exactly one leaked process, got $n"
[[ -z $(marked_pids "$MARK-leak") ]] || note_fail "the leaked child survived testcage"
kill -0 "$HOST_PID" 2>/dev/null || note_fail "the host process was killed by a --no-proc cage"

# A program that leaves nothing: no leak at all, even though it saw every host process.
cage --no-proc --leaks fail -- sh -c 'ls /proc >/dev/null'
expect_rc 0 "--no-proc --leaks fail, nothing left"
expect_no_err_fixed "leaked"
