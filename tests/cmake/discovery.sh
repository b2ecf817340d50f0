#!/usr/bin/env bash
# discovery.sh - testcage_discover_tests(): one CTest test per listed case,
# PRE_TEST discovery at ctest time, and discovery failures that fail the
# build loudly and never leave silent or stale tests behind.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fresh "$SCRATCH"
B=$SCRATCH/build
cfg=(-S "$HERE/discovery" -B "$B" "-DTestCage_DIR=$TESTCAGE_BUILD_DIR/cmake")
unset FAKE_CAN_RUN

run_logged "$SCRATCH/configure.log" cmake "${cfg[@]}"
run_logged "$SCRATCH/build.log" cmake --build "$B" -j "$JOBS"

# POST_BUILD: the cases are known right after the build, names quoted right.
log=$SCRATCH/good.log
run_logged "$log" ctest --test-dir "$B" -R '^good\.' --output-on-failure --output-junit "$B/good.xml"
expect_file_regex "$log" "100% tests passed, 0 tests failed out of 4" "4 good cases"
results=$(junit_results "$B/good.xml" | sort)
want=$'good.alpha/one run\ngood.alpha/two run\ngood.beta/skips skipped\ngood.odd name [x]=] run'
[ "$results" = "$want" ] || fail_now "junit results: $results"
ctest --test-dir "$B" -R '^good\.alpha/one$' -V >"$SCRATCH/one.log" 2>&1
expect_file_regex "$SCRATCH/one.log" "env TESTCAGE_TIMEOUT=3$" "TIMEOUT passed to the runner"
expect_file_regex "$SCRATCH/one.log" "arg -v" "EXTRA_ARGS passed to the runner"
ctest --test-dir "$B" --show-only=json-v1 >"$SCRATCH/tests.json"
python3 - "$SCRATCH/tests.json" <<'PY' || fail_now "test properties"
import json, sys
tests = {t["name"]: t for t in json.load(open(sys.argv[1]))["tests"]}
props = {p["name"]: p["value"] for p in tests["good.alpha/one"]["properties"]}
assert props["TIMEOUT"] == 19, props       # 3 + 1 + 15
assert props["LABELS"] == ["fake"], props
assert props["SKIP_RETURN_CODE"] == 77, props
assert tests["good.alpha/one"]["command"][1:4] == ["--run", "alpha/one", "-v"], tests["good.alpha/one"]["command"]
PY

# PRE_TEST: the binary cannot list at build time (no FAKE_CAN_RUN) ...
log=$SCRATCH/pre-fail.log
if ctest --test-dir "$B" -R '^pre' --output-on-failure >"$log" 2>&1; then
    fail_now "PRE_TEST discovery failure went unnoticed"
fi
expect_file_regex "$log" "pretest_NOT_DISCOVERED" "a failing placeholder test"
expect_file_regex "$log" "cannot run here: FAKE_CAN_RUN is not set" "the runner's own words"
# ... and discovers when ctest runs where it can.
log=$SCRATCH/pre.log
FAKE_CAN_RUN=1 run_logged "$log" ctest --test-dir "$B" -R '^pre\.' --output-on-failure
expect_file_regex "$log" "100% tests passed, 0 tests failed out of 4" "PRE_TEST cases"

# POST_BUILD failure: the build fails and shows what the runner said.
log=$SCRATCH/bad-build.log
run_logged "$SCRATCH/configure.log" cmake "${cfg[@]}" -DWITH_FAILING=ON
if cmake --build "$B" -j "$JOBS" >"$log" 2>&1; then
    fail_now "a runner that cannot list did not fail the build"
fi
expect_file_regex "$log" "testcage_discover_tests\(bad\):" "the function named"
expect_file_regex "$log" "command: .*/bad --list" "the failed command"
expect_file_regex "$log" "result: exit status 3" "its exit status"
expect_file_regex "$log" "boom: this runner cannot list" "the runner's output"
# Building again does not hide it: until discovery works, ctest fails.
cmake --build "$B" -j "$JOBS" >"$SCRATCH/rebuild.log" 2>&1 || true
log=$SCRATCH/bad-ctest.log
if ctest --test-dir "$B" -R '^bad' --output-on-failure >"$log" 2>&1; then
    fail_now "ctest passed with an undiscovered suite"
fi
expect_file_regex "$log" "bad_NOT_DISCOVERED" "a failing placeholder test"

# A hanging --list fails the build after DISCOVERY_TIMEOUT, not never.
log=$SCRATCH/slow-build.log
run_logged "$SCRATCH/configure.log" cmake "${cfg[@]}" -DWITH_FAILING=OFF -DWITH_HANG=ON
start=$(date +%s)
if timeout 120 cmake --build "$B" -j "$JOBS" >"$log" 2>&1; then
    fail_now "a hanging --list did not fail the build"
fi
[ $(($(date +%s) - start)) -lt 60 ] || fail_now "DISCOVERY_TIMEOUT not enforced"
expect_file_regex "$log" "testcage_discover_tests\(slow\):" "the function named"
expect_file_regex "$log" "result: timed out after 2 s \(DISCOVERY_TIMEOUT\)" "the timeout named"
expect_file_regex "$log" "alpha/one" "output before the hang is shown"
echo "discovery: POST_BUILD, PRE_TEST and loud failures behave"
