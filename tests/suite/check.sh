#!/usr/bin/env bash
# check.sh CHECK - one CTest test of the linked runner; each check drives the
# suites in tests/suite through options and formats and fails loudly.
set -euo pipefail
# shellcheck source=../shell/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
# The hanging cases end after 1 s + 0.2 s grace.
LIMITS=(--timeout 1 --grace 0.2)
# Keep the caller's policy out of these runs.
unset TESTCAGE_FILTER TESTCAGE_JOBS TESTCAGE_TAP TESTCAGE_JUNIT TESTCAGE_JSON TESTCAGE_SHARD \
    TESTCAGE_EXEC TESTCAGE_WRAP TESTCAGE_VALGRIND TESTCAGE_VERBOSE TESTCAGE_QUIET \
    TEST_TOTAL_SHARDS TEST_SHARD_INDEX TEST_SHARD_STATUS_FILE XML_OUTPUT_FILE \
    TEST_PREMATURE_EXIT_FILE TESTBRIDGE_TEST_ONLY TEST_TIMEOUT TEST_TMPDIR \
    CMOCKA_MESSAGE_OUTPUT CMOCKA_XML_FILE CMOCKA_TEST_ABORT

verdicts() { "$PYTHON3" "$CHECK_DIR/verdicts.py" "$@"; }
# pass/skip stay, every other status is a failure.
coarse() { sed -E 's/ (crash|timeout|setup-error)$/ fail/' "$1"; }
same() { diff -u "$1" "$2" >&2 || fail_now "$3"; }
suite_bin() { if [ "$1" = cmocka ]; then echo "$SUITE_CMOCKA"; else echo "$SUITE_PLAIN"; fi; }

json_expr() { # json_expr FILE PYTHON-EXPR-over-doc: exits non-zero unless true
    "$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); c={((x["suite"]+"/") if x["suite"] else "")+x["name"]: x for x in d["cases"]}; sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

check_formats() {
    for b in cmocka plain; do
        local bin rc
        bin=$(suite_bin $b)
        coarse "$CHECK_DIR/expected_$b.txt" > exp_coarse
        for j in 1 2; do
            run_rc rc "$bin" -j $j "${LIMITS[@]}" --junit $b$j.xml --json $b$j.json > $b$j.console
            [ "$rc" = 1 ] || fail_now "$b -j $j: exit status $rc, expected 1"
            run_rc rc "$bin" -j $j "${LIMITS[@]}" --tap > $b$j.tap
            [ "$rc" = 1 ] || fail_now "$b -j $j --tap: exit status $rc, expected 1"
            verdicts json $b$j.json > got
            same "$CHECK_DIR/expected_$b.txt" got "$b -j $j: JSON statuses or order"
            for f in junit:xml tap:tap console:console; do
                verdicts "${f%%:*}" $b$j."${f#*:}" > got
                same exp_coarse got "$b -j $j: ${f%%:*} verdicts or order"
            done
            grep -q 'output of the failing case' $b$j.console ||
                fail_now "$b -j $j: the failing case's output is not shown"
        done
    done
    json_expr cmocka2.json 'c["basic/fails"]["failures"][0]["file"].endswith("cmocka_suite.c") and c["basic/fails"]["failures"][0]["message"] == "0x29 != 0x2a"' ||
        fail_now "cmocka assertion not reported with file:line and message"
    json_expr plain2.json 'c["fails_by_message"]["failures"][0]["message"] == "expected 1, got 2" and c["fails_by_message"]["failures"][0]["line"] > 0' ||
        fail_now "testcage_fail() not reported"
    for b in cmocka plain; do
        local p=""
        [ $b = cmocka ] && p=isolation/
        json_expr ${b}1.json "len(c['${p}leaks_daemon']['leaks']['processes']) >= 1" ||
            fail_now "$b: leaked daemon not reported"
        json_expr ${b}1.json "[f['path'] for f in c['${p}leaks_tmp_file']['leaks']['files']] == ['/tmp/testcage-suite-leak']" ||
            fail_now "$b: leaked /tmp file not reported"
        json_expr ${b}1.json "[f['path'] for f in c['${p}leaks_shm_file']['leaks']['files']] == ['/dev/shm/testcage-suite-leak']" ||
            fail_now "$b: leaked /dev/shm file not reported"
    done
}

check_tap() {
    local rc
    for b in cmocka plain; do
        run_rc rc "$(suite_bin $b)" -j 2 "${LIMITS[@]}" --tap > $b.tap
        run_rc rc "$PROVE" --exec cat $b.tap > prove.out 2>&1
        cat prove.out
        [ "$rc" != 0 ] || fail_now "$b: prove passed a TAP stream with failures"
        grep -q 'Parse errors' prove.out && fail_now "$b: prove found parse errors"
        local failing total
        failing=$(grep -cvE ' (pass|skip)$' "$CHECK_DIR/expected_$b.txt")
        total=$(wc -l < "$CHECK_DIR/expected_$b.txt")
        grep -q "Failed $failing/$total subtests" prove.out ||
            fail_now "$b: prove did not count $failing of $total failing"
    done
    "$SUITE_CMOCKA" --tap --filter 'isolation/*' > green.tap || fail_now "isolation group failed"
    "$PROVE" --exec cat green.tap || fail_now "prove rejected a green TAP stream"
}

check_junit() {
    local rc
    for b in cmocka plain; do
        run_rc rc "$(suite_bin $b)" -j 2 "${LIMITS[@]}" --junit $b.xml > /dev/null
        "$XMLLINT" --noout --schema "$JUNIT_XSD" $b.xml || fail_now "$b: JUnit does not validate"
        grep -q 'output of the failing case' $b.xml || fail_now "$b: JUnit lacks captured output"
        grep -q '<skipped' $b.xml || fail_now "$b: JUnit lacks the skip"
        grep -q 'type="timeout"' $b.xml || fail_now "$b: JUnit lacks the timeout"
    done
}

# Every shard set 0..N-1 covers the whole list exactly once.
check_shard_lists() {
    local bin=$1 n=$2 via=$3
    "$bin" --list > all
    : > union
    for ((i = 0; i < n; i++)); do
        if [ "$via" = env ]; then
            rm -f status
            TEST_TOTAL_SHARDS=$n TEST_SHARD_INDEX=$i TEST_SHARD_STATUS_FILE=$T/status \
                "$bin" --list >> union
            [ -e status ] || fail_now "TEST_SHARD_STATUS_FILE not touched"
        else
            "$bin" --list --shard $i/$n >> union
        fi
    done
    same <(sort all) <(sort union) "$bin: $n shards ($via) do not cover the suite exactly once"
}

check_shards() {
    for bin in "$SUITE_CMOCKA" "$SUITE_PLAIN"; do
        for n in 1 2 3 5 20; do
            check_shard_lists "$bin" $n flag
        done
        check_shard_lists "$bin" 3 env
    done
    # Running (not listing) the shards of the two-group binary.
    : > ran
    for i in 0 1 2; do
        "$SUITE_CMOCKA" -j 2 "${LIMITS[@]}" --shard $i/3 --json s$i.json > /dev/null || true
        verdicts json s$i.json >> ran
    done
    same <(sort "$CHECK_DIR/expected_cmocka.txt") <(sort ran) "cmocka: shard runs differ from the suite"
}

check_filters() {
    local rc
    "$SUITE_CMOCKA" --list > list
    same <(cut -d' ' -f1 "$CHECK_DIR/expected_cmocka.txt") list "cmocka --list"
    "$SUITE_PLAIN" --list > list
    same <(cut -d' ' -f1 "$CHECK_DIR/expected_plain.txt") list "plain --list (declaration order)"
    "$SUITE_CMOCKA" --list --filter 'basic/*' > list
    same <(grep '^basic/' "$CHECK_DIR/expected_cmocka.txt" | cut -d' ' -f1) list "--filter basic/*"
    "$SUITE_CMOCKA" --list --filter '*' --filter '-*leak*' > list
    same <(grep -v leak "$CHECK_DIR/expected_cmocka.txt" | cut -d' ' -f1) list "-GLOB exclusion"
    "$SUITE_CMOCKA" --list --filter 'basic/pass*' --filter='isolation/sees*' > list
    printf '%s\n' basic/passes isolation/sees_fresh_state isolation/sees_group_file > want
    same want list "two --filter"
    TESTCAGE_FILTER='basic/*:-*/*a*' "$SUITE_CMOCKA" --list > list
    printf '%s\n' basic/skips > want
    same want list "TESTCAGE_FILTER"
    TESTCAGE_FILTER='nothing' "$SUITE_PLAIN" --list --filter 'pass*' > list
    printf '%s\n' passes > want
    same want list "--filter adds to TESTCAGE_FILTER"
    run_rc rc "$SUITE_CMOCKA" --run basic/passes --json one.json > /dev/null
    [ "$rc" = 0 ] || fail_now "--run basic/passes: exit status $rc"
    same <(echo basic/passes pass) <(verdicts json one.json) "--run runs exactly one case"
    run_rc rc "$SUITE_PLAIN" --filter 'no-such-case*' > /dev/null
    [ "$rc" = 0 ] || fail_now "an empty selection is not a failure (exit status $rc)"
    for bad in "--bogus" "-j x" "--timeout soon" "--leaks maybe" "--shard 3/3" "--filter"; do
        # shellcheck disable=SC2086
        run_rc rc "$SUITE_PLAIN" $bad 2> err
        [ "$rc" = 125 ] || fail_now "'$bad': exit status $rc, expected 125"
        [ "$(wc -l < err)" = 1 ] || fail_now "'$bad': expected one line on stderr, got: $(cat err)"
    done
    run_rc rc env TESTCAGE_JOBS=many "$SUITE_CMOCKA" --list 2> err
    [ "$rc" = 125 ] || fail_now "TESTCAGE_JOBS=many: exit status $rc"
    TESTCAGE_JOBS=many "$SUITE_PLAIN" -j 2 --list > /dev/null 2>&1 &&
        fail_now "a bad environment value must be reported even when a flag overrides it" || true
    # Into a file: grep -q quits at the match, and a longer help would die of SIGPIPE under pipefail.
    "$SUITE_PLAIN" --help > help.out || fail_now "--help: exit status $?"
    grep -q -- '--shard I/N' help.out || fail_now "--help"
    # A passing case's output (cmocka's own RUN line) only with -v.
    "$SUITE_CMOCKA" --filter basic/passes > quiet
    grep -q '^\[ RUN      \] passes' quiet && fail_now "a passing case's output shown without -v"
    "$SUITE_CMOCKA" -v --filter basic/passes > verbose
    grep -q '^\[ RUN      \] passes' verbose || fail_now "-v does not show a passing case's output"
}

check_exit_status() {
    local rc
    run_rc rc "$SUITE_MANY" > /dev/null
    [ "$rc" = 1 ] || fail_now "300 failures: exit status $rc, expected 1 (never wrapping to 0)"
    run_rc rc "$SUITE_CMOCKA" --filter 'isolation/*' -q > /dev/null
    [ "$rc" = 0 ] || fail_now "passing cmocka cases: exit status $rc"
    run_rc rc "$SUITE_PLAIN" --filter 'passes' --filter 'skips' > /dev/null
    [ "$rc" = 0 ] || fail_now "pass + skip: exit status $rc"
    run_rc rc "$SUITE_PLAIN" --filter 'fails_by_return' > /dev/null
    [ "$rc" = 1 ] || fail_now "a failing plain case: exit status $rc"
}

check_bazel() {
    local rc
    TEST_PREMATURE_EXIT_FILE=$T/premature XML_OUTPUT_FILE=$T/bazel.xml \
        "$SUITE_CMOCKA" --filter 'isolation/*' --junit own.xml > /dev/null ||
        fail_now "Bazel-style run failed"
    [ ! -e premature ] || fail_now "TEST_PREMATURE_EXIT_FILE left after a normal end"
    for x in bazel.xml own.xml; do
        "$XMLLINT" --noout --schema "$JUNIT_XSD" $x || fail_now "$x does not validate"
        [ "$(grep -c '<testcase' $x)" = 7 ] || fail_now "$x: expected 7 cases"
    done
    # --test_filter: the --filter globs, narrowing whatever else selects.
    TESTBRIDGE_TEST_ONLY='basic/*:-basic/fails' "$SUITE_CMOCKA" --list > list
    same <(grep '^basic/' "$CHECK_DIR/expected_cmocka.txt" | cut -d' ' -f1 | grep -v fails) list \
        "TESTBRIDGE_TEST_ONLY"
    TESTBRIDGE_TEST_ONLY='basic/*' "$SUITE_CMOCKA" --list --filter '*/pass*' --filter '*/sees*' > list
    same <(echo basic/passes) list "TESTBRIDGE_TEST_ONLY and --filter must both select"
    run_rc rc env TESTBRIDGE_TEST_ONLY='basic/passes' XML_OUTPUT_FILE="$T/only.xml" "$SUITE_CMOCKA" > /dev/null
    [ "$rc" = 0 ] && [ "$(grep -c '<testcase' only.xml)" = 1 ] || fail_now "TESTBRIDGE_TEST_ONLY run: exit $rc"
    # Each shard's <testsuite> has its own name (as Bazel's own test.xml
    # spells it); the cases keep their classname.
    for i in 0 1 2; do
        TEST_TOTAL_SHARDS=3 TEST_SHARD_INDEX=$i XML_OUTPUT_FILE=$T/shard$i.xml "$SUITE_BAZEL" \
            --filter 'quick*' > /dev/null || fail_now "shard $i failed"
        "$XMLLINT" --noout --schema "$JUNIT_XSD" shard$i.xml || fail_now "shard$i.xml does not validate"
        grep -q "<testsuite name=\"suite_bazel_shard_$((i + 1))/3\"" shard$i.xml ||
            fail_now "shard $i: testsuite name: $(grep '<testsuite ' shard$i.xml)"
        ! grep '<testcase' shard$i.xml | grep -qv 'classname="suite_bazel"' || fail_now "shard $i: classname"
    done
    check_bazel_tmpdir
    check_bazel_timeout
}

# TEST_TMPDIR (and a TMPDIR or HOME that named it) is each case's own: the
# cage's private /tmp, fork only the private TMPDIR; what a case leaves there
# is its leak, and Bazel's directory stays empty.
check_bazel_tmpdir() {
    local rc ns want
    for ns in default none; do
        rm -rf shared && mkdir shared
        run_rc rc env TEST_TMPDIR="$T/shared" TMPDIR="$T/shared" HOME="$T/shared" "$SUITE_BAZEL" \
            --ns "$([ $ns = none ] && echo none || echo pid,mount,ipc)" --filter 'tmpdir*' \
            --json tmp_$ns.json > /dev/null
        [ "$rc" = 0 ] || fail_now "TEST_TMPDIR ($ns): exit $rc: $(cat tmp_$ns.json)"
        [ -z "$(ls -A shared)" ] || fail_now "TEST_TMPDIR ($ns): Bazel's directory holds $(ls -A shared)"
        if [ $ns = default ]; then
            want="f == '/tmp/left-by-case' and o == 'TEST_TMPDIR=/tmp TMPDIR=/tmp HOME=/tmp'"
        else
            want="f.startswith('$T/shared/testcage.') and f.endswith('/left-by-case') and o == 'TEST_TMPDIR=%s TMPDIR=%s HOME=%s' % ((f[:-13],) * 3)"
        fi
        for c in tmpdir_a tmpdir_b; do
            json_expr tmp_$ns.json "len(c['$c']['leaks']['files']) == 1 and (lambda f, o: $want)(c['$c']['leaks']['files'][0]['path'], c['$c']['output'].strip())" ||
                fail_now "TEST_TMPDIR ($ns): $c: not its own or its file not reported as a leak"
        done
    done
    # The cases notice a shared directory: --no-private-tmp keeps Bazel's.
    rm -rf shared && mkdir shared
    run_rc rc env TEST_TMPDIR="$T/shared" "$SUITE_BAZEL" --no-private-tmp --filter 'tmpdir*' > /dev/null
    [ "$rc" = 1 ] || fail_now "a shared TEST_TMPDIR went unnoticed (exit $rc)"
}

# TEST_TIMEOUT caps each case's limit so the cage reports a hang before
# Bazel's SIGTERM (and cases left without time are not run); an explicit
# --timeout is not capped. Bazel's SIGTERM itself still leaves a report
# with every selected case.
check_bazel_timeout() {
    local rc pid
    run_rc rc env TEST_TIMEOUT=4 XML_OUTPUT_FILE="$T/tt.xml" "$SUITE_BAZEL" --grace 0.2 \
        --filter hangs --filter 'quick*' --json tt.json > /dev/null
    [ "$rc" = 1 ] || fail_now "TEST_TIMEOUT=4: exit $rc"
    json_expr tt.json 'c["hangs"]["status"] == "timeout" and c["hangs"]["timed_out"] and all(c["quick_%d" % i]["skip_reason"] == "not run: Bazel'"'"'s TEST_TIMEOUT of 4 s was used up" for i in range(1, 5))' ||
        fail_now "TEST_TIMEOUT=4: $(verdicts json tt.json)"
    "$XMLLINT" --noout --schema "$JUNIT_XSD" tt.xml || fail_now "tt.xml does not validate"
    run_rc rc env TEST_TIMEOUT=2 "$SUITE_BAZEL" --timeout 3 --grace 0.2 --filter hangs --json tx.json > /dev/null
    json_expr tx.json 'c["hangs"]["status"] == "timeout" and c["hangs"]["duration"] >= 2.9' ||
        fail_now "TEST_TIMEOUT capped an explicit --timeout 3: $(cat tx.json)"
    for bin in "$SUITE_BAZEL" "$SUITE_CMOCKA"; do
        local sel=(--filter hangs --filter 'quick*') first=hangs
        [ "$bin" = "$SUITE_CMOCKA" ] && sel=(--filter basic/hangs --filter 'isolation/*') first=basic/hangs
        rm -f premature
        TEST_TIMEOUT=60 TEST_PREMATURE_EXIT_FILE=$T/premature XML_OUTPUT_FILE=$T/term.xml \
            "$bin" -v "${sel[@]}" --json term.json > term.out 2>&1 &
        pid=$!
        wait_for_line term.out "[ RUN      ] $first" || fail_now "$bin: the hanging case never started"
        kill -TERM $pid
        run_rc rc wait $pid
        [ "$rc" = 143 ] || fail_now "$bin: SIGTERM: exit $rc"
        [ -e premature ] || fail_now "$bin: SIGTERM: premature-exit marker removed"
        "$XMLLINT" --noout --schema "$JUNIT_XSD" term.xml || fail_now "$bin: term.xml does not validate"
        [ "$(grep -c '<testcase' term.xml)" = "$("$bin" --list "${sel[@]}" | wc -l)" ] ||
            fail_now "$bin: SIGTERM: not every selected case is in the XML"
        grep -q '<error message="interrupted after [0-9.]* s" type="timeout">' term.xml ||
            fail_now "$bin: SIGTERM: the running case is not reported as interrupted"
        ! grep -q 'type="crash"' term.xml || fail_now "$bin: SIGTERM: a case reported as a crash"
        [ "$(grep -c '<skipped message="not run: interrupted by SIGTERM"' term.xml)" = \
            "$(($(grep -c '<testcase' term.xml) - 1))" ] || fail_now "$bin: SIGTERM: the rest is not skipped"
    done
}

check_cmocka_env() {
    local rc
    CMOCKA_MESSAGE_OUTPUT=XML CMOCKA_XML_FILE=$T/cm_%g.xml \
        "$SUITE_CMOCKA" --filter 'isolation/*' > /dev/null || fail_now "XML run failed"
    "$XMLLINT" --noout --schema "$JUNIT_XSD" cm_suite_cmocka.xml ||
        fail_now "CMOCKA_XML_FILE report missing or invalid"
    CMOCKA_MESSAGE_OUTPUT=tap "$SUITE_CMOCKA" --filter 'isolation/*' > env.tap
    "$PROVE" --exec cat env.tap || fail_now "CMOCKA_MESSAGE_OUTPUT=TAP is not TAP"
    run_rc rc env CMOCKA_TEST_ABORT=1 "$SUITE_CMOCKA" --filter basic/fails --json abort.json > /dev/null
    json_expr abort.json 'c["basic/fails"]["status"] == "crash" and c["basic/fails"]["signal_name"] == "SIGABRT"' ||
        fail_now "CMOCKA_TEST_ABORT=1 did not abort the failing case"
}

check_exec() {
    local rc
    # leaks_malloc is left out: a re-executed case ends through exit(), where
    # LeakSanitizer (in the ASan build) rightly fails it. Verdicts are
    # compared coarsely: ASan's own SIGSEGV handler turns a crash into exit 1.
    for b in cmocka plain; do
        run_rc rc "$(suite_bin $b)" --exec -j 2 "${LIMITS[@]}" --filter '-*leaks_malloc' \
            --json $b.json > /dev/null
        verdicts json $b.json > got
        same <(coarse "$CHECK_DIR/expected_$b.txt" | grep -v leaks_malloc) <(coarse got) \
            "$b --exec verdicts"
    done
    run_rc rc "$SUITE_PLAIN" --wrap "env TESTCAGE_WRAPPED=1" --filter 'pass*' --filter 'fails_by_message' \
        --json wrap.json > /dev/null
    printf '%s\n' 'passes pass' 'fails_by_message fail' > want
    same want <(verdicts json wrap.json) "--wrap verdicts"
    json_expr wrap.json 'c["fails_by_message"]["failures"][0]["message"] == "expected 1, got 2"' ||
        fail_now "exec mode lost the failure record"
}

check_interrupt() {
    local rc
    # The same teardown signals as the CLI's (runner/options/optable.c).
    for sig in INT:130 TERM:143 HUP:129 QUIT:131 USR1:138 USR2:140 ALRM:142; do
        local start=$SECONDS
        TEST_PREMATURE_EXIT_FILE=$T/premature \
            "$SUITE_CMOCKA" --timeout 60 --filter 'basic/hangs' --filter 'basic/passes' > out &
        local pid=$!
        sleep 0.5
        kill -"${sig%:*}" $pid
        run_rc rc wait $pid
        [ "$rc" = "${sig#*:}" ] || fail_now "SIG${sig%:*}: exit status $rc, expected ${sig#*:}"
        ((SECONDS - start < 10)) || fail_now "SIG${sig%:*}: took $((SECONDS - start)) s"
        [ -e premature ] || fail_now "SIG${sig%:*}: premature-exit marker removed"
        grep -q 'basic/passes' out || fail_now "SIG${sig%:*}: finished case not reported"
        rm -f premature
    done
}

check_valgrind() {
    local rc
    run_rc rc "$SUITE_CMOCKA" --valgrind -j 2 --filter 'isolation/*' --json vc.json > vc.out
    [ "$rc" = 1 ] || fail_now "valgrind run: exit status $rc"
    grep -v ' pass$' <(verdicts json vc.json) > got || true
    same <(echo isolation/leaks_malloc fail) got "valgrind must fail exactly the leaking case"
    grep -q 'definitely lost' vc.out || fail_now "valgrind's leak report not shown"
    run_rc rc "$SUITE_PLAIN" --valgrind -j 2 --filter passes --filter leaks_malloc \
        --filter mutates_state --json vp.json > /dev/null
    printf '%s\n' 'passes pass' 'mutates_state pass' 'leaks_malloc fail' > want
    same want <(verdicts json vp.json) "plain --valgrind verdicts"
}

# The linked runner itself under memcheck over hostile cases (crash, abort,
# hang, leaks, failures, -j 2): 0 errors, 0 leaks, no fd left open. The
# cages are forks of it: their output is silenced, their own leaks are theirs.
check_runner_valgrind() {
    local rc
    run_rc rc "$VALGRIND" --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --track-fds=yes --child-silent-after-fork=yes --vgdb=no --log-file=rv.log \
        "$SUITE_PLAIN" -j 2 "${LIMITS[@]}" --no-backtrace -q --json rv.json --junit rv.xml > rv.out
    [ "$rc" = 1 ] || { cat rv.log >&2; fail_now "runner under valgrind: exit status $rc, expected 1"; }
    grep -q 'ERROR SUMMARY: 0 errors' rv.log || { cat rv.log >&2; fail_now "valgrind errors in the runner"; }
    grep -q 'definitely lost: [1-9]\|indirectly lost: [1-9]' rv.log && fail_now "the runner leaks memory"
    # Every fd open at exit must be one the runner inherited (0-2 and CTest's).
    local leaked
    leaked=$(awk 'match($0, /== Open [^0-9]* [0-9]+:/) {
                    fd = substr($0, RSTART, RLENGTH); sub(/:$/, "", fd); sub(/.* /, "", fd)
                    cur = fd + 0; next }
                  /<inherited from parent>/ { cur = -1; next }
                  cur > 2 && /at 0x|by 0x/ { print cur; cur = -1 }' rv.log)
    [ -z "$leaked" ] || { cat rv.log >&2; fail_now "fds left open by the runner: $leaked"; }
    verdicts json rv.json > got
    grep -q '^crashes crash$' got || fail_now "runner under valgrind: the crash was not reported"
    grep -q '^hangs timeout$' got || fail_now "runner under valgrind: the hang was not reported"
}

# Cage options reach every case: limits (said once), tmpfs size, kept files.
check_cage_opts() {
    local rc
    run_rc rc "$SUITE_PLAIN" --max-procs 20 --memory 256m -j 2 --filter passes --filter mutates_state \
        > lim.out 2> lim.err
    [ "$rc" = 0 ] || fail_now "--max-procs/--memory run: exit status $rc"
    [ "$(grep -c '^testcage: limits enforced through ' lim.err)" = 1 ] ||
        fail_now "the limits line must appear exactly once"
    run_rc rc env TESTCAGE_MAX_PROCS=20 TESTCAGE_MEMORY=256m "$SUITE_PLAIN" --filter passes \
        > lim.out 2> lim.err
    [ "$rc" = 0 ] || fail_now "TESTCAGE_MAX_PROCS/TESTCAGE_MEMORY run: exit status $rc"
    grep -q '^testcage: limits enforced through ' lim.err ||
        fail_now "TESTCAGE_MAX_PROCS/TESTCAGE_MEMORY set no limit"
    run_rc rc env TESTCAGE_VALGRIND=no "$SUITE_PLAIN" --filter passes > /dev/null 2> vg.err
    [ "$rc" = 0 ] || fail_now "TESTCAGE_VALGRIND=no: exit status $rc"
    run_rc rc env TESTCAGE_VALGRIND=sometimes "$SUITE_PLAIN" --filter passes > /dev/null 2> vg.err
    [ "$rc" = 125 ] && [ "$(wc -l < vg.err)" = 1 ] ||
        fail_now "TESTCAGE_VALGRIND=sometimes: exit status $rc, expected 125 and one line"
    run_rc rc "$SUITE_PLAIN" --max-procs abc > /dev/null 2> bad.err
    [ "$rc" = 125 ] || fail_now "--max-procs abc: exit status $rc, expected 125"
    mkdir kept
    run_rc rc "$SUITE_PLAIN" --keep-on-fail "$T/kept" --filter 'leaks_tmp_file' --leaks fail > k.out
    [ "$rc" = 1 ] || fail_now "--keep-on-fail run: exit status $rc"
    [ "$(find kept -mindepth 1 -maxdepth 1 | wc -l)" = 1 ] || fail_now "the failing case was not kept"
    [ -n "$(find kept -path '*/tmp/*' -type f)" ] || fail_now "the failing case's /tmp file was not copied"
    run_rc rc "$SUITE_PLAIN" --keep-on-fail "$T/kept" --filter passes --filter leaks_tmp_file > /dev/null
    [ "$(find kept -mindepth 1 -maxdepth 1 | wc -l)" = 1 ] || fail_now "a passing case was kept"
    mkdir kept_env
    run_rc rc env TESTCAGE_KEEP_ON_FAIL="$T/kept_env" "$SUITE_PLAIN" --filter 'leaks_tmp_file' \
        --leaks fail > k.out
    [ "$rc" = 1 ] || fail_now "TESTCAGE_KEEP_ON_FAIL run: exit status $rc"
    [ -n "$(find kept_env -path '*/tmp/*' -type f)" ] || fail_now "TESTCAGE_KEEP_ON_FAIL kept nothing"
}

# The cases that end quickly (no hang, no daemon).
QUICK=(--filter '*' --filter '-hangs*' --filter '-leaks_daemon')
order() { "$PYTHON3" -c 'import json,sys; print(" ".join(c["name"] for c in json.load(open(sys.argv[1]))["cases"]))' "$1"; }

# --fail-fast: after the first failure no new case starts; the rest are
# reported as skipped (not run) in every format; the exit status is 1.
check_fail_fast() {
    local rc b ran
    run_rc rc "$SUITE_PLAIN" --fail-fast "${QUICK[@]}" --json ff.json --junit ff.xml > ff.console
    [ "$rc" = 1 ] || fail_now "--fail-fast: exit status $rc, expected 1"
    verdicts json ff.json > got
    printf 'passes pass\nfails_by_return fail\n' > want
    head -2 got | same want - "--fail-fast: the first two verdicts"
    [ "$(tail -n +3 got | grep -vc ' skip$')" = 0 ] || fail_now "--fail-fast: a case after the failure ran"
    [ "$(wc -l < got)" = 12 ] || fail_now "--fail-fast: every selected case must be reported"
    json_expr ff.json 'all(x.get("skip_reason","").startswith("not run") for x in list(c.values())[2:])' ||
        fail_now "--fail-fast: JSON skip reasons"
    [ "$(grep -c '<skipped message="not run' ff.xml)" = 10 ] || fail_now "--fail-fast: JUnit skips"
    "$XMLLINT" --noout --schema "$JUNIT_XSD" ff.xml 2> /dev/null || fail_now "--fail-fast: JUnit invalid"
    run_rc rc env TESTCAGE_FAIL_FAST=1 "$SUITE_PLAIN" "${QUICK[@]}" --tap > ff.tap
    [ "$rc" = 1 ] || fail_now "TESTCAGE_FAIL_FAST=1 --tap: exit status $rc"
    [ "$(grep -c '# SKIP not run' ff.tap)" = 10 ] || fail_now "--fail-fast: TAP skips"
    # -j 2: cases already running finish, none starts after the failure.
    run_rc rc "$SUITE_PLAIN" -j 2 --fail-fast "${QUICK[@]}" --json ffj.json > /dev/null
    ran=$(verdicts json ffj.json | grep -vc ' skip$' || true)
    [ "$rc" = 1 ] && [ "$ran" -le 3 ] || fail_now "--fail-fast -j 2: exit $rc, $ran cases ran"
    # cmocka: the groups after the failing one do not run either.
    run_rc rc "$SUITE_CMOCKA" --fail-fast "${LIMITS[@]}" --json ffc.json > /dev/null
    [ "$rc" = 1 ] || fail_now "cmocka --fail-fast: exit status $rc"
    [ "$(verdicts json ffc.json | grep -vc ' skip$')" = 2 ] || fail_now "cmocka --fail-fast: cases ran after basic/fails"
    for b in "--fail-fast=maybe" "--fail-fast=2"; do
        run_rc rc "$SUITE_PLAIN" "$b" --list > /dev/null 2> err
        [ "$rc" = 125 ] && [ "$(wc -l < err)" = 1 ] || fail_now "'$b': exit $rc, expected 125 and one line"
    done
}

# --shuffle/--seed: the same seed gives the same order (also with -j 2 and
# from the environment), another seed another; the seed is printed and
# recorded; without --seed the printed one replays the order.
check_shuffle() {
    local rc a b seed
    run_rc rc "$SUITE_PLAIN" --seed 7 "${QUICK[@]}" --json s7a.json --junit s7.xml > /dev/null 2> s7.err
    [ "$rc" = 1 ] || fail_now "--seed 7: exit status $rc"
    grep -q '^testcage: shuffling the cases with --seed 7$' s7.err || fail_now "--seed 7: seed not printed"
    run_rc rc env TESTCAGE_SEED=7 "$SUITE_PLAIN" -j 2 "${QUICK[@]}" --json s7b.json > /dev/null 2>&1
    a=$(order s7a.json) b=$(order s7b.json)
    [ "$a" = "$b" ] || fail_now "the same seed gave two orders: '$a' / '$b'"
    [ "$a" != "$("$SUITE_PLAIN" "${QUICK[@]}" --list | paste -sd' ')" ] || fail_now "--seed 7: declaration order"
    [ "$(echo "$a" | tr ' ' '\n' | sort | paste -sd' ')" = "$("$SUITE_PLAIN" "${QUICK[@]}" --list | sort | paste -sd' ')" ] ||
        fail_now "--seed 7: not every selected case ran exactly once"
    run_rc rc "$SUITE_PLAIN" --seed 8 "${QUICK[@]}" --json s8.json > /dev/null 2>&1
    [ "$(order s8.json)" != "$a" ] || fail_now "seeds 7 and 8 gave the same order"
    json_expr s7a.json 'd["seed"] == 7' || fail_now "--seed 7: JSON has no seed"
    grep -q '<property name="seed" value="7"/>' s7.xml || fail_now "--seed 7: JUnit has no seed"
    "$XMLLINT" --noout --schema "$JUNIT_XSD" s7.xml 2> /dev/null || fail_now "--seed: JUnit invalid"
    run_rc rc "$SUITE_PLAIN" --shuffle "${QUICK[@]}" --json r1.json > /dev/null 2> r1.err
    seed=$(sed -n 's/^testcage: shuffling the cases with --seed \([0-9]*\)$/\1/p' r1.err)
    [ -n "$seed" ] || fail_now "--shuffle without --seed: no seed printed"
    run_rc rc "$SUITE_PLAIN" --seed "$seed" "${QUICK[@]}" --json r2.json > /dev/null 2>&1
    [ "$(order r1.json)" = "$(order r2.json)" ] || fail_now "--seed $seed does not replay --shuffle"
    run_rc rc "$SUITE_PLAIN" --seed -1 --list > /dev/null 2> err
    [ "$rc" = 125 ] && [ "$(wc -l < err)" = 1 ] || fail_now "--seed -1: exit $rc, expected 125"
}

# --durations N: the N slowest cases, slowest first, after the report.
check_durations() {
    local rc
    run_rc rc "$SUITE_PLAIN" --durations 2 --filter passes --filter hangs_with_own_limit \
        --filter tmp_is_empty > d.out
    sed -n '/^slowest 2 cases:$/,$p' d.out > d.list
    [ "$(wc -l < d.list)" = 3 ] || fail_now "--durations 2: expected a header and 2 lines: $(cat d.out)"
    grep -Eq '^ +[0-9.]+ s  hangs_with_own_limit$' <(sed -n 2p d.list) ||
        fail_now "--durations: the 0.3 s case is not first: $(cat d.list)"
    run_rc rc "$SUITE_PLAIN" --tap --durations 5 --filter passes > d.tap 2> d.err
    grep -q '^slowest 1 case:$' d.err && ! grep -q slowest d.tap || fail_now "--durations --tap: list not on stderr"
    run_rc rc "$SUITE_PLAIN" --filter passes > d0.out
    ! grep -q slowest d0.out || fail_now "no --durations, yet a list"
    run_rc rc "$SUITE_PLAIN" --durations x --list > /dev/null 2> err
    [ "$rc" = 125 ] || fail_now "--durations x: exit status $rc"
}

# --color and NO_COLOR / CLICOLOR_FORCE (stdout is a file here: auto is off).
check_color() {
    local rc esc=$'\e[' spec want got
    for spec in "always::y" "never:CLICOLOR_FORCE=1:n" "auto::n" "auto:CLICOLOR_FORCE=1:y" \
        "auto:CLICOLOR_FORCE=1 NO_COLOR=1:n" "always:NO_COLOR=1:y"; do
        IFS=: read -r c env want <<< "$spec"
        # shellcheck disable=SC2086
        run_rc rc env $env TESTCAGE_COLOR_UNUSED=1 "$SUITE_PLAIN" --color "$c" --filter passes > col.out
        got=n
        grep -qF "$esc" col.out && got=y
        [ "$got" = "$want" ] || fail_now "--color $c with '$env': colour $got, expected $want"
    done
    run_rc rc env TESTCAGE_COLOR=always "$SUITE_PLAIN" --filter passes > col.out
    grep -qF "$esc" col.out || fail_now "TESTCAGE_COLOR=always: no colour"
    run_rc rc "$SUITE_PLAIN" --color sometimes --list > /dev/null 2> err
    [ "$rc" = 125 ] && [ "$(wc -l < err)" = 1 ] || fail_now "--color sometimes: exit $rc, expected 125"
}

# GITHUB_ACTIONS=true: ::error per failure with file and line (relative to
# GITHUB_WORKSPACE), ::warning per leak; the rest of the output unchanged.
check_annotations() {
    local rc ws
    ws=$(cd "$CHECK_DIR/../.." && pwd)
    run_rc rc env GITHUB_ACTIONS=true GITHUB_WORKSPACE="$ws" "$SUITE_PLAIN" "${QUICK[@]}" > gha.out
    [ "$rc" = 1 ] || fail_now "annotations run: exit status $rc"
    grep -Eq '^::error file=tests/suite/plain_suite\.c,line=[0-9]+::fails_by_message: ' gha.out ||
        fail_now "no ::error for fails_by_message: $(grep '^::' gha.out)"
    grep -q '^::warning::leaks_tmp_file: leaked file /tmp/' gha.out || fail_now "no ::warning for the leaked file"
    run_rc rc "$SUITE_PLAIN" "${QUICK[@]}" > plain.out
    ! grep -q '^::' plain.out || fail_now "annotations without GITHUB_ACTIONS"
    grep -v '^::' gha.out > gha.rest
    verdicts console gha.rest > a
    verdicts console plain.out > b
    same b a "annotations changed the console report"
}

# The rounds suite leaves its trace in a directory under the build tree: the
# cage's /tmp (where $T is) is new for every run.
rounds_work() {
    W=$(mktemp -d -p "$ROUNDS_WORK" rounds.XXXXXX)
    trap 'rm -rf "$T" "$W"' EXIT
    export ROUNDS_LOG=$W/log ROUNDS_COUNTER=$W/counter
}
# The case names of the trace, one line.
traced() { cut -d' ' -f1 "$ROUNDS_LOG" | paste -sd' '; }
bad_value() { # bad_value ARGS...: exit 125 with a one-line error
    local rc
    run_rc rc "$@" > /dev/null 2> bad.err
    [ "$rc" = 125 ] && [ "$(wc -l < bad.err)" = 1 ] ||
        fail_now "'$*': exit $rc, expected 125 and one line: $(cat bad.err)"
}

# --repeat N: every selected case runs N times in rounds, each run in a new
# cage, reported as NAME#k in every format; the summary counts the runs and
# the distinct failing cases.
check_repeat() {
    local rc
    rounds_work
    run_rc rc "$SUITE_ROUNDS" --repeat 3 --filter 'logs_*' --json r.json --junit r.xml > r.out
    [ "$rc" = 0 ] || fail_now "--repeat 3 of passing cases: exit status $rc"
    [ "$(traced)" = "logs_a logs_b logs_a logs_b logs_a logs_b" ] || fail_now "--repeat 3 ran: $(traced)"
    [ "$(grep -c 'caged=1 .* fresh_tmp=1$' "$ROUNDS_LOG")" = 6 ] ||
        fail_now "--repeat: a run did not get a new cage: $(cat "$ROUNDS_LOG")"
    verdicts json r.json | paste -sd' ' > got
    echo "logs_a#1 pass logs_b#1 pass logs_a#2 pass logs_b#2 pass logs_a#3 pass logs_b#3 pass" > want
    same want got "--repeat 3: JSON runs"
    json_expr r.json 'd["summary"]["total"] == 6 and d["rounds"] == 3 and d["failing_cases"] == 0' ||
        fail_now "--repeat 3: JSON summary"
    [ "$(verdicts junit r.xml | paste -sd' ')" = "$(cat want)" ] || fail_now "--repeat 3: JUnit runs"
    grep -q '<property name="rounds" value="3"/>' r.xml || fail_now "--repeat 3: JUnit has no rounds"
    "$XMLLINT" --noout --schema "$JUNIT_XSD" r.xml 2> /dev/null || fail_now "--repeat: JUnit invalid"
    grep -q '3 rounds: 6 runs, 0 distinct failing tests' r.out || fail_now "--repeat 3: console summary"
    # A failing case: every run is reported, it counts once as a distinct case.
    : > "$ROUNDS_LOG"
    run_rc rc env TESTCAGE_REPEAT=2 "$SUITE_ROUNDS" --filter asserts --filter logs_a --tap > r.tap
    [ "$rc" = 1 ] || fail_now "TESTCAGE_REPEAT=2 with a failing case: exit status $rc"
    [ "$(traced)" = "logs_a asserts logs_a asserts" ] || fail_now "TESTCAGE_REPEAT=2 ran: $(traced)"
    grep -q '^1\.\.4$' r.tap || fail_now "--repeat 2 of 2 cases: TAP plan is not 1..4"
    # TAP escapes '#' in a description as '\#'.
    verdicts tap r.tap | sed 's/\\#/#/g' | paste -sd' ' > got
    echo "logs_a#1 pass asserts#1 fail logs_a#2 pass asserts#2 fail" > want
    same want got "TESTCAGE_REPEAT=2: TAP runs"
    run_rc rc "$SUITE_ROUNDS" --repeat 2 --filter asserts --filter logs_a --json f.json > f.out
    json_expr f.json 'd["summary"]["failed"] == 2 and d["failing_cases"] == 1' ||
        fail_now "--repeat 2: JSON failing_cases"
    grep -q '2 rounds: 4 runs, 1 distinct failing test$' f.out || fail_now "--repeat 2: console summary"
    # cmocka: each group's cases, round by round.
    run_rc rc "$SUITE_CMOCKA" --repeat 2 --filter basic/passes --filter isolation/mutates_state \
        --json c.json > /dev/null
    [ "$rc" = 0 ] || fail_now "cmocka --repeat 2: exit status $rc"
    [ "$(verdicts json c.json | paste -sd' ')" = "basic/passes#1 pass basic/passes#2 pass isolation/mutates_state#1 pass isolation/mutates_state#2 pass" ] ||
        fail_now "cmocka --repeat 2: $(verdicts json c.json | paste -sd' ')"
    for b in "--repeat 0" "--repeat x" "--repeat 1000001" "--repeat -1"; do
        # shellcheck disable=SC2086
        bad_value "$SUITE_ROUNDS" $b --list
    done
    bad_value env TESTCAGE_REPEAT=two "$SUITE_ROUNDS" --list
}

# --until-fail N: rounds until a case fails, at most N; the failing round ends
# the run (exit 1) and is named.
check_until_fail() {
    local rc
    rounds_work
    run_rc rc "$SUITE_ROUNDS" --until-fail 10 --filter logs_a --filter third_run_fails \
        --json u.json --tap > u.tap 2> u.err
    [ "$rc" = 1 ] || fail_now "--until-fail 10: exit status $rc, expected 1"
    grep -qx 'testcage: --until-fail: third_run_fails failed in round 3 (of at most 10)' u.err ||
        fail_now "--until-fail: the failing round is not named: $(cat u.err)"
    [ "$(cat "$ROUNDS_COUNTER")" = 3 ] || fail_now "--until-fail: third_run_fails ran $(cat "$ROUNDS_COUNTER") times"
    [ "$(traced)" = "logs_a logs_a logs_a" ] || fail_now "--until-fail: logs_a ran: $(traced)"
    verdicts json u.json | paste -sd' ' > got
    echo "logs_a#1 pass third_run_fails#1 pass logs_a#2 pass third_run_fails#2 pass logs_a#3 pass third_run_fails#3 fail" > want
    same want got "--until-fail: the runs"
    json_expr u.json 'd["rounds"] == 3 and d["failing_cases"] == 1 and c["third_run_fails#3"]["failures"][0]["message"] == "failed on run 3"' ||
        fail_now "--until-fail: JSON rounds or message"
    grep -q '^1\.\.6$' u.tap && [ "$(tail -1 u.tap)" = "1..6" ] || fail_now "--until-fail: the TAP plan is not last"
    # No failure within N rounds: exit 0, said so.
    rm -f "$ROUNDS_COUNTER"
    : > "$ROUNDS_LOG"
    run_rc rc env TESTCAGE_UNTIL_FAIL=2 "$SUITE_ROUNDS" --filter logs_a --filter third_run_fails > /dev/null 2> n.err
    [ "$rc" = 0 ] || fail_now "TESTCAGE_UNTIL_FAIL=2: exit status $rc, expected 0"
    grep -qx 'testcage: --until-fail: no case failed in 2 rounds' n.err || fail_now "--until-fail 2: $(cat n.err)"
    [ "$(cat "$ROUNDS_COUNTER")" = 2 ] && [ "$(traced)" = "logs_a logs_a" ] ||
        fail_now "TESTCAGE_UNTIL_FAIL=2: not exactly 2 rounds"
    # -j 2: the same round stops the run.
    rm -f "$ROUNDS_COUNTER"
    run_rc rc "$SUITE_ROUNDS" -j 2 --until-fail 5 --filter third_run_fails > /dev/null 2> j.err
    [ "$rc" = 1 ] && grep -q 'failed in round 3 ' j.err && [ "$(cat "$ROUNDS_COUNTER")" = 3 ] ||
        fail_now "-j 2 --until-fail 5: exit $rc, $(cat j.err)"
    bad_value "$SUITE_ROUNDS" --until-fail 0 --list
    bad_value env TESTCAGE_UNTIL_FAIL=-3 "$SUITE_ROUNDS" --list
}

# --no-cage: the cases run one after another in the runner's own process;
# failed assertions and skips are reported and the run goes on; one stderr
# line says isolation is off.
check_no_cage() {
    local rc pid
    rounds_work
    "$SUITE_ROUNDS" --no-cage --filter logs_a --filter asserts --filter skips --filter logs_b \
        --json n.json > n.out 2> n.err &
    pid=$!
    run_rc rc wait "$pid"
    [ "$rc" = 1 ] || fail_now "--no-cage with a failing case: exit status $rc"
    [ "$(traced)" = "logs_a asserts skips logs_b" ] || fail_now "--no-cage ran: $(traced)"
    [ "$(grep -c "caged=0 pid=$pid " "$ROUNDS_LOG")" = 4 ] ||
        fail_now "--no-cage: not every case ran in the runner (pid $pid): $(cat "$ROUNDS_LOG")"
    [ "$(grep -c 'isolation is off' n.err)" = 1 ] && head -1 n.err | grep -q '^testcage: --no-cage: isolation is off' ||
        fail_now "--no-cage: no single isolation notice first on stderr: $(cat n.err)"
    verdicts json n.json | paste -sd' ' > got
    echo "logs_a pass asserts fail skips skip logs_b pass" > want
    same want got "--no-cage: verdicts"
    json_expr n.json 'c["asserts"]["failures"][0]["message"] == "assertion failed: 2 + 2 == 5" and c["asserts"]["failures"][0]["file"].endswith("rounds_suite.c") and c["skips"]["skip_reason"] == "not today" and not c["logs_a"]["isolated"]' ||
        fail_now "--no-cage: failure message, skip reason or isolated flag"
    # The same cases caged, for contrast; and TESTCAGE_NO_CAGE with --repeat.
    : > "$ROUNDS_LOG"
    run_rc rc "$SUITE_ROUNDS" --filter logs_a > /dev/null 2> c.err
    grep -q 'caged=1' "$ROUNDS_LOG" && ! grep -q 'isolation is off' c.err || fail_now "caged run: $(cat "$ROUNDS_LOG")"
    : > "$ROUNDS_LOG"
    run_rc rc env TESTCAGE_NO_CAGE=1 "$SUITE_ROUNDS" --repeat 2 --filter logs_a --filter logs_b > /dev/null 2>&1
    [ "$rc" = 0 ] && [ "$(traced)" = "logs_a logs_b logs_a logs_b" ] && [ "$(grep -c caged=0 "$ROUNDS_LOG")" = 4 ] ||
        fail_now "TESTCAGE_NO_CAGE=1 --repeat 2: exit $rc, ran $(traced)"
    # cmocka: its assertion longjmps back, the message comes from its stderr.
    run_rc rc "$SUITE_CMOCKA" --no-cage --filter basic/passes --filter basic/fails \
        --filter basic/skips --json cm.json > /dev/null 2>&1
    [ "$rc" = 1 ] || fail_now "cmocka --no-cage: exit status $rc"
    [ "$(verdicts json cm.json | paste -sd' ')" = "basic/passes pass basic/fails fail basic/skips skip" ] ||
        fail_now "cmocka --no-cage: $(verdicts json cm.json | paste -sd' ')"
    json_expr cm.json 'c["basic/fails"]["failures"][0]["message"] == "0x29 != 0x2a"' ||
        fail_now "cmocka --no-cage: the assertion message is lost"
    bad_value "$SUITE_ROUNDS" --no-cage --exec --list
    bad_value "$SUITE_ROUNDS" --no-cage --valgrind --list
    bad_value "$SUITE_ROUNDS" --no-cage --require-isolation --list
    bad_value env TESTCAGE_NO_CAGE=maybe "$SUITE_ROUNDS" --list
}

# gdb --args ./suite --no-cage --filter NAME stops at a breakpoint in the case.
check_no_cage_gdb() {
    local rc
    # LeakSanitizer cannot run under ptrace; the other sanitizers can.
    run_rc rc env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        gdb -batch -nx -ex 'break rounds_breakpoint' -ex run -ex bt -ex 'print n' -ex continue \
        --args "$SUITE_ROUNDS" --no-cage --filter stops_in_gdb > gdb.out 2>&1
    grep -q '^Breakpoint 1, .*rounds_breakpoint' gdb.out || fail_now "gdb did not stop in the case: $(cat gdb.out)"
    grep -q 'testcage_case_stops_in_gdb' gdb.out || fail_now "the backtrace does not show the case: $(cat gdb.out)"
    grep -q '^\$1 = 42$' gdb.out || fail_now "gdb cannot read the case's argument: $(cat gdb.out)"
    grep -q 'exited normally' gdb.out || fail_now "the run did not finish after continue: $(cat gdb.out)"
    # Caged, the case runs in a child gdb does not follow: that is why --no-cage exists.
    run_rc rc env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        gdb -batch -nx -ex 'break rounds_breakpoint' -ex run --args "$SUITE_ROUNDS" \
        --filter stops_in_gdb > caged.out 2>&1
    grep -q 'exited normally' caged.out && ! grep -q '^Breakpoint 1, ' caged.out ||
        fail_now "caged under gdb: $(cat caged.out)"
}

# Discovery (a child that runs main() again) only where the run needs every
# group's cases at its start: --list, TAP, --shard, JUnit and JSON. A plain
# console run and --run NAME go without it; a teardown signal discovers the
# groups still to come then. suite_discovery logs "after GROUP PID" after
# each of its calls, so the log shows who ran main() past them.
disc_run() { # disc_run ARGS...: DISC_PID, DISC_RC; output in disc.out, disc.err
    : > disc.log
    DISCOVERY_LOG=$T/disc.log "$SUITE_DISC" --timeout 20 "$@" > disc.out 2> disc.err &
    DISC_PID=$!
    run_rc DISC_RC wait "$DISC_PID"
}
disc_lines() { # disc_lines runner|child: the log's lines of the runner or of others
    local flag=-v
    [ "$1" = runner ] && flag=
    grep -c $flag " $DISC_PID\$" disc.log || true
}
check_discovery() {
    local args rc
    disc_run --filter '*/passes'
    [ "$DISC_RC" = 0 ] && [ "$(disc_lines runner)" = 2 ] && [ "$(disc_lines child)" = 0 ] ||
        fail_now "a plain run: exit $DISC_RC, log: $(cat disc.log)"
    grep -q '2 tests ran' disc.out || fail_now "a plain run: $(cat disc.out)"
    disc_run --run second/passes
    [ "$DISC_RC" = 0 ] && [ "$(disc_lines child)" = 0 ] && grep -q 'OK \] second/passes' disc.out ||
        fail_now "--run second/passes: exit $DISC_RC, log: $(cat disc.log), $(cat disc.out)"
    # --run naming no case: one line, 125 (found out at the end, as nothing discovered).
    disc_run --run second/nope
    [ "$DISC_RC" = 125 ] && [ "$(cat disc.err)" = "suite_discovery: no test case named 'second/nope'" ] ||
        fail_now "--run second/nope: exit $DISC_RC, stderr: $(cat disc.err)"
    run_rc rc "$SUITE_PLAIN" --run nope > /dev/null 2> plain.err
    [ "$rc" = 125 ] && [ "$(cat plain.err)" = "suite_plain: no test case named 'nope'" ] ||
        fail_now "plain --run nope: exit $rc, stderr: $(cat plain.err)"
    for args in "--list" "--tap" "--shard 1/2" "--junit $T/d.xml" "--json $T/d.json"; do
        # shellcheck disable=SC2086 # the words of one case
        disc_run --filter '*/passes' $args
        [ "$(disc_lines child)" = 2 ] || fail_now "$args: discovery did not run: $(cat disc.log)"
    done
    disc_run --list
    printf '%s\n' first/passes first/waits second/passes second/waits > want
    same want disc.out "--list"
    disc_run --tap --filter '*/passes'
    head -2 disc.out | tail -1 | grep -qx '1\.\.2' || fail_now "--tap: the plan is not first: $(cat disc.out)"
    # A teardown signal in the first group: the second group's cases are
    # still reported, as not run (discovered then, in a child).
    : > disc.log
    DISCOVERY_LOG=$T/disc.log "$SUITE_DISC" -v --timeout 60 > disc.out 2>&1 &
    DISC_PID=$!
    wait_for_line disc.out "[ RUN      ] first/waits" || fail_now "first/waits never started"
    kill -TERM "$DISC_PID"
    run_rc DISC_RC wait "$DISC_PID"
    [ "$DISC_RC" = 143 ] || fail_now "SIGTERM: exit $DISC_RC"
    for c in second/passes second/waits; do
        grep -q "SKIPPED  \] $c: not run: interrupted by SIGTERM" disc.out ||
            fail_now "SIGTERM: $c is not reported as not run: $(cat disc.out)"
    done
    [ "$(disc_lines runner)" = 0 ] && [ "$(disc_lines child)" = 2 ] ||
        fail_now "SIGTERM: the rest was not discovered in a child: $(cat disc.log)"
}

"check_$1"
echo "PASS: $1"
