#!/bin/bash
# options.sh - bad options, durations, namespace names and leak modes are refused with 125 and a
# one-line error naming them; --help, --version; environment forms, and flags win over them.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup options "$@"

# bad ARG... CULPRIT: exit 125, one line naming CULPRIT, the program never runs.
bad() {
    local culprit=${*: -1}
    cage "${@:1:$#-1}" -- /bin/sh -c "touch $WORK/ran"
    expect_rc 125 "$TC_LAST"
    expect_one_line_error "$culprit"
    [[ ! -e $WORK/ran ]] || note_fail "$TC_LAST: the program ran"
    rm -f "$WORK/ran"
}

bad --bogus --bogus
bad --timeout abc abc
bad --timeout -1 -1
bad --timeout nan nan
bad --timeout inf inf
bad --timeout 1.5x 1.5x
bad --timeout "" --timeout
bad --grace soon soon
bad --ns pid,bogus bogus
bad --leaks maybe maybe
bad --tmp-size huge huge
bad -x -x

# env forms are validated the same way
badenv() {
    local assign=$1 culprit=$2
    run_cmd env "$assign" "$TC" -- /bin/sh -c "touch $WORK/ran"
    expect_rc 125 "$TC_LAST"
    expect_one_line_error "$culprit"
    [[ ! -e $WORK/ran ]] || note_fail "$TC_LAST: the program ran"
    rm -f "$WORK/ran"
}
badenv TESTCAGE_TIMEOUT=abc abc
badenv TESTCAGE_GRACE=-3 -3
badenv TESTCAGE_NS=pid,bogus bogus
badenv TESTCAGE_LEAKS=maybe maybe

# Missing values and a missing program.
cage --timeout
expect_rc 125 "--timeout without a value"
[[ $(wc -l <"$ERR") == 1 ]] || note_fail "--timeout without a value: expected one line"
cage
expect_rc 125 "no program"
cage --
expect_rc 125 "-- and no program"

cage --help
expect_rc 0 "--help"
for opt in --timeout --grace --leaks --ns --no-private-tmp --tmp-size --require-isolation --keep \
    --wrap --valgrind --json --junit --version --help; do
    grep -qF -- "$opt" "$OUT" || note_fail "--help does not mention $opt"
done
[[ ! -s $ERR ]] || note_fail "--help writes to stderr"

cage --version
expect_rc 0 "--version"
expect_out_regex '^testcage [0-9]+\.[0-9]+\.[0-9]+' "--version prints 'testcage X.Y.Z'"

# Options end at PROGRAM; its own options are passed on ('--' optional).
cage "$HOSTILE" echo --bogus --timeout "$MARK"
expect_rc 0 "no --: options after PROGRAM belong to it"
expect_out_regex '^argv\[2\] --bogus$' "program's --bogus"
expect_out_regex '^argv\[3\] --timeout$' "program's --timeout"

cage -q -- "$HOSTILE" exit 0 "$MARK"
expect_rc 0 "-q"
cage -v -- "$HOSTILE" exit 0 "$MARK"
expect_rc 0 "-v"
cage -q -- "$HOSTILE" litter "$MARK"
expect_rc 0 "-q with leaks"

# Environment forms, and flags win.
run_cmd env TESTCAGE_TIMEOUT=0.4 TESTCAGE_GRACE=0.2 "$TC" -- "$HOSTILE" ignore-term "$MARK"
expect_rc 124 "TESTCAGE_TIMEOUT=0.4"
expect_le "$ELAPSED" 1800 "TESTCAGE_TIMEOUT=0.4 TESTCAGE_GRACE=0.2 (ms)"
run_cmd env TESTCAGE_TIMEOUT=0.3 "$TC" --timeout 5 -- "$HOSTILE" sleep 1 "$MARK"
expect_rc 0 "--timeout 5 wins over TESTCAGE_TIMEOUT=0.3"
run_cmd env TESTCAGE_GRACE=20 "$TC" --timeout 0.3 --grace 0.2 -- "$HOSTILE" ignore-term "$MARK"
expect_rc 124 "--grace wins over TESTCAGE_GRACE"
expect_le "$ELAPSED" 1800 "--grace 0.2 wins over TESTCAGE_GRACE=20 (ms)"
run_cmd env TESTCAGE_LEAKS=fail "$TC" --leaks ignore -- "$HOSTILE" litter "$MARK"
expect_rc 0 "--leaks ignore wins over TESTCAGE_LEAKS=fail"

# The environment forms the CLI used to ignore, each seen at work.
run_cmd env TESTCAGE_TIMEOUT=0.3 TESTCAGE_ON_TIMEOUT="echo on-timeout-ran-%p" "$TC" -- \
    "$HOSTILE" sleep 5 "$MARK"
expect_rc 124 "TESTCAGE_ON_TIMEOUT with a timeout"
expect_err_regex 'on-timeout-ran-[0-9]+' "TESTCAGE_ON_TIMEOUT runs at the timeout"
mkdir "$WORK/kept"
run_cmd env TESTCAGE_KEEP_ON_FAIL="$WORK/kept" "$TC" -- /bin/sh -c "echo x >/tmp/kept-$MARK; exit 3"
expect_rc 3 "TESTCAGE_KEEP_ON_FAIL, failing program"
[[ -n $(find "$WORK/kept" -name "kept-$MARK" -type f) ]] ||
    note_fail "TESTCAGE_KEEP_ON_FAIL: the failing program's /tmp file was not copied"
run_cmd env TESTCAGE_MAX_PROCS=20 "$TC" -- "$HOSTILE" exit 0 "$MARK"
expect_rc 0 "TESTCAGE_MAX_PROCS=20"
expect_err_regex '^testcage: limits enforced through ' "TESTCAGE_MAX_PROCS sets a limit"
run_cmd env TESTCAGE_MEMORY=256m "$TC" -- "$HOSTILE" exit 0 "$MARK"
expect_rc 0 "TESTCAGE_MEMORY=256m"
expect_err_regex '^testcage: limits enforced through ' "TESTCAGE_MEMORY sets a limit"
cage -- "$HOSTILE" exit 0 "$MARK"
expect_no_err_regex 'limits enforced' "no limit without TESTCAGE_MAX_PROCS/TESTCAGE_MEMORY"
badenv TESTCAGE_MAX_PROCS=many many
badenv TESTCAGE_MEMORY=lots lots

# A switch's environment form takes yes/no words: "no" is off, not on.
exe_of_sh='readlink /proc/$$/exe'
run_cmd env TESTCAGE_VALGRIND=no "$TC" -- /bin/sh -c "$exe_of_sh"
expect_rc 0 "TESTCAGE_VALGRIND=no"
expect_no_out_regex 'memcheck' "TESTCAGE_VALGRIND=no runs no valgrind"
run_cmd env TESTCAGE_VALGRIND=yes "$TC" -- /bin/sh -c "$exe_of_sh"
expect_rc 0 "TESTCAGE_VALGRIND=yes"
expect_out_regex 'memcheck' "TESTCAGE_VALGRIND=yes runs the program under valgrind"
badenv TESTCAGE_VALGRIND=sometimes sometimes
run_cmd env TESTCAGE_NO_PRIVATE_TMP=off "$TC" -- /bin/sh -c "echo x >/tmp/np-$MARK"
expect_rc 0 "TESTCAGE_NO_PRIVATE_TMP=off"
[[ ! -e /tmp/np-$MARK ]] || note_fail "TESTCAGE_NO_PRIVATE_TMP=off must keep /tmp private"
