#!/bin/bash
# rows.sh ROW - one row of the README's environment matrix, simulated on this
# host, through the CLI and the linked runner, as root and as uid 65534:
#   mount_denied  namespaces allowed, mount(2) denied (Ubuntu 24.04's AppArmor)
#   ns_denied     namespace flags denied, clone3 ENOSYS (Docker's default seccomp)
#   userns_limit  user.max_user_namespaces=0 (user namespaces disabled)
#   no_shm        a machine without /dev/shm
#   ro_tmp        a read-only /tmp (and /var/tmp, and working directory)
#   leftovers     SIGPIPE and SIGKILL of the runner leave no process, and no TMPDIR the next run keeps
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# A read-only /tmp must not hide where the cases leave their proof.
# shellcheck disable=SC2034 # read by env_setup
[[ $1 != ro_tmp ]] || ENV_WORK_ROOT=/var/tmp
env_setup "$1"

SECCOMP_MOUNT='mounts are denied by a seccomp filter \(cannot make / private: Operation not permitted\)'
SECCOMP_NS='creating namespaces is denied by a seccomp filter'
USERNS_LIMIT='the user-namespace limit is reached \(sysctl user.max_user_namespaces is 0\)'
DEBIAN='unprivileged user namespaces are disabled \(kernel.unprivileged_userns_clone=0\)'
APPARMOR='unprivileged user namespaces are restricted on this machine \(AppArmor\)'

# in_mountns SCRIPT: the wrapper (in MNS) that runs a command as root in a
# private mount namespace after SCRIPT (sh) changed it.
in_mountns() {
    MNS=(unshare --mount --propagation private sh -c "$1"' && exec "$@"' sh)
}

# A /dev without shm: a tmpfs with the device nodes bound in, moved over /dev.
NO_SHM="d=\$(mktemp -d) && mount -t tmpfs none \"\$d\" &&
for n in null zero full random urandom tty; do touch \"\$d/\$n\" && mount --bind /dev/\$n \"\$d/\$n\"; done &&
mkdir \"\$d/pts\" && mount --rbind /dev/pts \"\$d/pts\" && ln -s /proc/self/fd \"\$d/fd\" &&
mount --move \"\$d\" /dev && [ ! -e /dev/shm ]"
RO_TMP="mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp"
RO_ALL="$RO_TMP && mount --bind /var/tmp /var/tmp && mount -o remount,bind,ro /var/tmp"
# What Ubuntu 24.04 shows: the AppArmor sysctl, set (in a tmpfs over /proc/sys/kernel).
FAKE_APPARMOR="mount -t tmpfs none /proc/sys/kernel && echo 1 >/proc/sys/kernel/apparmor_restrict_unprivileged_userns"

# simulated WHAT CMD...: the simulation holds (CMD succeeds), or the test ends.
simulated() {
    local what=$1
    shift
    "$@" >"$OUT" 2>"$ERR" || {
        cat "$ERR" >&2
        fail_now "the simulation does not hold: $what"
    }
}

row_mount_denied() {
    simulated "uid 65534 makes a user namespace" "${AS_NOBODY[@]}" "$RESTRICT" --deny-mount -- unshare --user true
    simulated "mount(2) fails in it" sh -c '! "$@"' sh "${AS_NOBODY[@]}" "$RESTRICT" --deny-mount -- unshare --user --map-root-user --mount true
    check_row no "$SECCOMP_MOUNT" "${AS_NOBODY[@]}" "$RESTRICT" --deny-mount --
    check_row no "$SECCOMP_MOUNT" "$RESTRICT" --deny-mount --
    in_mountns "$FAKE_APPARMOR"
    check_row no "$APPARMOR" "${MNS[@]}" "${AS_NOBODY[@]}" "$RESTRICT" --deny-mount --
    grep -qF 'set kernel.apparmor_restrict_unprivileged_userns=0' "$ERR" ||
        note_fail "the AppArmor notice does not say how to get full isolation"
    # The run's cages (--ns ipc: no mount) are made; the case that wants a
    # mount namespace fails in its init, is retried fork only, and runs once.
    : >"$RAN"
    chmod 666 "$RAN"
    rm -f "$WORK/r.json"
    run_cmd "${AS_NOBODY[@]}" "$RESTRICT" --deny-mount -- "$SUITE" --ns ipc -j 2 --filter wants_mount --filter ran --json "$WORK/r.json"
    expect_rc 0 "a case retried fork only passes"
    expect_ran ran wants_mount
    expect_notice fallback "$SECCOMP_MOUNT"
    python3 -c 'import json,sys; c={x["name"]: x for x in json.load(open(sys.argv[1]))["cases"]}; sys.exit(c["wants_mount"]["isolated"] is not False)' "$WORK/r.json" ||
        note_fail "the retried case should say isolated:false"
}

row_ns_denied() {
    simulated "no namespace for uid 65534" sh -c '! "$@"' sh "${AS_NOBODY[@]}" "$RESTRICT" --deny-ns --clone3-enosys -- unshare --user true
    simulated "no namespace for root" sh -c '! "$@"' sh "$RESTRICT" --deny-ns --clone3-enosys -- unshare --ipc true
    check_row no "$SECCOMP_NS" "$RESTRICT" --deny-ns --clone3-enosys --
    grep -qF -- '--security-opt seccomp=unconfined' "$ERR" || note_fail "the notice does not say how to get more"
    check_row no "$SECCOMP_NS" "${AS_NOBODY[@]}" "$RESTRICT" --deny-ns --clone3-enosys --
    # Debian's switch, off: its sysctl is named (faked in a tmpfs over /proc/sys/kernel).
    in_mountns "mount -t tmpfs none /proc/sys/kernel && echo 0 >/proc/sys/kernel/unprivileged_userns_clone"
    check_row no "$DEBIAN" "${MNS[@]}" "${AS_NOBODY[@]}" "$RESTRICT" --deny-ns --
    # On purpose: TESTCAGE_NS=none runs fork only and says nothing.
    run_cmd "$RESTRICT" --deny-ns -- env TESTCAGE_NS=none "$SUITE" --filter ran
    expect_rc 0 "TESTCAGE_NS=none"
    expect_ran ran
    expect_no_notice
}

row_userns_limit() {
    simulated "no namespace below max_user_namespaces=0" "$NONS" --check
    # The words, not the errno: ENOSPC means the user-namespace limit.
    check_row no "$USERNS_LIMIT" "$NONS" env "LD_LIBRARY_PATH=$BIN" "TMPDIR=$BASE" "ENV_RAN=$RAN"
    ! grep -q 'No space left on device' "$ERR" || note_fail "the notice still says ENOSPC's text"
}

# as_each FN: FN WHO, for root and for uid 65534, with `as` the prefix that
# runs a command as WHO.
as_each() {
    local who
    for who in root nobody; do
        local -a as=()
        [[ $who == root ]] || as=("${AS_NOBODY[@]}")
        "$1" "$who"
    done
}

no_shm_as() {
    local who=$1
    in_mountns "$NO_SHM"
    check_row yes "" "${MNS[@]}" "${as[@]}"
    run_cmd "${MNS[@]}" "${as[@]}" "$SUITE" -v --filter ran
    expect_rc 0 "$who, no /dev/shm: the case passes"
    expect_ran ran
    expect_err_fixed "testcage: this machine has no /dev/shm, so the cage has no private one"
    run_cmd "${MNS[@]}" "${as[@]}" "$TCN" -- sh -c 'echo "pid $$"; [ ! -e /dev/shm ]'
    expect_rc 0 "$who, no /dev/shm: CLI"
    expect_out_fixed "pid 2" # still a PID namespace of its own: the body is pid 2
}

row_no_shm() {
    as_each no_shm_as
}

ro_tmp_as() {
    local who=$1
    # Namespaces: a tmpfs covers the read-only /tmp.
    in_mountns "$RO_TMP"
    check_row yes "" "${MNS[@]}" "${as[@]}" env -u TMPDIR
    # Fork only: the private TMPDIR goes to /var/tmp, and away afterwards.
    check_row no "$SECCOMP_NS" "${MNS[@]}" "${as[@]}" "$RESTRICT" --deny-ns -- env -u TMPDIR
    # shellcheck disable=SC2016
    run_cmd "${MNS[@]}" "${as[@]}" env -u TMPDIR TESTCAGE_NS=none "$TCN" -- sh -c 'echo "tmpdir=$TMPDIR"'
    expect_rc 0 "$who, read-only /tmp, --ns none"
    expect_out_regex '^tmpdir=/var/tmp/testcage\.[0-9]+\.[0-9]+\.[^/]+$' "$who: the TMPDIR is below /var/tmp"
    local d
    d=$(sed -n 's/^tmpdir=//p' "$OUT")
    [[ -z $d || ! -e $d ]] || note_fail "$who: $d was left behind"
    # Nothing writable: no private TMPDIR, said, and the test still runs.
    in_mountns "$RO_ALL"
    # shellcheck disable=SC2016
    run_cmd "${MNS[@]}" "${as[@]}" env TMPDIR=/tmp TESTCAGE_NS=none "$TCN" -- sh -c 'echo "tmpdir=$TMPDIR"; exit 4'
    expect_rc 4 "$who, nothing writable"
    expect_out_fixed "tmpdir=/tmp"
    expect_err_regex '^testcage: no private TMPDIR: .*Read-only file system' "$who: the note"
}

row_ro_tmp() {
    as_each ro_tmp_as
}

# The runner dies while cases run: by SIGPIPE (its TAP output closed) and by
# SIGKILL. No process may be left; no TMPDIR after SIGKILL during a case,
# none after the next fork-only run in any case.
row_leftovers() {
    local mode
    for mode in none denied full; do
        local -a env=(env)
        case $mode in
        none) env=(env TESTCAGE_NS=none) ;;
        denied) env=("$RESTRICT" --deny-ns --) ;;
        esac
        local _
        for _ in 1 2 3; do
            set +e
            # --timeout: a runner whose SIGPIPE comes late does not wait 30 s.
            "${env[@]}" "$SUITE" -j 2 --timeout 2 --grace 0.2 --tap --filter ran --filter litters --filter fails --filter waits 2>/dev/null | head -1 >/dev/null
            set -e
        done
        # SIGPIPE comes as the runner prints a result, often when none of
        # its cases runs: then the empty TMPDIR it held for its next case
        # is left for the next fork-only run to remove (the runner's inits
        # remove it when one still runs). Processes never survive.
        [[ $mode == full ]] || run_cmd env TESTCAGE_NS=none "$SUITE" --filter ran
        no_leftovers "$mode: SIGPIPE (and the run after it)"
        : >"$RAN"
        "${env[@]}" "$SUITE" -j 2 --filter waits --filter ran >/dev/null 2>&1 &
        local pid=$!
        wait_for_line "$RAN" waits || true
        wait_for_line "$RAN" ran || true
        # Fork only, the finished case's empty TMPDIR is the runner's spare
        # now (for a next case): the waiting case's init must remove it too.
        if [[ $mode != full ]]; then
            sleep 0.3
            local held
            held=$(find "$BASE" -maxdepth 1 -name "testcage.$pid.*" | wc -l)
            ((held == 2)) || note_fail "$mode: $held TMPDIRs of the runner before SIGKILL, not 2 (its case's and the spare)"
        fi
        kill -KILL "$pid"
        wait "$pid" 2>/dev/null || true
        sleep 0.3
        no_leftovers "$mode: SIGKILL"
    done
    # A TMPDIR a SIGKILLed runner could not remove (killed between making
    # it and cloning the init) is removed by the next fork-only run.
    local dead ns stale
    sh -c 'exit 0' &
    dead=$!
    wait "$dead"
    ns=$(stat -L -c %i /proc/self/ns/pid)
    stale=$(mktemp -d "$BASE/testcage.$dead.$ns.XXXXXX")
    echo x >"$stale/f"
    live=$(mktemp -d "$BASE/testcage.$$.$ns.XXXXXX")
    run_cmd env TESTCAGE_NS=none "$SUITE" --filter ran
    expect_rc 0 "the run after a dead one"
    [[ ! -e $stale ]] || note_fail "the dead runner's TMPDIR $stale was not removed"
    [[ -e $live ]] || note_fail "a live process's TMPDIR $live was removed"
    rm -rf "$live"
    : >"$RAN"
}

"row_$1"
