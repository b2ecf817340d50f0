# shellcheck shell=bash disable=SC2034
# lib.sh - the debugging tests' setup and end on top of ../shell/common.sh: the arguments, a
# work directory, `cage` (run_cmd of the CLI), and the host check each test ends with.

# shellcheck source=../shell/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"

# Arguments of every script: TESTCAGE_CLI DBG_PROG ENTER_SELF
dbg_setup() {
    T_NAME=$1
    TC=${2:?path of the testcage CLI}
    PROG=${3:?path of tc_dbg_prog}
    ENTER_SELF=${4:?path of tc_enter_self}
    if [[ $(id -u) != 0 ]]; then
        echo "FAIL: $T_NAME must run as root (CI is root); refusing to pass silently" >&2
        exit 1
    fi
    local f
    for f in "$TC" "$PROG" "$ENTER_SELF"; do
        [[ -x $f ]] || {
            echo "FAIL: $f is not an executable file" >&2
            exit 1
        }
    done
    TC=$(realpath "$TC")
    PROG=$(realpath "$PROG")
    ENTER_SELF=$(realpath "$ENTER_SELF")
    MARK="tcdbg-$T_NAME-$$-$RANDOM"
    WORK=$(mktemp -d "$PWD/work.$T_NAME.XXXXXX")
    OUT=$WORK/out
    ERR=$WORK/err
    : >"$OUT"
    : >"$ERR"
    TC_FAILED=0
    T_HOST_FILES=()
    T_BG=()
    trap dbg_finish EXIT
}

cage() {
    run_cmd "$TC" "$@"
}

dbg_finish() {
    local rc=$? p
    trap - EXIT
    TC_LAST=
    for p in "${T_BG[@]}"; do
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    ((${#T_HOST_FILES[@]} == 0)) || rm -rf "${T_HOST_FILES[@]}"
    cd /
    check_host "$MARK"
    if [[ $rc != 0 && $TC_FAILED == 0 ]]; then
        echo "FAIL: $T_NAME: script error (exit $rc)" >&2
        TC_FAILED=1
    fi
    rm -rf "$WORK"
    if [[ $TC_FAILED != 0 ]]; then
        echo "$T_NAME: FAILED" >&2
        exit 1
    fi
    echo "$T_NAME: ok"
    exit 0
}
