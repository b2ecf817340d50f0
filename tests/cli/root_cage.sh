#!/bin/bash
# root_cage.sh - a test may use its cage and still cannot undo it: as root
# (and as uid 65534) it mounts and unmounts a tmpfs, even under a host shared
# bind mount, and sets the hostname with uts, and the host sees none of it;
# the cage's /tmp stays locked in place. --keep-caps still gives full root.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup root_cage "$@"

host=$(hostname)
hostdir=$(mktemp -d /var/tmp/tcroot.XXXXXX)
TC_CLEANUP+=("$hostdir")
shared=$(mktemp -d /var/tmp/tcshared.XXXXXX)
TC_CLEANUP+=("$shared")
mount --bind "$shared" "$shared"
mount --make-shared "$shared"
trap 'rc=$?; umount "$shared" 2>/dev/null; (exit $rc); tc_finish' EXIT

host_mounts() { grep -c -e "$hostdir" -e "$shared" /proc/self/mountinfo || true; }
before=$(host_mounts)

for dir in "$hostdir" "$shared"; do
    cage --timeout 5 --ns +uts -- "$HOSTILE" usecage "$dir"
    expect_rc 0 "usecage $dir as root"
    expect_out_fixed "mounted $dir" "root mounts a tmpfs on $dir in its cage"
    expect_out_fixed "mounted and unmounted /tmp/own" "root unmounts what it mounted"
    expect_out_fixed "hostname set" "root sets the hostname with +uts"
    expect_no_out_regex "umount /tmp succeeded" "the cage's /tmp cannot be unmounted"
    [[ -e $dir/inside ]] && note_fail "a file the test wrote under its own mount reached the host's $dir"
done
[[ $(host_mounts) == "$before" ]] || note_fail "a mount made in the cage reached the host"
[[ $(hostname) == "$host" ]] || note_fail "the host's hostname changed"

# Without +uts the hostname is the host's and stays out of reach.
cage --timeout 5 -- "$HOSTILE" usecage "$hostdir"
expect_no_out_regex "hostname set" "no hostname change without a UTS namespace of its own"
[[ $(hostname) == "$host" ]] || note_fail "the host's hostname changed without +uts"

# A file written to the cage's /tmp never reaches the host.
cage --timeout 5 --leaks ignore -- /bin/sh -c "echo x > /tmp/$MARK-root"
[[ -e /tmp/$MARK-root ]] && note_fail "a file the cage wrote to /tmp reached the host"

# The body is root in a user namespace of its own, which maps every id.
# shellcheck disable=SC2016 # expanded by the caged shell
cage --timeout 5 -- /bin/sh -c 'cat /proc/self/uid_map; readlink /proc/self/ns/user'
expect_rc 0 "uid_map"
expect_out_regex '^ +0 +0 +4294967295$' "identity map of every id"
expect_no_out_fixed "$(readlink /proc/self/ns/user)" "the body is not in the host's user namespace"

# --keep-caps: the host's user namespace, CAP_SYS_ADMIN, and /tmp can go.
# shellcheck disable=SC2016
cage --timeout 5 --keep-caps --leaks ignore -- /bin/sh -c 'readlink /proc/self/ns/user; c=$(sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status); echo "sysadmin $(( 0x$c >> 21 & 1 ))"'
expect_rc 0 "--keep-caps"
expect_out_fixed "$(readlink /proc/self/ns/user)" "--keep-caps stays in the host's user namespace"
expect_out_fixed "sysadmin 1" "--keep-caps keeps CAP_SYS_ADMIN"
cage --timeout 5 --keep-caps --leaks ignore -- "$HOSTILE" umount "$MARK"
expect_out_fixed "umount /tmp succeeded" "--keep-caps gives full root (it can undo its cage)"

# uid 65534: the same in a user namespace nested in the rootless cage.
copy_for_nobody
nodir=$(mktemp -d /var/tmp/tcnobody.XXXXXX)
TC_CLEANUP+=("$nodir")
chown 65534:65534 "$nodir"
cd "$NOBODY_DIR"
run_cmd "${AS_NOBODY[@]}" env "${NOBODY_ENV[@]}" "$TCN" --timeout 5 --ns +uts -- "$HOSTILEN" usecage "$nodir"
expect_rc 0 "usecage as uid 65534"
expect_out_fixed "mounted $nodir" "uid 65534 mounts a tmpfs in its cage"
expect_out_fixed "hostname set" "uid 65534 sets the hostname with +uts"
expect_no_out_regex "umount /tmp succeeded" "uid 65534 cannot unmount the cage's /tmp"
[[ -e $nodir/inside ]] && note_fail "uid 65534's mount reached the host"
[[ $(hostname) == "$host" ]] || note_fail "the host's hostname changed (uid 65534)"
umount "$shared"
trap tc_finish EXIT
