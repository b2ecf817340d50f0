#!/usr/bin/env bash
# on_timeout_bounded.sh - an --on-timeout command that leaves a background process (which keeps
# its output pipe open) must not stall the teardown: its output is reported, the program is
# terminated as usual (not "killed after ignoring SIGTERM"), nothing survives.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
dbg_setup on_timeout_bounded "$@"

# A marker the background sleep carries in its command line (sleep takes a fraction).
SLEEP_ARG="61.$$$RANDOM"
JSON=$WORK/r.json
WATCHDOG=12 # seconds; the fixed teardown takes about one
cage --timeout 0.5 --grace 0.5 --json "$JSON" \
    --on-timeout "echo seen-%p; sleep $SLEEP_ARG &" -- "$PROG" hang "$MARK"
expect_rc 124 "hung program, --on-timeout leaving a background process"
((ELAPSED < 10000)) || note_fail "the teardown took ${ELAPSED} ms (the command itself ended at once)"
expect_err_fixed "seen-2" "the on-timeout command's output"
expect_no_err_fixed "ignored SIGTERM" "the program dies on SIGTERM; it was never sent"
[[ $(json_case "$JSON" killed) == false ]] || note_fail "json killed: $(json_case "$JSON" killed)"
[[ -z $(marked_pids "sleep $SLEEP_ARG") ]] || note_fail "the on-timeout command's sleep survived"
