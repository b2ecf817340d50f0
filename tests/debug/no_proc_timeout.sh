#!/usr/bin/env bash
# no_proc_timeout.sh - with --no-proc the timeout's look at the hung program must still be at
# the program: %p is its pid inside the cage, and gdb's backtrace names its function.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
dbg_setup no_proc_timeout "$@"

if ! command -v gdb >/dev/null; then
    note_fail "gdb is not installed: the default backtrace at the timeout cannot be tested"
    exit 1
fi
COMM=$(basename "$PROG" | cut -c1-15)

cage --no-proc --timeout 0.5 --grace 0.5 --on-timeout 'echo pid=%p; cat /proc/%p/comm' \
    -- "$PROG" hang "$MARK-1"
expect_rc 124 "--no-proc --on-timeout"
expect_err_fixed "pid=2"
expect_err_fixed "$COMM" "--no-proc: /proc/%p/comm names the hung program"
expect_no_err_fixed "kthreadd" "--no-proc: %p must not resolve to the host's pid 2"

cage --no-proc --timeout 1 --grace 0.5 -- "$PROG" hang "$MARK-2"
expect_rc 124 "--no-proc, default backtrace"
expect_err_fixed "hang_here_forever" "--no-proc: gdb's backtrace"
expect_no_err_fixed "kthreadd" "--no-proc: gdb must not look at the host's pid 2"
