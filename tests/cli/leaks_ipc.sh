#!/bin/bash
# leaks_ipc.sh - SysV shm, semaphore and message queue left behind are reported by kind and key,
# live in the cage's IPC namespace only, and are gone afterwards.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup leaks_ipc "$@"

k0=$(printf '0x%08x' "$KEY")
k1=$(printf '0x%08x' $((KEY + 1)))
k2=$(printf '0x%08x' $((KEY + 2)))
cage --timeout 5 -- "$HOSTILE" ipc "$KEY" "$MARK"
expect_rc 0 "ipc litter"
expect_out_regex "^ipc $k0 $k1 $k2$"
expect_err_regex "^testcage: leaked IPC shm key $k0 \(id [0-9]+\)$" "shm leak line"
expect_err_regex "^testcage: leaked IPC sem key $k1 \(id [0-9]+\)$" "sem leak line"
expect_err_regex "^testcage: leaked IPC msg key $k2 \(id [0-9]+\)$" "msg leak line"
check_host "$MARK" "$KEY"

cage --timeout 5 --leaks=fail -- "$HOSTILE" ipc "$KEY" "$MARK"
expect_rc 122 "ipc litter under --leaks=fail"
check_host "$MARK" "$KEY"

# Each cage has its own IPC namespace: the same keys again, IPC_EXCL, no clash.
cage --timeout 5 --leaks=ignore -- "$HOSTILE" ipc "$KEY" "$MARK"
expect_rc 0 "same keys in a new cage"
expect_no_err_regex 'leaked' "--leaks=ignore"

# 300 semaphores: the report is bounded and the total is right.
# shellcheck disable=SC2016 # expanded by the caged shell
cage --timeout 10 -- /bin/sh -c 'i=0; while [ $i -lt 300 ]; do ipcmk -S 1 >/dev/null || exit 9; i=$((i+1)); done'
expect_rc 0 "300 semaphores"
lines=$(grep -c '^testcage: leaked IPC sem key ' "$ERR" || true)
more=$(sed -n 's/^testcage: \.\.\. and \([0-9]*\) more leaked.*/\1/p' "$ERR")
((lines + ${more:-0} == 300)) || note_fail "300 semaphores: $lines lines + ${more:-0} more != 300"
