#!/usr/bin/env bash
# backtrace.sh - at the timeout a hung program's gdb backtrace (every thread) names the function
# it hangs in, on stderr, in --json and in --junit; --no-backtrace and --on-timeout CMD (%p).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
dbg_setup backtrace "$@"

# CI installs gdb (scripts/setup.sh); a missing gdb is a failure, never a skip.
if ! command -v gdb >/dev/null; then
    note_fail "gdb is not installed: the default backtrace at the timeout cannot be tested"
    exit 1
fi

JSON=$WORK/r.json
XML=$WORK/r.xml
cage --timeout 1 --grace 0.5 --json "$JSON" --junit "$XML" -- "$PROG" hang "$MARK-1"
expect_rc 124 "hung program, --timeout 1"
expect_err_fixed "timed out after 1 s"
expect_err_fixed "testcage: at the timeout, inside the cage:"
expect_err_fixed "hang_here_forever" "the backtrace"
expect_err_fixed "on_the_way_down" "the backtrace's caller frame"
grep -qE '#[0-9]+ .* in main \(' "$ERR" || note_fail "the backtrace does not reach main"
# The backtrace comes after the header line, not before it.
awk '/at the timeout, inside the cage:/ {h=1} h && /hang_here_forever/ {ok=1} END {exit !ok}' \
    "$ERR" || note_fail "the backtrace is not under the 'at the timeout' header"
((ELAPSED < 15000)) || note_fail "the timeout with its backtrace took ${ELAPSED} ms"
cp "$ERR" "$WORK/report.txt"
note "the timeout report:"
sed 's/^/   | /' "$WORK/report.txt" >&2

[[ $(json_case "$JSON" status) == '"timeout"' ]] || note_fail "json status: $(json_case "$JSON" status)"
json_case "$JSON" debug_output | grep -qF "hang_here_forever" ||
    note_fail "json debug_output lacks the backtrace: $(json_case "$JSON" debug_output | head -c 300)"
grep -qF "hang_here_forever" "$XML" || note_fail "the JUnit report lacks the backtrace"
python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$XML" ||
    note_fail "the JUnit report is not well-formed XML"

# Every thread: the second thread's function is named too.
cage --timeout 1 --grace 0.5 -- "$PROG" threads "$MARK-2"
expect_rc 124 "hung program with two threads"
expect_err_fixed "hang_here_forever" "main thread's backtrace"
expect_err_fixed "thread_stuck_here" "second thread's backtrace"
n=$(grep -cE '^Thread [0-9]+ ' "$ERR" || true)
[[ $n == 2 ]] || note_fail "expected 2 threads in the backtrace, got $n"

# --no-backtrace: the timeout is reported, no gdb output.
cage --timeout 0.5 --grace 0.5 --no-backtrace --json "$JSON" -- "$PROG" hang "$MARK-3"
expect_rc 124 "--no-backtrace"
expect_err_fixed "timed out after 0.5 s"
expect_no_err_fixed "at the timeout, inside the cage"
expect_no_err_fixed "hang_here_forever"
[[ $(json_case "$JSON" debug_output) == null ]] ||
    note_fail "--no-backtrace: json debug_output is $(json_case "$JSON" debug_output | head -c 200)"

# --on-timeout CMD: runs inside the cage, %p is the program's pid there (2).
cage --timeout 0.5 --grace 0.5 --on-timeout 'echo pid=%p; cat /proc/%p/comm; echo 100%%' \
    -- "$PROG" hang "$MARK-4"
expect_rc 124 "--on-timeout"
expect_err_fixed "testcage: at the timeout, inside the cage:"
expect_err_fixed "pid=2"
expect_err_fixed "$(basename "$PROG" | cut -c1-15)" "the comm of pid 2 inside the cage"
expect_err_fixed "100%" "%% in --on-timeout"
expect_no_err_fixed "hang_here_forever" "--on-timeout replaces the gdb backtrace"

# No backtrace when the program ends in time.
cage --timeout 5 -- true
expect_rc 0 "a program that ends in time"
expect_no_err_fixed "at the timeout"
