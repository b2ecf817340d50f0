#!/usr/bin/env bash
# exits.sh BINARY - the exit-behaviour suite (exit_cases.c) at -j 1, -j 2 and
# with the fork-like init: every verdict and the text each one must carry.
set -euo pipefail
# shellcheck source=../shell/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"

bin=$1
here=$(dirname "${BASH_SOURCE[0]}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset TESTCAGE_FILTER TESTCAGE_JOBS TESTCAGE_JSON TESTCAGE_LEAKS TESTCAGE_EXEC TESTCAGE_WRAP \
    TESTCAGE_VALGRIND TESTCAGE_SHARD TESTCAGE_INIT CMOCKA_MESSAGE_OUTPUT CMOCKA_TEST_ABORT
early="exited with status 0 before the case finished"
forked="a process forked by the case returned from the case function"

for mode in j1 j2 fork; do
    jobs=1
    [[ $mode == j1 ]] || jobs=2
    json=$T/$mode.json
    OUT=$T/$mode.out ERR=$T/$mode.err
    if [[ $mode == fork ]]; then
        TESTCAGE_INIT=fork run_cmd "$bin" -j $jobs --timeout 20 --leaks=fail --json "$json"
    else
        run_cmd "$bin" -j $jobs --timeout 20 --leaks=fail --json "$json"
    fi
    expect_rc 1 "$mode"
    note "$mode: verdicts"
    python3 "$here/../hardening/check_json.py" "$json" atexit_cleanup=pass partial_line=fail \
        exit0_midcase=fail underscore_exit0=fail forked_child_returns=fail closes_all_fds=pass ||
        note_fail "$mode: verdicts"
    python3 "$here/fields.py" "$json" atexit_cleanup.leaks=none \
        "atexit_cleanup.output~scratch removed at exit" \
        "partial_line.output~a partial line, no newline" \
        "exit0_midcase.failures~$early" "underscore_exit0.failures~$early" \
        "forked_child_returns.failures~$forked" "forked_child_returns.failures!~$early" \
        "closes_all_fds.failures!~$early" || note_fail "$mode: messages and output"
done
[[ -z ${TC_FAILED:-} ]] || fail_now "${TC_NFAILED} check(s) failed"
