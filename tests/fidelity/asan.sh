#!/usr/bin/env bash
# asan.sh BINARY INIT - the AddressSanitizer suite (asan_cases.c), -j 1 and
# -j 2, with the init TESTCAGE_INIT=INIT (fork, or default: the library's
# choice): a leak fails its case with LeakSanitizer's report, a clean case
# passes, a heap overflow is not a pass.
set -euo pipefail
# shellcheck source=../shell/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"

bin=$1
init=$2
here=$(dirname "${BASH_SOURCE[0]}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset TESTCAGE_FILTER TESTCAGE_JOBS TESTCAGE_JSON TESTCAGE_LEAKS TESTCAGE_EXEC TESTCAGE_WRAP \
    TESTCAGE_VALGRIND TESTCAGE_SHARD TESTCAGE_INIT CMOCKA_MESSAGE_OUTPUT CMOCKA_TEST_ABORT
# The cage, not ASan, reports the signals; leaks are checked at exit.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:handle_segv=0:handle_abort=0:handle_sigbus=0:handle_sigfpe=0

for jobs in 1 2; do
    json=$T/j$jobs.json
    OUT=$T/j$jobs.out ERR=$T/j$jobs.err
    if [[ $init == default ]]; then
        run_cmd "$bin" -j $jobs --timeout 20 --json "$json"
    else
        TESTCAGE_INIT=$init run_cmd "$bin" -j $jobs --timeout 20 --json "$json"
    fi
    expect_rc 1 "-j $jobs"
    python3 "$here/../hardening/check_json.py" "$json" leaks=fail clean=pass \
        "overflow=fail|crash" || note_fail "-j $jobs: verdicts"
    python3 "$here/fields.py" "$json" "leaks.output~4242 byte" "leaks.output~LeakSanitizer" \
        "clean.output!~LeakSanitizer" "overflow.output~heap-buffer-overflow" ||
        note_fail "-j $jobs: sanitizer reports"
done
[[ -z ${TC_FAILED:-} ]] || fail_now "${TC_NFAILED} check(s) failed"
