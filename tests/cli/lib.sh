# shellcheck shell=bash disable=SC2034
# lib.sh - shared helpers for the testcage CLI tests: setup, running, assertions, and the
# host check every test ends with (no surviving process, no /tmp or /dev/shm file, no IPC object).

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

# run_in INPUT CMD...: like run, with stdin from the file INPUT.
run_in() {
    local input=$1
    shift
    TC_LAST="$(printf '%q ' "$@") < $input"
    set +e
    timeout -s KILL 30 "$@" <"$input" >"$OUT" 2>"$ERR"
    RC=$?
    set -e
    note "rc=$RC: $TC_LAST"
}

# cage ARGS...: run the CLI.
cage() {
    run "$TC" "$@"
}

expect_rc() {
    local want=$1 what=${2:-}
    [[ $RC == "$want" ]] || fail "${what:+$what: }expected exit $want, got $RC"
}

# expect_out REGEX [what]: stdout matches (grep -E).
expect_out() {
    grep -Eq -- "$1" "$OUT" || fail "${2:-stdout}: expected a line matching /$1/"
}

expect_no_out() {
    ! grep -Eq -- "$1" "$OUT" || fail "${2:-stdout}: unexpected line matching /$1/"
}

expect_err() {
    grep -Eq -- "$1" "$ERR" || fail "${2:-stderr}: expected a line matching /$1/"
}

expect_no_err() {
    ! grep -Eq -- "$1" "$ERR" || fail "${2:-stderr}: unexpected line matching /$1/"
}

# The stderr of a bad invocation: exactly one line, prefixed, naming the culprit.
expect_one_line_error() {
    local culprit=$1 n
    n=$(wc -l <"$ERR")
    [[ $n == 1 ]] || fail "expected a one-line error, got $n lines"
    grep -q '^testcage: ' "$ERR" || fail "error does not start with 'testcage: '"
    grep -qF -- "$culprit" "$ERR" || fail "error does not name '$culprit'"
}

expect_le() {
    local got=$1 max=$2 what=$3
    ((got <= max)) || fail "$what: $got > $max"
}

# Host pids whose command line contains the marker (never this shell or pgrep itself).
marked_pids() {
    pgrep -f -- "$1" || true
}

# wait_marked MARK N: waits up to 5 s until at least N processes carry the marker.
wait_marked() {
    local i n
    for ((i = 0; i < 100; i++)); do
        n=$(marked_pids "$1" | wc -l)
        ((n >= $2)) && return 0
        sleep 0.05
    done
    fail "never saw $2 processes marked $1 (saw $n)"
    return 1
}

# check_host MARK [KEY]: nothing of MARK survives on the host (processes, files, IPC keys).
check_host() {
    local mark=$1 key=${2:-} pids files k hex
    pids=$(marked_pids "$mark")
    if [[ -n $pids ]]; then
        sleep 0.5
        pids=$(marked_pids "$mark")
        if [[ -n $pids ]]; then
            fail "processes marked $mark survived on the host:"
            # shellcheck disable=SC2086
            ps -o pid,ppid,stat,args -p "$(echo $pids | tr ' ' ,)" >&2 || true
            # shellcheck disable=SC2086
            kill -9 $pids 2>/dev/null || true
        else
            note "processes marked $mark were still alive just after testcage exited"
        fi
    fi
    files=$(find /tmp /dev/shm -maxdepth 3 -name "*$mark*" 2>/dev/null || true)
    if [[ -n $files ]]; then
        fail "files marked $mark reached the host: $files"
        # shellcheck disable=SC2086
        rm -rf $files
    fi
    if [[ -n $key ]]; then
        for k in 0 1 2; do
            hex=$(printf '0x%08x' $((key + k)))
            if ipcs -m -s -q | grep -qi -- "^$hex "; then
                fail "IPC object with key $hex reached the host"
                ipcrm -M "$hex" 2>/dev/null || true
                ipcrm -S "$hex" 2>/dev/null || true
                ipcrm -Q "$hex" 2>/dev/null || true
            fi
        done
    fi
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

# copy_for_nobody DIR: copies the CLI (with libtestcage), hostile and nons into DIR, mode 755,
# for runs as uid 65534 (the build tree may not be reachable). Sets TCN, HOSTILEN, NONSN, and
# NOBODY_ENV (env assignments that find the copied library).
copy_for_nobody() {
    local dir=$1 lib
    mkdir -p "$dir"
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

# json_case FILE KEY: KEY of the first case in a --json report (JSON text, e.g. true).
json_case() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps(d["cases"][0].get(sys.argv[2], "(missing)")))' "$1" "$2" 2>&1 || true
}
