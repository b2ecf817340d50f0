#!/bin/bash
# fallback.sh - where no namespace can be made (simulated by nons: a user namespace with
# max_user_namespaces=0, uid 65534, no caps) the CLI runs fork-only: what fork only still
# guarantees (kills, timeouts, private TMPDIR, runner death). The notice, its words and
# --require-isolation are tested per environment in tests/env (env.userns_limit and others).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup fallback "$@"
[[ -n $NONS && -x $NONS ]] || {
    note_fail "nons helper missing"
    exit 1
}

copy_for_nobody
mkdir -m 777 "$NOBODY_DIR/w"
cd "$NOBODY_DIR/w"

# First make sure the simulation holds: clone() with any namespace flag fails.
run_cmd "$NONSN" --check
expect_rc 0 "nons --check: no namespace can be created"
expect_err_regex '^nons: clone\(CLONE_NEWUSER\) fails: '

caged() {
    run_cmd "$NONSN" env "${NOBODY_ENV[@]}" "$@"
}

caged "$TCN" --timeout 5 -- "$HOSTILEN" exit 3 "$MARK"
expect_rc 3 "fallback: status passes through"

caged env TESTCAGE_REQUIRE_ISOLATION=1 "$TCN" --timeout 5 -- /bin/sh -c "touch $NOBODY_DIR/w/ran"
expect_rc 125 "TESTCAGE_REQUIRE_ISOLATION=1 without namespaces"
[[ ! -e $NOBODY_DIR/w/ran ]] || note_fail "TESTCAGE_REQUIRE_ISOLATION=1: the program ran"

# Fork-only still kills what the program leaves, setsid daemons included.
caged "$TCN" --timeout 5 -- "$HOSTILEN" daemon "$MARK"
expect_rc 0 "fallback: daemon"
check_host "$MARK"
pids=$(pgrep -f -- "hostile daemon $MARK" || true)
[[ -z $pids ]] || note_fail "fallback: daemon survived: $pids"

caged "$TCN" --timeout 5 -- "$HOSTILEN" children 20 "$MARK"
expect_rc 0 "fallback: 20 children"
pids=$(pgrep -f -- "hostile children 20 $MARK" || true)
[[ -z $pids ]] || note_fail "fallback: children survived: $pids"

caged "$TCN" --timeout 0.5 --grace 0.3 -- "$HOSTILEN" ignore-term "$MARK"
expect_rc 124 "fallback: timeout with SIGKILL"
caged "$TCN" --timeout 0.5 --grace 0.3 -- "$HOSTILEN" daemon stay "$MARK"
expect_rc 124 "fallback: timeout with a daemon"
pids=$(pgrep -f -- "hostile daemon stay $MARK" || true)
[[ -z $pids ]] || note_fail "fallback: timed-out daemon survived: $pids"

caged "$TCN" --timeout 5 -- "$HOSTILEN" segv "$MARK"
expect_rc 139 "fallback: segfault"

# A private TMPDIR, removed afterwards.
# shellcheck disable=SC2016 # expanded by the caged shell
caged "$TCN" --timeout 5 -- /bin/sh -c 'echo "tmpdir=$TMPDIR"; : > "$TMPDIR/f"'
expect_rc 0 "fallback: TMPDIR"
tmpdir=$(sed -n 's/^tmpdir=//p' "$OUT")
[[ -n $tmpdir && $tmpdir != /tmp && $tmpdir != /tmp/ ]] || note_fail "fallback: TMPDIR not private: '$tmpdir'"
[[ -z $tmpdir || ! -e $tmpdir ]] || {
    note_fail "fallback: private TMPDIR $tmpdir left on the host"
    rm -rf "$tmpdir"
}


# Fork-only and the runner dies: SIGTERM tears down (143), SIGKILL must leave nothing either.
for sig in TERM KILL; do
    m="$MARK-$sig"
    : >"$OUT"
    "$NONSN" env "${NOBODY_ENV[@]}" "$TCN" --timeout 30 -- "$HOSTILEN" daemon stay "$m" >"$OUT" 2>"$ERR" &
    for ((i = 0; i < 100; i++)); do
        grep -q '^daemon spawned$' "$OUT" && break
        sleep 0.05
    done
    wait_marked "$m" 4 || true # runner, its fork-only init, body, daemon
    runner=$(pgrep -o -f -- "^$TCN --timeout 30 -- $HOSTILEN daemon stay $m\$" || true)
    if [[ -z $runner ]]; then
        note_fail "fallback SIG$sig: runner not found"
        continue
    fi
    TC_LAST="nons testcage -- hostile daemon stay (kill -$sig the runner)"
    kill -"$sig" "$runner"
    set +e
    wait $!
    RC=$?
    set -e
    if [[ $sig == TERM ]]; then expect_rc 143 "fallback: SIGTERM to testcage"; fi
    sleep 0.3
    pids=$(marked_pids "$m")
    if [[ -n $pids ]]; then
        note_fail "fallback: runner got SIG$sig, these survived: $(ps -o pid=,args= -p "$(echo "$pids" | paste -sd,)" | tr '\n' ';')"
        # shellcheck disable=SC2086
        kill -9 $pids 2>/dev/null || true
    fi
done
