# shellcheck shell=bash disable=SC2034
# common.sh - helpers every bash test library shares: notes, failures that
# keep going and show the last command, and a run with a watchdog.
# The sourcing library sets OUT and ERR, and reads TC_FAILED at the end.

# Prints a note to the test log.
note() {
    echo "-- $*" >&2
}

# Marks the test failed and shows the last command's output; keeps going.
fail() {
    echo "FAIL: $*" >&2
    TC_FAILED=1
    if [[ -n ${TC_LAST:-} ]]; then
        echo "   command: $TC_LAST" >&2
        echo "   exit: ${RC:-?}" >&2
        echo "   stdout (head):" >&2
        head -c 2000 "$OUT" | sed 's/^/     | /' >&2 || true
        echo "   stderr (head):" >&2
        head -c 4000 "$ERR" | sed 's/^/     | /' >&2 || true
    fi
}

# run CMD...: stdout/stderr to $OUT/$ERR, exit status in $RC, milliseconds in
# $ELAPSED. A watchdog SIGKILLs a runaway command after ${WATCHDOG:-30} s
# (status 137, never 124).
run() {
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
