#!/usr/bin/env bash
# enter_cli.sh - `testcage --enter PID [CMD]` joins a running cage by its init's or its
# program's host pid and sees the cage's /tmp, /proc and cwd; bad pids are one-line errors.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
dbg_setup enter_cli "$@"

BG_OUT=$WORK/bg.out
BG_ERR=$WORK/bg.err
JSON=$WORK/r.json
CWD=$WORK/cwd
mkdir "$CWD"
# The program writes a file to its /tmp, then waits (at most 20 s) until a stop file appears.
# shellcheck disable=SC2016
BODY='echo "content-$1" >"/tmp/$1-file" && echo ready &&
      for i in $(seq 200); do [ -e "/tmp/$1-stop" ] && exit 0; sleep 0.1; done; exit 3'
(cd "$CWD" && exec "$TC" -v --timeout 30 --json "$JSON" -- bash -c "$BODY" bash "$MARK-body" \
    >"$BG_OUT" 2>"$BG_ERR") &
BG=$!
T_BG+=("$BG")
wait_for_line "$BG_OUT" "ready" || exit 1
INIT=$(sed -n 's/^testcage: cage init pid \([0-9][0-9]*\)$/\1/p' "$BG_ERR")
[[ -n $INIT ]] || note_fail "-v did not print 'testcage: cage init pid N': $(cat "$BG_ERR")"
BODY_PID=$(pgrep -P "$INIT" || true)
[[ -n $BODY_PID ]] || note_fail "no child of the cage init $INIT"
note "init $INIT, body $BODY_PID"

cage --enter "$INIT" cat "/tmp/$MARK-body-file"
expect_rc 0 "--enter INIT cat"
expect_out_fixed "content-$MARK-body" "the cage's /tmp file, read through --enter"

cage --enter "$BODY_PID" cat "/tmp/$MARK-body-file"
expect_rc 0 "--enter BODY cat (the program's host pid)"
expect_out_fixed "content-$MARK-body"

# Inside the cage's PID namespace and /proc: a small pid, pid 1 is the init, few processes.
# shellcheck disable=SC2016
cage --enter "$INIT" sh -c 'echo "pid=$$"; echo "procs=$(ls /proc | grep -c "^[0-9]*$")"; pwd'
expect_rc 0 "--enter INIT sh -c"
pid=$(sed -n 's/^pid=//p' "$OUT")
procs=$(sed -n 's/^procs=//p' "$OUT")
if ! [[ $pid =~ ^[0-9]+$ ]] || ((pid <= 2 || pid >= 100)); then
    note_fail "--enter: pid inside the cage is '$pid'"
fi
if ! [[ $procs =~ ^[0-9]+$ ]] || ((procs < 3 || procs >= 20)); then
    note_fail "--enter: /proc lists '$procs' processes, not the cage's few"
fi
expect_out_fixed "$CWD" "--enter: the cage's working directory"

# CMD's status passes through; a missing CMD is 127.
cage --enter "$INIT" sh -c 'exit 7'
expect_rc 7 "--enter CMD's exit status"
cage --enter "$INIT" "no-such-command-$MARK"
expect_rc 127 "--enter with a missing CMD"

# Default CMD is $SHELL: give it a script on stdin.
TC_LAST="SHELL=/bin/sh $TC --enter $INIT <<< 'cat /tmp/...-file'"
set +e
SHELL=/bin/sh timeout -s KILL 30 "$TC" --enter "$INIT" <<<"cat /tmp/$MARK-body-file" >"$OUT" 2>"$ERR"
RC=$?
set -e
expect_rc 0 "--enter without CMD"
expect_out_fixed "content-$MARK-body" "--enter without CMD runs \$SHELL inside"

# Bad pids: exit 125, one line naming the problem.
one_line_125() {
    expect_rc 125 "$1"
    [[ $(wc -l <"$ERR") == 1 ]] || note_fail "$1: expected a one-line error"
    grep -q '^testcage: ' "$ERR" || note_fail "$1: the error does not start with 'testcage: '"
    expect_err_fixed "$2" "$1"
}
sh -c 'exit 0' &
DEAD=$!
wait "$DEAD"
cage --enter "$DEAD" true
one_line_125 "--enter with a dead pid" "$DEAD"
cage --enter "not-a-pid" true
one_line_125 "--enter with garbage" "not-a-pid"
cage --enter 0 true
one_line_125 "--enter 0" "0"
cage --enter
one_line_125 "--enter without a pid" "--enter"

# A process started through --enter is part of the cage: it ends with it.
# shellcheck disable=SC2016
"$TC" --enter "$INIT" bash -c 'exec -a "$1" sleep 60' "$MARK-entered" >/dev/null 2>&1 &
ENTERED=$!
T_BG+=("$ENTERED")
for ((i = 0; i < 100; i++)); do
    [[ -n $(marked_pids "$MARK-entered") ]] && break
    sleep 0.05
done
[[ -n $(marked_pids "$MARK-entered") ]] || note_fail "the process started through --enter never ran"
cage --enter "$INIT" touch "/tmp/$MARK-body-stop"
expect_rc 0 "--enter touch the stop file"
set +e
wait "$BG"
RC=$?
set -e
TC_LAST="the background testcage"
expect_rc 0 "the cage, stopped through --enter"
for ((i = 0; i < 100; i++)); do
    kill -0 "$ENTERED" 2>/dev/null || break
    sleep 0.05
done
! kill -0 "$ENTERED" 2>/dev/null || note_fail "testcage --enter is still waiting after its cage ended"
[[ -z $(marked_pids "$MARK-entered") ]] || note_fail "the process started through --enter outlived the cage"
[[ $(json_case "$JSON" init_pid) == "$INIT" ]] ||
    note_fail "json init_pid $(json_case "$JSON" init_pid) is not the -v pid $INIT"

cage --enter "$INIT" true
expect_rc 125 "--enter an ended cage"
