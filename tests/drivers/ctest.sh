#!/usr/bin/env bash
# ctest.sh - CTest runs of caged tests of all three kinds (testcage_add_test,
# testcage_discover_tests, plain add_test under the cage-all module): the
# caller's TESTCAGE_TIMEOUT and `ctest --timeout` win over the configured
# limits with the cage still firing before CTest, and a plain `ctest` run
# ends with a summary of what each test left behind.
# shellcheck source=../cmake/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cmake/lib.sh"
DRIVERS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fresh "$SCRATCH"
B=$SCRATCH/build
run_logged "$SCRATCH/configure.log" cmake -S "$DRIVERS/ctestproj" -B "$B" \
    "-DTestCage_DIR=$TESTCAGE_BUILD_DIR/cmake" \
    "-DCMAKE_PROJECT_INCLUDE=$TESTCAGE_BUILD_DIR/cmake/TestCageCageAll.cmake"
run_logged "$SCRATCH/build.log" cmake --build "$B" -j "$JOBS"
slow='^(add|disc|plain)\.(default|own|sleepy)$' # sleep 2 s, then pass

# verdicts LOG JUNIT: "name status" lines, and no kill by CTest itself.
verdicts() {
    ! grep -q '\*\*\*Timeout' "$1" || fail_now "CTest killed a caged test before its cage did: $(grep Timeout "$1")"
    junit_results "$2" | sort
}

# 1. Configured limits: everything passes; the summary names the leaky tests.
log=$SCRATCH/plain.log
run_logged "$log" ctest --test-dir "$B" -j 8 --output-on-failure
expect_file_regex "$log" "100% tests passed, 0 tests failed out of 8" "8 caged tests pass"
tail -n 5 "$log" >"$SCRATCH/summary.txt"
want=$'testcage: leak summary (what each test left behind in its cage):
testcage:   disc.litter: 2 files (/tmp/ctestproj-disc-N, /tmp/ctestproj-disc-N)
testcage:   add.litter: 3 files (/dev/shm/ctestproj-add-N, /dev/shm/ctestproj-add-N, /dev/shm/ctestproj-add-N)
testcage:   plain.litter: 2 files (/dev/shm/ctestproj-plain-N, /dev/shm/ctestproj-plain-N)
testcage: 3 of 8 caged tests left 7 files behind'
got=$(sed 's/-[0-9]\([,)]\)/-N\1/g' "$SCRATCH/summary.txt")
[ "$got" = "$want" ] || fail_now "leak summary:
$(diff <(echo "$want") <(echo "$got"))"

# A run without leaks says so; a filtered run counts only what ran.
log=$SCRATCH/clean.log
run_logged "$log" ctest --test-dir "$B" -R '^add\.own$'
expect_file_regex "$log" "^testcage: no leaks in 1 caged test$" "a clean run's summary"

# 2. The caller's TESTCAGE_TIMEOUT wins over every configured limit.
log=$SCRATCH/env.log
TESTCAGE_TIMEOUT=1 ctest --test-dir "$B" -j 8 -R "$slow" --output-on-failure \
    --output-junit "$SCRATCH/env.xml" >"$log" 2>&1 || true
got=$(verdicts "$log" "$SCRATCH/env.xml")
want=$(printf '%s failed\n' add.default add.own disc.sleepy plain.default plain.own | sort)
[ "$got" = "$want" ] || fail_now "TESTCAGE_TIMEOUT=1: $got"
n=$(grep -c "testcage: .*/sleeper timed out after 1 s$" "$log" || true)
[ "$n" -eq 4 ] || fail_now "TESTCAGE_TIMEOUT=1: $n of 4 CLI cages report their timeout"
expect_file_regex "$log" "\[ TIMEOUT  \] sleepy \(after 1\.[0-9] s\)" "the linked runner's timeout"

# 3. ctest --timeout replaces default limits only, as for any CTest test.
log=$SCRATCH/cli.log
ctest --test-dir "$B" -j 8 -R "$slow" --timeout 1 --output-on-failure \
    --output-junit "$SCRATCH/cli.xml" >"$log" 2>&1 || true
got=$(verdicts "$log" "$SCRATCH/cli.xml")
want=$(printf '%s\n' "add.default failed" "add.own run" "disc.sleepy failed" \
    "plain.default failed" "plain.own run" | sort)
[ "$got" = "$want" ] || fail_now "ctest --timeout 1: $got"
n=$(grep -c "testcage: .*/sleeper timed out after 1 s$" "$log" || true)
[ "$n" -eq 2 ] || fail_now "ctest --timeout 1: $n of 2 CLI cages report their timeout"

# 4. CTest's own limit follows, above the cage's limit + grace + 15 s.
timeouts() {
    python3 -c '
import json, sys
for t in json.load(sys.stdin)["tests"]:
    print(t["name"], *[int(p["value"]) for p in t["properties"] if p["name"] == "TIMEOUT"])' | sort
}
got=$(TESTCAGE_TIMEOUT=100 TESTCAGE_GRACE=3 ctest --test-dir "$B" --show-only=json-v1 | timeouts)
want=$(printf '%s 118\n' add.default add.litter add.own disc.litter disc.sleepy plain.default \
    plain.litter plain.own | sort)
[ "$got" = "$want" ] || fail_now "TESTCAGE_TIMEOUT=100 TESTCAGE_GRACE=3: CTest TIMEOUTs $got"
got=$(ctest --test-dir "$B" --timeout 40 --show-only=json-v1 | timeouts)
want=$(printf '%s\n' "add.default 57" "add.litter 57" "add.own 47" "disc.litter 57" \
    "disc.sleepy 57" "plain.default 57" "plain.litter 57" "plain.own 47" | sort)
[ "$got" = "$want" ] || fail_now "ctest --timeout 40: CTest TIMEOUTs $got"
got=$(ctest --test-dir "$B" --show-only=json-v1 | timeouts)
# (the cage-all module's TESTCAGE_TIMEOUT, 1500, is every default here)
want=$(printf '%s\n' "add.default 1517" "add.litter 1517" "add.own 47" "disc.litter 1517" \
    "disc.sleepy 1517" "plain.default 1517" "plain.litter 1517" "plain.own 47" | sort)
[ "$got" = "$want" ] || fail_now "configured CTest TIMEOUTs $got"

# 5. Under TESTCAGE_LEAKS=fail the failure says why.
log=$SCRATCH/fail.log
TESTCAGE_LEAKS=fail ctest --test-dir "$B" -R '^plain\.litter$' --output-on-failure >"$log" 2>&1 &&
    fail_now "TESTCAGE_LEAKS=fail: the leaky test passed"
expect_file_regex "$log" "testcage: .*/sleeper passed but left 2 things behind; failing under --leaks=fail" \
    "the leak policy named"
expect_file_regex "$log" "testcage: 1 of 1 caged test left 2 files behind" "the summary under fail"
echo "ctest: caller's limits win, the cage still fires first, the leak summary is right"
