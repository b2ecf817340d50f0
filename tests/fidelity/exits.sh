#!/usr/bin/env bash
# exits.sh BINARY - the exit-behaviour suite (exit_cases.c) at -j 1, -j 2 and
# with the fork-like init: every verdict and the text each one must carry.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin=$1
early="exited with status 0 before the case finished"
forked="a process forked by the case returned from the case function"

for mode in j1 j2 fork; do
    jobs=1 init=default
    [[ $mode == j1 ]] || jobs=2
    [[ $mode != fork ]] || init=fork
    json=$T/$mode.json
    OUT=$T/$mode.out ERR=$T/$mode.err
    run_suite $init "$bin" -j $jobs --timeout 20 --leaks=fail --json "$json"
    expect_rc 1 "$mode"
    verdicts "$json" atexit_cleanup=pass partial_line=fail exit0_midcase=fail \
        underscore_exit0=fail forked_child_returns=fail closes_all_fds=pass ||
        note_fail "$mode: verdicts"
    fields "$json" atexit_cleanup.leaks=none \
        "atexit_cleanup.output~scratch removed at exit" \
        "partial_line.output~a partial line, no newline" \
        "exit0_midcase.failures~$early" "underscore_exit0.failures~$early" \
        "forked_child_returns.failures~$forked" "forked_child_returns.failures!~$early" \
        "closes_all_fds.failures!~$early" || note_fail "$mode: messages and output"
done
fidelity_done
