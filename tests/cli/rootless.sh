#!/bin/bash
# rootless.sh - uid 65534 without capabilities: the CLI adds a user namespace mapping its own
# uid and the cage works the same (pid 2, leaks reported, nothing reaches the host).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup rootless "$@"

copy_for_nobody
cd "$NOBODY_DIR"
if ! "${AS_NOBODY[@]}" unshare --user --map-user=65534 true 2>"$ERR"; then
    note_fail "this host does not let uid 65534 create a user namespace: $(cat "$ERR")"
    exit 1
fi

nobody() {
    run_cmd "${AS_NOBODY[@]}" env "${NOBODY_ENV[@]}" "$TCN" "$@"
}

nobody --timeout 5 -- "$HOSTILEN" ids "$MARK"
expect_rc 0 "ids as nobody"
expect_out_regex '^pid 2$' "pid 2 as nobody"
expect_out_regex '^uid 65534$' "own uid mapped, not root"
expect_no_err_regex 'running without namespaces' "namespaces available to nobody"
procs=$(sed -n 's/^procs //p' "$OUT")
[[ $procs == "1 2" ]] || note_fail "/proc should show only the cage (1 2), shows: $procs"

nobody --timeout 5 -- "$HOSTILEN" litter "$MARK"
expect_rc 0 "litter as nobody"
expect_err_regex "^testcage: leaked file /tmp/$MARK-a \(1234 bytes\)$" "/tmp leak as nobody"
expect_err_regex "^testcage: leaked file /dev/shm/$MARK-b \(4321 bytes\)$" "/dev/shm leak as nobody"

nobody --timeout 5 -- "$HOSTILEN" ipc "$KEY" "$MARK"
expect_rc 0 "ipc as nobody"
expect_err_regex "^testcage: leaked IPC shm key $(printf '0x%08x' "$KEY")" "IPC leak as nobody"

nobody --timeout 5 -- "$HOSTILEN" daemon "$MARK"
expect_rc 0 "daemon as nobody"
expect_err_regex "^testcage: leaked process hostile" "daemon leak as nobody"
check_host "$MARK"

nobody --timeout 5 -- "$HOSTILEN" umount "$MARK"
expect_rc 0 "umount /tmp as nobody must fail"

nobody --timeout 0.5 --grace 0.3 -- "$HOSTILEN" ignore-term "$MARK"
expect_rc 124 "timeout as nobody"

nobody --timeout 5 --ns pid,mount,ipc,uts,net -- "$HOSTILEN" ids "$MARK"
expect_rc 0 "uts+net as nobody"
expect_out_regex '^hostname testcage$' "hostname as nobody"

nobody --timeout 5 -- "$HOSTILEN" exit 77 "$MARK"
expect_rc 77 "exit 77 as nobody"

