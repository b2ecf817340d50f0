# shellcheck shell=bash
# lib.sh - what every fidelity script shares: the common test library, the
# caller's runner policy kept out, a scratch directory, and a suite run
# with a chosen init.
# shellcheck source=../shell/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"

FIDELITY_DIR=$(dirname "${BASH_SOURCE[0]}")
unset TESTCAGE_FILTER TESTCAGE_JOBS TESTCAGE_JSON TESTCAGE_LEAKS TESTCAGE_EXEC TESTCAGE_WRAP \
    TESTCAGE_VALGRIND TESTCAGE_SHARD TESTCAGE_INIT CMOCKA_MESSAGE_OUTPUT CMOCKA_TEST_ABORT \
    LLVM_PROFILE_FILE
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# run_suite INIT BINARY ARG...: run_cmd with TESTCAGE_INIT=INIT, or the
# library's own choice for INIT "default".
run_suite() {
    local init=$1
    shift
    if [[ $init == default ]]; then
        run_cmd "$@"
    else
        run_cmd env TESTCAGE_INIT="$init" "$@"
    fi
}

# verdicts JSON NAME=STATUS...: every case and nothing else, with its status.
verdicts() { python3 "$FIDELITY_DIR/../hardening/check_json.py" "$@"; }
# fields JSON SPEC...: see fields.py.
fields() { python3 "$FIDELITY_DIR/fields.py" "$@"; }

# fidelity_done: ends the test, failed when any check failed.
fidelity_done() {
    [[ -z ${TC_FAILED:-} ]] || fail_now "${TC_NFAILED} check(s) failed"
}
