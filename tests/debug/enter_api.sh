#!/usr/bin/env bash
# enter_api.sh - testcage_enter(): the caller gets a private /tmp, /dev/shm and IPC namespace
# that the host never sees, and its next child is pid 1 of a new PID namespace.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
dbg_setup enter_api "$@"

HOST_FILE=/tmp/$MARK-host
T_HOST_FILES+=("$HOST_FILE")
echo "host secret" >"$HOST_FILE"
# Two SysV keys unique to this test process.
KEY=$((0x7d000000 + (($$ & 0xfffff) << 2)))
hexkey() { printf '0x%08x' "$1"; }
host_has_ipc() { ipcs "$1" | grep -qi -- "^$(hexkey "$2") "; }

# The program waits on stdin after making its files and IPC objects, so the host can look.
FIFO=$WORK/stdin
mkfifo "$FIFO"
TC_LAST="$ENTER_SELF $MARK $KEY"
"$ENTER_SELF" "$MARK" "$KEY" <"$FIFO" >"$OUT" 2>"$ERR" &
PID=$!
T_BG+=("$PID")
exec 3>"$FIFO"
if wait_for_line "$OUT" "READY"; then
    [[ ! -e /tmp/$MARK-after ]] || note_fail "a file made in /tmp after testcage_enter reached the host"
    [[ ! -e /dev/shm/$MARK-shm ]] || note_fail "a file made in /dev/shm after enter reached the host"
    ! host_has_ipc -m "$KEY" || note_fail "the shm segment made after enter is visible on the host"
    ! host_has_ipc -s $((KEY + 1)) || note_fail "the semaphore made after enter is visible on the host"
    [[ -e $HOST_FILE ]] || note_fail "the host file vanished from the host"
    host_ns() { readlink "/proc/self/ns/$1"; }
    # pid_for_children reads ENOENT while the new PID namespace has no process yet.
    their_ns() { readlink "/proc/$PID/ns/$1" 2>/dev/null || echo "(none yet)"; }
    [[ $(their_ns mnt) != "$(host_ns mnt)" ]] ||
        note_fail "the caller is still in the host's mount namespace"
    [[ $(their_ns ipc) != "$(host_ns ipc)" ]] ||
        note_fail "the caller is still in the host's IPC namespace"
    [[ $(their_ns pid) == "$(host_ns pid)" ]] ||
        note_fail "the caller itself moved to another PID namespace (only its children should)"
    [[ $(their_ns pid_for_children) != "$(host_ns pid)" ]] ||
        note_fail "the caller's children would not get a new PID namespace"
fi
exec 3>&-
set +e
wait "$PID"
RC=$?
set -e
note "rc=$RC: $TC_LAST"
expect_rc 0 "enter_self"
expect_out_fixed "ALL OK"
if grep -q '^FAIL' "$OUT"; then
    note_fail "enter_self reported failed checks"
fi
grep -q 'ok: getpid() == 1' "$OUT" || note_fail "the first child's pid was not checked"
! host_has_ipc -m "$KEY" || note_fail "the shm segment survived on the host"
! host_has_ipc -s $((KEY + 1)) || note_fail "the semaphore survived on the host"
