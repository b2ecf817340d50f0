# shellcheck shell=bash disable=SC2034
# lib.sh - helpers of the issue-7 debugging tests: setup, running, assertions, and the host
# check each test ends with (no process with its marker survives, no file in /tmp or /dev/shm).

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
    run "$TC" "$@"
}

expect_rc() {
    [[ $RC == "$1" ]] || fail "${2:+$2: }expected exit $1, got $RC"
}

# expect_out/expect_err FIXED-STRING [what]; expect_no_out/expect_no_err likewise.
expect_out() {
    grep -qF -- "$1" "$OUT" || fail "${2:-stdout}: expected '$1'"
}
expect_no_out() {
    ! grep -qF -- "$1" "$OUT" || fail "${2:-stdout}: unexpected '$1'"
}
expect_err() {
    grep -qF -- "$1" "$ERR" || fail "${2:-stderr}: expected '$1'"
}
expect_no_err() {
    ! grep -qF -- "$1" "$ERR" || fail "${2:-stderr}: unexpected '$1'"
}

# wait_for_line FILE FIXED-STRING: waits up to 10 s for the string to appear in FILE.
wait_for_line() {
    local i
    for ((i = 0; i < 200; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "'$2' never appeared in $1"
    return 1
}

# Host pids whose command line contains the marker (never pgrep itself).
marked_pids() {
    pgrep -f -- "$1" || true
}

# check_host MARK: nothing of MARK survives on the host, neither process nor file.
check_host() {
    local mark=$1 pids files
    pids=$(marked_pids "$mark")
    if [[ -n $pids ]]; then
        sleep 0.5 # testcage has exited; the kernel may still be tearing the cage down
        pids=$(marked_pids "$mark")
        if [[ -n $pids ]]; then
            fail "processes marked $mark survived on the host:"
            # shellcheck disable=SC2086
            ps -o pid,ppid,stat,args -p "$(echo $pids | tr ' ' ,)" >&2 || true
            # shellcheck disable=SC2086
            kill -9 $pids 2>/dev/null || true
        fi
    fi
    files=$(find /tmp /dev/shm -maxdepth 4 -name "*$mark*" 2>/dev/null || true)
    if [[ -n $files ]]; then
        fail "files marked $mark reached the host: $files"
        # shellcheck disable=SC2086
        rm -rf $files
    fi
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

# json_field FILE KEY: KEY of the first case of a --json report, as JSON text.
json_field() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps(d["cases"][0].get(sys.argv[2], "(missing)")))' "$1" "$2" 2>&1 || true
}
