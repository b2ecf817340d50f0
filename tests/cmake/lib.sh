# lib.sh - helpers for the CMake consumer tests: scratch dirs under the build
# tree, quiet cmake/ctest runs whose logs are shown only on failure.
set -euo pipefail

: "${TESTCAGE_SOURCE_DIR:?}" "${TESTCAGE_BUILD_DIR:?}" "${SCRATCH:?}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JOBS=${JOBS:-2}
# fail_now, run_logged, expect_file_regex and the rest.
# shellcheck source=../shell/common.sh
source "$HERE/../shell/common.sh"

# fresh DIR: an empty scratch directory.
fresh() {
    rm -rf "$1"
    mkdir -p "$1"
}

# junit_results FILE: "name status" per test case of ctest --output-junit.
junit_results() {
    python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
for tc in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    status = tc.get("status")
    if tc.find("skipped") is not None:
        status = "skipped"
    elif tc.find("failure") is not None:
        status = "failed"
    print(tc.get("name"), status)
PY
}
