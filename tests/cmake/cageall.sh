#!/usr/bin/env bash
# cageall.sh MODULE - the cage-everything switch for CMake 3.25: a project with
# plain add_test() in every form, configured with -DCMAKE_PROJECT_INCLUDE=MODULE;
# every test must really run in a cage, and nothing it writes reaches the host.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MODULE=${1:?usage: cageall.sh MODULE}
fresh "$SCRATCH"
sentinel=$(mktemp /tmp/testcage-cageall-sentinel.XXXXXX)
trap 'rm -f "$sentinel"' EXIT
rm -f /tmp/cageall-marker-*
export CAGEALL_SENTINEL=$sentinel

# Control: without the module the probes notice they are not caged.
run_logged "$SCRATCH/plain.log" cmake -S "$HERE/cageall" -B "$SCRATCH/plain"
run_logged "$SCRATCH/plain.log" cmake --build "$SCRATCH/plain" -j "$JOBS"
if ctest --test-dir "$SCRATCH/plain" >"$SCRATCH/plain-ctest.log" 2>&1; then
    fail_now "the probes passed without a cage: they prove nothing"
fi
rm -f /tmp/cageall-marker-*

# With the module: every form is caged.
run_logged "$SCRATCH/caged.log" cmake -S "$HERE/cageall" -B "$SCRATCH/caged" \
    "-DCMAKE_PROJECT_INCLUDE=$MODULE"
expect_file_regex "$SCRATCH/caged.log" "testcage: every add_test\(\) is caged" "module announced"
run_logged "$SCRATCH/caged.log" cmake --build "$SCRATCH/caged" -j "$JOBS"
log=$SCRATCH/caged-ctest.log
run_logged "$log" ctest --test-dir "$SCRATCH/caged" --output-on-failure -j "$JOBS" \
    --output-junit "$SCRATCH/caged.xml"
expect_file_regex "$log" "100% tests passed, 0 tests failed out of 9" "all 9 forms caged"
results=$(junit_results "$SCRATCH/caged.xml" | sort)
want=$(printf '%s run\n' before_target own_timeout script sub_target sub_two_arg \
    target_file target_name two_arg workdir | sort)
[ "$results" = "$want" ] || fail_now "junit results: $results"

# CTest's TIMEOUT sits above the cage's limit + grace.
ctest --test-dir "$SCRATCH/caged" --show-only=json-v1 >"$SCRATCH/tests.json"
python3 - "$SCRATCH/tests.json" <<'PY' || fail_now "TIMEOUT properties"
import json, sys
tests = {t["name"]: t for t in json.load(open(sys.argv[1]))["tests"]}
def prop(t, name):
    return next(p["value"] for p in tests[t]["properties"] if p["name"] == name)
assert prop("own_timeout", "TIMEOUT") == 24, prop("own_timeout", "TIMEOUT")   # 7 + 2 + 15
assert prop("target_name", "TIMEOUT") == 1517, prop("target_name", "TIMEOUT")  # 1500 + 2 + 15
for name, t in tests.items():
    assert "testcage" in t["command"][0], (name, t["command"])
    assert "--" in t["command"], (name, t["command"])
PY

# Nothing the tests wrote reached the host.
if ls /tmp/cageall-marker-* >/dev/null 2>&1; then
    fail_now "a caged test's /tmp file reached the host: $(ls /tmp/cageall-marker-*)"
fi
echo "cage-all: 9 add_test forms caged"
