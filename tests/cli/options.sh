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
    [[ ! -e $WORK/ran ]] || fail "$TC_LAST: the program ran"
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
    run env "$assign" "$TC" -- /bin/sh -c "touch $WORK/ran"
    expect_rc 125 "$TC_LAST"
    expect_one_line_error "$culprit"
    [[ ! -e $WORK/ran ]] || fail "$TC_LAST: the program ran"
    rm -f "$WORK/ran"
}
badenv TESTCAGE_TIMEOUT=abc abc
badenv TESTCAGE_GRACE=-3 -3
badenv TESTCAGE_NS=pid,bogus bogus
badenv TESTCAGE_LEAKS=maybe maybe

# Missing values and a missing program.
cage --timeout
expect_rc 125 "--timeout without a value"
[[ $(wc -l <"$ERR") == 1 ]] || fail "--timeout without a value: expected one line"
cage
expect_rc 125 "no program"
cage --
expect_rc 125 "-- and no program"

cage --help
expect_rc 0 "--help"
for opt in --timeout --grace --leaks --ns --no-private-tmp --tmp-size --require-isolation --keep \
    --wrap --valgrind --json --junit --version --help; do
    grep -qF -- "$opt" "$OUT" || fail "--help does not mention $opt"
done
[[ ! -s $ERR ]] || fail "--help writes to stderr"

cage --version
expect_rc 0 "--version"
expect_out '^testcage [0-9]+\.[0-9]+\.[0-9]+' "--version prints 'testcage X.Y.Z'"

# Options end at PROGRAM; its own options are passed on ('--' optional).
cage "$HOSTILE" echo --bogus --timeout "$MARK"
expect_rc 0 "no --: options after PROGRAM belong to it"
expect_out '^argv\[2\] --bogus$' "program's --bogus"
expect_out '^argv\[3\] --timeout$' "program's --timeout"

cage -q -- "$HOSTILE" exit 0 "$MARK"
expect_rc 0 "-q"
cage -v -- "$HOSTILE" exit 0 "$MARK"
expect_rc 0 "-v"
cage -q -- "$HOSTILE" litter "$MARK"
expect_rc 0 "-q with leaks"

# Environment forms, and flags win.
run env TESTCAGE_TIMEOUT=0.4 TESTCAGE_GRACE=0.2 "$TC" -- "$HOSTILE" ignore-term "$MARK"
expect_rc 124 "TESTCAGE_TIMEOUT=0.4"
expect_le "$ELAPSED" 1800 "TESTCAGE_TIMEOUT=0.4 TESTCAGE_GRACE=0.2 (ms)"
run env TESTCAGE_TIMEOUT=0.3 "$TC" --timeout 5 -- "$HOSTILE" sleep 1 "$MARK"
expect_rc 0 "--timeout 5 wins over TESTCAGE_TIMEOUT=0.3"
run env TESTCAGE_GRACE=20 "$TC" --timeout 0.3 --grace 0.2 -- "$HOSTILE" ignore-term "$MARK"
expect_rc 124 "--grace wins over TESTCAGE_GRACE"
expect_le "$ELAPSED" 1800 "--grace 0.2 wins over TESTCAGE_GRACE=20 (ms)"
run env TESTCAGE_LEAKS=fail "$TC" --leaks ignore -- "$HOSTILE" litter "$MARK"
expect_rc 0 "--leaks ignore wins over TESTCAGE_LEAKS=fail"
