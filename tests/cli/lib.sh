# shellcheck shell=bash disable=SC2034
# lib.sh - the CLI tests' setup and end on top of ../shell/common.sh: the arguments, a work
# directory, `cage` (run_cmd of the CLI), and the host check every test ends with.

# shellcheck source=../shell/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"

# Arguments of every test script: TESTCAGE_CLI HOSTILE NONS
tc_setup() {
    TC_NAME=$1
    TC=${2:?path of the testcage CLI}
    HOSTILE=${3:?path of the hostile program}
    NONS=${4:-}
    if [[ $(id -u) != 0 ]]; then
        echo "FAIL: $TC_NAME must run as root (CI is root); refusing to pass silently" >&2
        exit 1
    fi
    for f in "$TC" "$HOSTILE"; do
        [[ -x $f ]] || {
            echo "FAIL: $f is not an executable file" >&2
            exit 1
        }
    done
    # The hostile program's command name as /proc shows it (leak lines name it).
    HCOMM=$(basename "$HOSTILE" | cut -c1-15)
    MARK="tcmark-$TC_NAME-$$-$RANDOM"
    WORK=$(mktemp -d "$PWD/work.$TC_NAME.XXXXXX")
    # Three consecutive SysV IPC keys unique to this test process.
    KEY=$((0x7c000000 + (($$ & 0xfffff) << 3)))
    TC_FAILED=0
    TC_EXTRA_MARKS=()
    TC_CLEANUP=()
    trap tc_finish EXIT
    OUT=$WORK/out
    ERR=$WORK/err
    : >"$OUT"
    : >"$ERR"
}

# cage ARGS...: run the CLI.
cage() {
    run_cmd "$TC" "$@"
}

# The stderr of a bad invocation: exactly one line, prefixed, naming the culprit.
expect_one_line_error() {
    local culprit=$1 n
    n=$(wc -l <"$ERR")
    [[ $n == 1 ]] || note_fail "expected a one-line error, got $n lines"
    grep -q '^testcage: ' "$ERR" || note_fail "error does not start with 'testcage: '"
    grep -qF -- "$culprit" "$ERR" || note_fail "error does not name '$culprit'"
}

expect_le() {
    local got=$1 max=$2 what=$3
    ((got <= max)) || note_fail "$what: $got > $max"
}

# wait_marked MARK N: waits up to 5 s until at least N processes carry the marker.
wait_marked() {
    local i n
    for ((i = 0; i < 100; i++)); do
        n=$(marked_pids "$1" | wc -l)
        ((n >= $2)) && return 0
        sleep 0.05
    done
    note_fail "never saw $2 processes marked $1 (saw $n)"
    return 1
}

tc_finish() {
    local rc=$?
    trap - EXIT
    TC_LAST=
    cd /
    ((${#TC_CLEANUP[@]} == 0)) || rm -rf "${TC_CLEANUP[@]}"
    check_host "$MARK" "$KEY"
    local m
    for m in "${TC_EXTRA_MARKS[@]}"; do
        check_host "$m"
    done
    if [[ $rc != 0 && $TC_FAILED == 0 ]]; then
        echo "FAIL: $TC_NAME: script error (exit $rc) at the last command" >&2
        TC_FAILED=1
    fi
    rm -rf "$WORK"
    if [[ $TC_FAILED != 0 ]]; then
        echo "$TC_NAME: FAILED" >&2
        exit 1
    fi
    echo "$TC_NAME: ok"
    exit 0
}

# copy_for_nobody: copies the CLI (with libtestcage), hostile and nons into a new directory
# NOBODY_DIR (mode 755, removed at the end), for runs as uid 65534 (the build tree may not be
# reachable). Sets TCN, HOSTILEN, NONSN, and NOBODY_ENV (env assignments that find the copied
# library).
copy_for_nobody() {
    local dir lib
    dir=$(mktemp -d /tmp/tcbin.XXXXXX)
    TC_CLEANUP+=("$dir")
    NOBODY_DIR=$dir
    chmod 755 "$dir"
    cp "$TC" "$dir/testcage"
    cp "$HOSTILE" "$dir/hostile"
    [[ -z $NONS ]] || cp "$NONS" "$dir/nons"
    while read -r lib; do
        cp -L "$lib" "$dir/"
    done < <(ldd "$TC" | awk '/libtestcage/ && $3 ~ /^\// {print $3}')
    chmod -R a+rX "$dir"
    TCN=$dir/testcage
    HOSTILEN=$dir/hostile
    NONSN=$dir/nons
    NOBODY_ENV=("LD_LIBRARY_PATH=$dir")
}

AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
