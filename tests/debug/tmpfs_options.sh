#!/usr/bin/env bash
# tmpfs_options.sh - --tmp-size, --tmp-mode and --tmp-options shape the private /tmp (ENOSPC at
# the size, the root's mode); bad values are one-line errors; the host is unaffected.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
dbg_setup tmpfs_options "$@"

FILL="/tmp/$MARK-fill"
HOST_MODE=$(stat -c %a /tmp)
# shellcheck disable=SC2016
WRITE_2M='dd if=/dev/zero of="$1" bs=64k count=32 2>&1; echo "dd=$?"'

cage --tmp-size 1m -- sh -c "$WRITE_2M" sh "$FILL"
expect_out_fixed "No space left on device" "--tmp-size 1m, 2 MB written"
expect_out_fixed "dd=1"
expect_no_out_fixed "dd=0"

cage -- sh -c "$WRITE_2M" sh "$FILL"
expect_out_fixed "dd=0" "default size: 2 MB fit"

cage --tmp-mode 0700 -- stat -c %a /tmp
expect_rc 0 "--tmp-mode 0700"
[[ $(head -n1 "$OUT") == 700 ]] || note_fail "--tmp-mode 0700: /tmp has mode $(head -n1 "$OUT")"

cage -- stat -c %a /tmp
[[ $(head -n1 "$OUT") == 1777 ]] || note_fail "default: /tmp has mode $(head -n1 "$OUT"), not 1777"

cage --tmp-options size=1m,mode=0750 -- sh -c "stat -c %a /tmp; $WRITE_2M" sh "$FILL"
[[ $(head -n1 "$OUT") == 750 ]] || note_fail "--tmp-options mode=0750: /tmp has mode $(head -n1 "$OUT")"
expect_out_fixed "No space left on device" "--tmp-options size=1m, 2 MB written"

# --tmp-options overrides --tmp-size and --tmp-mode.
cage --tmp-size 1m --tmp-mode 0700 --tmp-options size=4m,mode=0755 -- \
    sh -c "stat -c %a /tmp; $WRITE_2M" sh "$FILL"
[[ $(head -n1 "$OUT") == 755 ]] || note_fail "--tmp-options did not override --tmp-mode"
expect_out_fixed "dd=0" "--tmp-options size=4m did not override --tmp-size 1m"

cage --tmp-mode 999 -- true
expect_rc 125 "--tmp-mode 999"
[[ $(wc -l <"$ERR") == 1 ]] || note_fail "--tmp-mode 999: not a one-line error"
expect_err_fixed "999"

cage --tmp-options "bogus=$MARK" -- true
expect_rc 125 "--tmp-options with an option tmpfs refuses"
expect_err_fixed "tmpfs"

# The host's /tmp kept its own mode.
[[ $(stat -c %a /tmp) == "$HOST_MODE" ]] || note_fail "the host's /tmp mode changed to $(stat -c %a /tmp)"
