#!/bin/bash
# timeouts.sh - term-then-kill: a hang gets SIGTERM at the limit (124), a SIGTERM-ignorer is
# SIGKILLed after the grace period (124, "killed": true), a handler's last words are kept.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup timeouts "$@"

cage --timeout 0.5 --grace 0.3 --json "$WORK/hang.json" -- "$HOSTILE" hang "$MARK"
expect_rc 124 "hang"
expect_le "$ELAPSED" 2500 "hang: ms until testcage returned"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/hang.json" || note_fail "hang: --json is not JSON"
[[ $(json_case "$WORK/hang.json" killed) == false ]] ||
    note_fail "hang: SIGTERM should have been enough (\"killed\": $(json_case "$WORK/hang.json" killed))"
[[ $(json_case "$WORK/hang.json" timed_out) == true ]] ||
    note_fail "hang: json \"timed_out\" should be true (got: $(json_case "$WORK/hang.json" timed_out))"

cage --timeout 0.5 --grace 0.3 --json "$WORK/ign.json" -- "$HOSTILE" ignore-term "$MARK"
expect_rc 124 "ignores SIGTERM"
expect_le "$ELAPSED" 2500 "ignores SIGTERM: ms until testcage returned"
[[ $(json_case "$WORK/ign.json" killed) == true ]] ||
    note_fail "ignores SIGTERM: json should say \"killed\": true (got: $(json_case "$WORK/ign.json" killed))"
((ELAPSED >= 700)) || note_fail "ignores SIGTERM: returned after ${ELAPSED}ms, before timeout+grace"

cage --timeout 0.5 --grace 2 -- "$HOSTILE" term-report "$MARK"
expect_rc 124 "SIGTERM handler"
expect_out_regex '^hostile: SIGTERM received, cleaning up$' "SIGTERM handler report line"
expect_le "$ELAPSED" 2000 "SIGTERM handler: should not wait for the grace period (ms)"

# A daemon that the program leaves plus a hang: everything goes at the timeout.
cage --timeout 0.5 --grace 0.3 -- "$HOSTILE" daemon stay "$MARK"
expect_rc 124 "hang with a daemon"

# Fractional and suffixed durations.
cage --timeout 300ms --grace 100ms -- "$HOSTILE" hang "$MARK"
expect_rc 124 "--timeout 300ms"
expect_le "$ELAPSED" 2000 "--timeout 300ms (ms)"

# --timeout 0 means no limit.
cage --timeout 0 -- "$HOSTILE" sleep 1 "$MARK"
expect_rc 0 "--timeout 0"
