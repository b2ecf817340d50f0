#!/bin/bash
# reports.sh - --json and --junit files: written for pass, fail, crash, timeout and leaks, valid
# JSON and valid JUnit XML (../shared/schemas/junit.xsd), hostile output escaped.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup reports "$@"
XSD=${TC_JUNIT_XSD:-}
[[ -n $XSD && -r $XSD ]] || {
    note_fail "JUnit schema not found (TC_JUNIT_XSD='$XSD')"
    exit 1
}

# report NAME WANT_RC ARGS...: runs with both reports, validates them.
report() {
    local name=$1 want=$2
    shift 2
    cage --timeout 0.5 --grace 0.3 --json "$WORK/$name.json" --junit "$WORK/$name.xml" -- "$@"
    expect_rc "$want" "$name"
    if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/$name.json" 2>"$WORK/pyerr"; then
        note_fail "$name: --json output is not valid JSON: $(tail -1 "$WORK/pyerr")"
    fi
    if ! xmllint --noout --schema "$XSD" "$WORK/$name.xml" 2>"$WORK/xmlerr"; then
        note_fail "$name: --junit output does not validate: $(head -5 "$WORK/xmlerr")"
    fi
}

# xpath NAME EXPR: prints an XPath value from the JUnit file.
xpath() {
    xmllint --xpath "$2" "$WORK/$1.xml" 2>/dev/null || true
}

report pass 0 "$HOSTILE" exit 0 "$MARK"
[[ $(xpath pass 'string(//testsuite/@tests)') == 1 ]] || note_fail "pass: tests != 1"
[[ $(xpath pass 'string(//testsuite/@failures)') == 0 ]] || note_fail "pass: failures != 0"
[[ $(xpath pass 'count(//testcase/failure|//testcase/error)') == 0 ]] || note_fail "pass: a failure element"

report fail 1 /bin/sh -c 'printf "out <&>\\\"]]> \\001\\033[31m \\377\\n"; echo "err </system-err>" >&2; exit 1'
[[ $(xpath fail 'count(//testcase/failure|//testcase/error)') == 1 ]] || note_fail "fail: no failure element"
f=$(xpath fail 'string(//testsuite/@failures)')
e=$(xpath fail 'string(//testsuite/@errors)')
((${f:-0} + ${e:-0} == 1)) || note_fail "fail: failures+errors = ${f:-0}+${e:-0}"

report skip 77 "$HOSTILE" exit 77 "$MARK"
[[ $(xpath skip 'count(//testcase/skipped)') == 1 ]] || note_fail "skip: no skipped element"

report crash 139 "$HOSTILE" segv "$MARK"
[[ $(xpath crash 'count(//testcase/failure|//testcase/error)') == 1 ]] || note_fail "crash: no failure element"
grep -q 'SIGSEGV\|signal 11\|Segmentation' "$WORK/crash.xml" || note_fail "crash: JUnit does not name the signal"

report timeout 124 "$HOSTILE" ignore-term "$MARK"
[[ $(xpath timeout 'count(//testcase/failure|//testcase/error)') == 1 ]] || note_fail "timeout: no failure element"
[[ $(json_case "$WORK/timeout.json" killed) == true ]] || note_fail "timeout: json \"killed\" is not true"

cage --timeout 5 --leaks=fail --json "$WORK/lf.json" -- "$HOSTILE" litter "$MARK"
expect_rc 122 "leaks=fail with --json"
report leaks 0 "$HOSTILE" litter "$MARK"
grep -q "/tmp/$MARK-a" "$WORK/leaks.json" || note_fail "leaks: the JSON report does not list /tmp/$MARK-a"
grep -q "/tmp/$MARK-a" "$WORK/leaks.xml" || note_fail "leaks: the JUnit report does not list /tmp/$MARK-a"

report notfound 127 "$WORK/no-such-$MARK"

# An unwritable report path: an error naming it, non-zero.
cage --timeout 5 --json "$WORK/no/such/dir/r.json" -- "$HOSTILE" exit 0 "$MARK"
[[ $RC != 0 ]] || note_fail "unwritable --json path: exit 0"
expect_err_regex "no/such/dir/r.json" "unwritable --json path named"
cage --timeout 5 --junit "$WORK/no/such/dir/r.xml" -- "$HOSTILE" exit 0 "$MARK"
[[ $RC != 0 ]] || note_fail "unwritable --junit path: exit 0"
expect_err_regex "no/such/dir/r.xml" "unwritable --junit path named"
