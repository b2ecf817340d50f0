#!/usr/bin/env bash
# bazel.sh - the README's cc_test under Debian's bazel-bootstrap, offline (the
# repositories Bazel would download are local stand-ins): shard_count = 3
# covers every case once with a testsuite name per shard, --test_filter
# selects, each case's TEST_TMPDIR is its own and Bazel's stays empty, and at
# TEST_TIMEOUT the cage reports the hang, or with a longer --timeout Bazel's
# SIGTERM still leaves test.xml listing every selected case.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v bazel > /dev/null || fail_now "bazel not found (scripts/setup.sh installs bazel-bootstrap)"
fresh "$SCRATCH"
install_prefix "$SCRATCH/prefix"
project bazel
WS=$SCRATCH/bazel
cp "$TESTCAGE_SOURCE_DIR/tests/suite/bazel_suite.c" "$WS/"
cp -r "$SCRATCH/prefix/include" "$SCRATCH/prefix/lib" "$WS/third_party/testcage/"

# rules_cc, rules_java and remote_coverage_tools, which Bazel 4 fetches even
# for a cc_test: native rules behind the names it loads.
STUBS=$SCRATCH/stubs
stub() { # stub REPO DIR RULE...: DIR/defs.bzl forwarding each RULE to native
    mkdir -p "$STUBS/$1/$2"
    echo "workspace(name = \"$1\")" > "$STUBS/$1/WORKSPACE"
    touch "$STUBS/$1/BUILD" "$STUBS/$1/$2/BUILD"
    local repo=$1 dir=$2 r
    shift 2
    for r in "$@"; do
        printf 'def %s(**kwargs):\n    native.%s(**kwargs)\n\n' "$r" "$r"
    done > "$STUBS/$repo/$dir/defs.bzl"
}
stub rules_cc cc cc_binary cc_library cc_test cc_import cc_toolchain cc_toolchain_suite \
    cc_proto_library objc_library
stub rules_java java java_binary java_import java_library java_runtime java_toolchain java_test
mkdir -p "$STUBS/remote_coverage_tools"
echo 'workspace(name = "remote_coverage_tools")' > "$STUBS/remote_coverage_tools/WORKSPACE"
printf '#!/bin/sh\nexit 0\n' > "$STUBS/remote_coverage_tools/none.sh"
chmod +x "$STUBS/remote_coverage_tools/none.sh"
echo '[sh_binary(name = n, srcs = ["none.sh"], visibility = ["//visibility:public"])
 for n in ["coverage_report_generator", "lcov_merger"]]' > "$STUBS/remote_coverage_tools/BUILD"

ROOT=$SCRATCH/root
bz() { (cd "$WS" && bazel --output_user_root="$ROOT" --max_idle_secs=60 "$@"); }
trap 'bz shutdown > /dev/null 2>&1 || true' EXIT
# Bazel's default linux-sandbox: the cage runs inside its user namespace
# (the body's nested one maps the sandbox's own ids).
OPTS=(--override_repository=rules_cc="$STUBS/rules_cc"
    --override_repository=rules_java="$STUBS/rules_java"
    --override_repository=remote_coverage_tools="$STUBS/remote_coverage_tools"
    --nocache_test_results)
LOGS=$ROOT/logs
bz_test() { # bz_test WANT-RC LOG ARGS...
    local want=$1 log=$2 rc
    shift 2
    run_rc rc bz test "${OPTS[@]}" "$@" //:bazel_suite > "$SCRATCH/$log" 2>&1
    [ "$rc" = "$want" ] || { tail -40 "$SCRATCH/$log" >&2; fail_now "bazel test $*: exit $rc, expected $want"; }
    rm -rf "$LOGS" && cp -rL "$WS/bazel-testlogs/bazel_suite" "$LOGS"
}
xml_cases() { # the "suite name status" of every <testcase> of the shards' test.xml
    python3 - "$LOGS"/shard_*_of_3/test.xml <<'PY'
import sys, xml.etree.ElementTree as ET
for f in sys.argv[1:]:
    for s in ET.parse(f).getroot().iter("testsuite"):
        for tc in s.iter("testcase"):
            print(s.get("name"), tc.get("name"), tc.get("status"))
PY
}

bz_test 0 all.log --test_filter=-hangs --test_arg=-v
xml_cases > got
printf '%s\n' "bazel_suite_shard_1/3 quick_1 pass" "bazel_suite_shard_1/3 quick_4 pass" \
    "bazel_suite_shard_1/3 tmpdir_a pass" "bazel_suite_shard_2/3 quick_2 pass" \
    "bazel_suite_shard_2/3 tmpdir_b pass" "bazel_suite_shard_3/3 quick_3 pass" > want
diff -u want <(sort got) >&2 || fail_now "the shards' test.xml: not every case once, or names"
for s in 1 2; do
    expect_file_regex "$LOGS/shard_${s}_of_3/test.log" '^TEST_TMPDIR=/tmp ' "shard $s: TEST_TMPDIR"
    expect_file_regex "$LOGS/shard_${s}_of_3/test.log" 'leaked file /tmp/left-by-case' "shard $s: leak"
done
left=$(find "$(bz info execution_root 2> /dev/null)/_tmp" -type f)
[ -z "$left" ] || fail_now "files left in Bazel's TEST_TMPDIR: $left"

# TEST_TIMEOUT=6: the hang (shard 3, with quick_3) ends by its cage after 3 s.
bz_test 3 timeout.log --test_filter=hangs:quick_3 --test_timeout=6
xml_cases | grep shard_3 > got
printf '%s\n' "bazel_suite_shard_3/3 hangs timeout" "bazel_suite_shard_3/3 quick_3 skip" > want
diff -u want got >&2 || fail_now "TEST_TIMEOUT: verdicts"
grep -q 'not run: Bazel&apos;s TEST_TIMEOUT of 6 s was used up' "$LOGS/shard_3_of_3/test.xml" ||
    grep -q "not run: Bazel's TEST_TIMEOUT of 6 s was used up" "$LOGS/shard_3_of_3/test.xml" ||
    fail_now "TEST_TIMEOUT: quick_3's reason: $(cat "$LOGS/shard_3_of_3/test.xml")"
grep -q 'FAILED in' "$SCRATCH/timeout.log" || fail_now "TEST_TIMEOUT: Bazel did not see a failure"

# --timeout 30 is not capped: Bazel's SIGTERM at 3 s ends the run.
bz_test 3 sigterm.log --test_filter=hangs:quick_3 --test_timeout=3 --test_arg=--timeout=30
grep -q 'TIMEOUT in' "$SCRATCH/sigterm.log" || fail_now "SIGTERM: Bazel saw no timeout"
xml_cases | grep shard_3 > got
diff -u want got >&2 || fail_now "SIGTERM: test.xml is not the runner's, with every case"
grep -q '<error message="interrupted after' "$LOGS/shard_3_of_3/test.xml" ||
    fail_now "SIGTERM: the hang is not reported as interrupted"
grep -q '<skipped message="not run: interrupted by SIGTERM"' "$LOGS/shard_3_of_3/test.xml" ||
    fail_now "SIGTERM: quick_3 not reported as not run"
echo "PASS: bazel"
