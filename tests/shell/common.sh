# shellcheck shell=bash disable=SC2034
# common.sh - the one helper library of every bash test: notes, failures (one
# name that stops, one that goes on), three explicit ways to run a command,
# fixed-string and regex assertions, and the host check (no process, file or
# IPC object of a test survives). A test that uses run_cmd sets OUT and ERR.

# Prints a note to the test log.
note() {
    echo "-- $*" >&2
}

# fail_now MSG: prints the failure and ends the test (exit 1).
fail_now() {
    echo "FAIL: $*" >&2
    exit 1
}

# note_fail MSG: marks the test failed (TC_FAILED=1, TC_NFAILED counts) and
# goes on; shows the last run_cmd's command, status and output heads.
note_fail() {
    echo "FAIL: $*" >&2
    TC_FAILED=1
    TC_NFAILED=$((${TC_NFAILED:-0} + 1))
    if [[ -n ${TC_LAST:-} ]]; then
        echo "   command: $TC_LAST" >&2
        echo "   exit: ${RC:-?}" >&2
        echo "   stdout (head):" >&2
        head -c 2000 "$OUT" | sed 's/^/     | /' >&2 || true
        echo "   stderr (head):" >&2
        head -c 4000 "$ERR" | sed 's/^/     | /' >&2 || true
    fi
}

# run_cmd CMD...: stdout/stderr to $OUT/$ERR, exit status in $RC, milliseconds
# in $ELAPSED. A watchdog SIGKILLs a runaway command after ${WATCHDOG:-30} s
# (status 137, never 124).
run_cmd() {
    TC_LAST=$(printf '%q ' "$@")
    local t0 t1
    t0=$(date +%s%N)
    set +e
    timeout -s KILL "${WATCHDOG:-30}" "$@" >"$OUT" 2>"$ERR"
    RC=$?
    set -e
    t1=$(date +%s%N)
    ELAPSED=$(((t1 - t0) / 1000000))
    note "rc=$RC ${ELAPSED}ms: $TC_LAST"
}

# run_cmd_in INPUT CMD...: run_cmd with stdin from the file INPUT.
run_cmd_in() {
    local input=$1
    shift
    TC_LAST="$(printf '%q ' "$@") < $input"
    set +e
    timeout -s KILL "${WATCHDOG:-30}" "$@" <"$input" >"$OUT" 2>"$ERR"
    RC=$?
    set -e
    note "rc=$RC: $TC_LAST"
}

# run_rc VAR CMD...: runs CMD with its output where it goes; its exit status
# lands in the variable VAR.
run_rc() {
    local -n rc_=$1
    shift
    set +e
    "$@"
    rc_=$?
    set -e
}

# run_logged LOG CMD...: CMD's output goes to LOG; when CMD fails, the tail of
# LOG is shown and the test ends.
run_logged() {
    local log=$1
    shift
    if ! "$@" >"$log" 2>&1; then
        echo "command failed: $*" >&2
        tail -n 80 "$log" >&2
        exit 1
    fi
}

# expect_rc WANT [WHAT]: the last run_cmd exited WANT.
expect_rc() {
    [[ $RC == "$1" ]] || note_fail "${2:+$2: }expected exit $1, got $RC"
}

# expect_{out,err}_{regex,fixed} PATTERN [WHAT], and expect_no_...: a line of
# the last run_cmd's stdout/stderr matches (grep -E) or contains (grep -F).
expect_out_regex() { grep -Eq -- "$1" "$OUT" || note_fail "${2:-stdout}: expected a line matching /$1/"; }
expect_no_out_regex() { ! grep -Eq -- "$1" "$OUT" || note_fail "${2:-stdout}: unexpected line matching /$1/"; }
expect_err_regex() { grep -Eq -- "$1" "$ERR" || note_fail "${2:-stderr}: expected a line matching /$1/"; }
expect_no_err_regex() { ! grep -Eq -- "$1" "$ERR" || note_fail "${2:-stderr}: unexpected line matching /$1/"; }
expect_out_fixed() { grep -qF -- "$1" "$OUT" || note_fail "${2:-stdout}: expected '$1'"; }
expect_no_out_fixed() { ! grep -qF -- "$1" "$OUT" || note_fail "${2:-stdout}: unexpected '$1'"; }
expect_err_fixed() { grep -qF -- "$1" "$ERR" || note_fail "${2:-stderr}: expected '$1'"; }
expect_no_err_fixed() { ! grep -qF -- "$1" "$ERR" || note_fail "${2:-stderr}: unexpected '$1'"; }

# expect_file_regex FILE REGEX WHAT: a line of FILE matches; else its tail is
# shown and the test ends.
expect_file_regex() {
    grep -Eq -- "$2" "$1" || {
        echo "--- $1" >&2
        tail -n 60 "$1" >&2
        fail_now "$3 (no /$2/ in $1)"
    }
}

# wait_for_line FILE FIXED-STRING: waits up to 10 s for the string in FILE.
wait_for_line() {
    local i
    for ((i = 0; i < 200; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    note_fail "'$2' never appeared in $1"
    return 1
}

# Host pids whose command line contains the marker (never pgrep itself).
marked_pids() {
    pgrep -f -- "$1" || true
}

# check_host MARK [KEY]: nothing of MARK survives on the host: no process, no
# file in /tmp or /dev/shm, and no SysV IPC object with key KEY, KEY+1, KEY+2.
check_host() {
    local mark=$1 key=${2:-} pids files k hex
    pids=$(marked_pids "$mark")
    if [[ -n $pids ]]; then
        sleep 0.5 # the runner has exited; the kernel may still be tearing the cage down
        pids=$(marked_pids "$mark")
        if [[ -n $pids ]]; then
            note_fail "processes marked $mark survived on the host:"
            # shellcheck disable=SC2086
            ps -o pid,ppid,stat,args -p "$(echo $pids | tr ' ' ,)" >&2 || true
            # shellcheck disable=SC2086
            kill -9 $pids 2>/dev/null || true
        else
            note "processes marked $mark were still alive just after the runner exited"
        fi
    fi
    files=$(find /tmp /dev/shm -maxdepth 4 -name "*$mark*" 2>/dev/null || true)
    if [[ -n $files ]]; then
        note_fail "files marked $mark reached the host: $files"
        # shellcheck disable=SC2086
        rm -rf $files
    fi
    [[ -n $key ]] || return 0
    for k in 0 1 2; do
        hex=$(printf '0x%08x' $((key + k)))
        if ipcs -m -s -q | grep -qi -- "^$hex "; then
            note_fail "IPC object with key $hex reached the host"
            ipcrm -M "$hex" 2>/dev/null || true
            ipcrm -S "$hex" 2>/dev/null || true
            ipcrm -Q "$hex" 2>/dev/null || true
        fi
    done
}

# json_case FILE KEY: KEY of the first case of a --json report, as JSON text.
json_case() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps(d["cases"][0].get(sys.argv[2], "(missing)")))' "$1" "$2" 2>&1 || true
}
