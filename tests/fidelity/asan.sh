#!/usr/bin/env bash
# asan.sh BINARY INIT - the AddressSanitizer suite (asan_cases.c), -j 1 and
# -j 2, with the init TESTCAGE_INIT=INIT (fork, or default: the library's
# choice): a leak fails its case with LeakSanitizer's report, a clean case
# passes, a heap overflow is not a pass.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin=$1
init=$2
# The cage, not ASan, reports the signals; leaks are checked at exit.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:handle_segv=0:handle_abort=0:handle_sigbus=0:handle_sigfpe=0

for jobs in 1 2; do
    json=$T/j$jobs.json
    OUT=$T/j$jobs.out ERR=$T/j$jobs.err
    run_suite "$init" "$bin" -j $jobs --timeout 20 --json "$json"
    expect_rc 1 "-j $jobs"
    verdicts "$json" leaks=fail clean=pass "overflow=fail|crash" || note_fail "-j $jobs: verdicts"
    fields "$json" "leaks.output~4242 byte" "leaks.output~LeakSanitizer" \
        "clean.output!~LeakSanitizer" "overflow.output~heap-buffer-overflow" ||
        note_fail "-j $jobs: sanitizer reports"
done
fidelity_done
