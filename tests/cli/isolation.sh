#!/bin/bash
# isolation.sh - what the program sees in the cage: pid 2 under the cage init, a /proc with
# only the cage, hostname "testcage" with uts, a free port with net, an /tmp it cannot unmount.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup isolation "$@"

cage --timeout 5 -- "$HOSTILE" ids "$MARK"
expect_rc 0 "ids"
expect_out_regex '^pid 2$' "the program is pid 2"
expect_out_regex '^ppid 1$' "its parent is the cage init"
expect_out_regex '^uid 0$' "root stays root (no user namespace as root)"
procs=$(sed -n 's/^procs //p' "$OUT")
[[ $procs == "1 2" ]] || note_fail "/proc should show only the cage (1 2), shows: $procs"
host=$(hostname)
expect_out_regex "^hostname $host\$" "default namespaces keep the host name"

cage --timeout 5 --ns pid,mount,ipc,uts -- "$HOSTILE" ids "$MARK"
expect_rc 0 "ids with uts"
expect_out_regex '^hostname testcage$' "--ns ...,uts: hostname"
[[ $(hostname) == "$host" ]] || note_fail "the host's hostname changed"

run_cmd env TESTCAGE_NS=pid,mount,ipc,uts "$TC" --timeout 5 -- "$HOSTILE" ids "$MARK"
expect_rc 0 "TESTCAGE_NS"
expect_out_regex '^hostname testcage$' "TESTCAGE_NS=pid,mount,ipc,uts: hostname"
run_cmd env TESTCAGE_NS=pid,mount,ipc,uts "$TC" --timeout 5 --ns pid,mount,ipc -- "$HOSTILE" ids "$MARK"
expect_rc 0 "TESTCAGE_NS overridden"
expect_out_regex "^hostname $host\$" "--ns wins over TESTCAGE_NS"

# As root the body is root in a user namespace nested in the cage: its copy
# of the cage's mounts is locked, so it cannot unmount its private /tmp
# (root_cage.sh shows what it can do).
cage --timeout 5 -- "$HOSTILE" umount "$MARK"
expect_rc 0 "umount /tmp must fail in the cage"
expect_out_regex '^umount /tmp failed: Invalid argument$'

# A port busy on the host is free inside a net namespace; without one it stays busy.
port_file="$WORK/port"
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
time.sleep(20)' "$port_file" "$MARK-port" &
holder=$!
for ((i = 0; i < 100; i++)); do [[ -s $port_file ]] && break; sleep 0.05; done
port=$(cat "$port_file")
cage --timeout 5 -- "$HOSTILE" bind "$port" "$MARK"
expect_rc 1 "busy port without net namespace (sanity)"
cage --timeout 5 --ns pid,mount,ipc,net -- "$HOSTILE" bind "$port" "$MARK"
expect_rc 0 "busy port with --ns ...,net"
expect_out_regex "^bound $port\$"
cage --timeout 5 --ns pid,mount,ipc,uts,net -- /bin/sh -c 'grep -q "^ *lo:" /proc/net/dev && cat /sys/class/net/lo/operstate /sys/class/net/lo/flags'
expect_rc 0 "lo in the net namespace"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true

# --ns none: fork only, no isolation, nothing left either.
cage --timeout 5 --ns none -- "$HOSTILE" ids "$MARK"
expect_rc 0 "--ns none"
expect_no_out_regex '^pid 2$' "--ns none: the program is not pid 2"
cage --timeout 0.5 --grace 0.3 --ns none -- "$HOSTILE" daemon stay "$MARK"
expect_rc 124 "--ns none: daemon + hang"
check_host "$MARK"

# As root with namespaces at hand, --require-isolation changes nothing.
cage --timeout 5 --require-isolation -- "$HOSTILE" ids "$MARK"
expect_rc 0 "--require-isolation as root"
expect_out_regex '^pid 2$' "--require-isolation as root: caged"

# An explicit user namespace maps the caller's own uid (root stays uid 0 inside).
cage --timeout 5 --ns pid,mount,ipc,user -- "$HOSTILE" ids "$MARK"
expect_rc 0 "--ns ...,user as root"
expect_out_regex '^pid 2$' "--ns ...,user: pid 2"
expect_out_regex '^uid 0$' "--ns ...,user: own uid mapped"

# "+uts" adds to the default set.
cage --timeout 5 --ns +uts -- "$HOSTILE" ids "$MARK"
expect_rc 0 "--ns +uts"
expect_out_regex '^hostname testcage$' "--ns +uts: hostname"
expect_out_regex '^pid 2$' "--ns +uts keeps the default pid namespace"
