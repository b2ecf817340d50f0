#!/usr/bin/env bash
# no_private_tmp.sh - --no-private-tmp: the host's /tmp stays visible inside, yet a mount made
# inside the cage (with --keep-caps) does not propagate to the host.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
dbg_setup no_private_tmp "$@"

HOST_FILE=/tmp/$MARK-host
T_HOST_FILES+=("$HOST_FILE")
echo "host content $MARK" >"$HOST_FILE"
MNT=$WORK/mnt
mkdir "$MNT"

# shellcheck disable=SC2016
INSIDE='cat "$1" && mount -t tmpfs "tmpfs-$2" "$3" && echo inside >"$3/made-inside" &&
        ls "$3" && grep -c "tmpfs-$2" /proc/self/mounts'
cage --no-private-tmp --keep-caps -- sh -c "$INSIDE" sh "$HOST_FILE" "$MARK" "$MNT"
expect_rc 0 "--no-private-tmp --keep-caps"
expect_out_fixed "host content $MARK" "the host's /tmp file, read inside"
expect_out_fixed "made-inside" "the file on the tmpfs mounted inside"
[[ ! -e $MNT/made-inside ]] || note_fail "the tmpfs mounted inside the cage is visible on the host"
! grep -qF "tmpfs-$MARK" /proc/self/mounts || note_fail "the mount inside propagated to the host"
expect_no_err_fixed "leaked file" "host /tmp files are not the program's leaks"

# The default (private /tmp) hides the host file: the control case of the above.
# shellcheck disable=SC2016
cage -- sh -c 'cat "$1"' sh "$HOST_FILE"
expect_rc 1 "private /tmp hides the host file"
expect_no_out_fixed "host content $MARK"

# A program's files in the host /tmp stay (it asked for the host's /tmp) and are not reported.
# shellcheck disable=SC2016
cage --no-private-tmp -- sh -c 'echo x >"$1"' sh "/tmp/$MARK-written"
T_HOST_FILES+=("/tmp/$MARK-written")
expect_rc 0 "--no-private-tmp write"
[[ -f /tmp/$MARK-written ]] || note_fail "--no-private-tmp: a file written to /tmp is not on the host"
rm -f "/tmp/$MARK-written"
