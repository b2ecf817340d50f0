#!/bin/bash
# no_pidns.sh - namespace sets without a PID namespace (ipc, mount, uts, net)
# find and kill only the cage's own processes: a host process survives.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup no_pidns "$@"

# A host process the cage must never touch, marked so we can find it.
bash -c "exec -a 'keep-host-$$-$RANDOM' sleep 300" &
host_pid=$!
sleep 0.2

for ns in ipc mount uts,mount net; do
    cage --ns "$ns" --timeout 5 --grace 0.3 -- "$HOSTILE" daemon "$MARK"
    expect_rc 0 "--ns $ns daemon"
    expect_err_regex "^testcage: leaked process $HCOMM \(pid [0-9]+\): .*hostile daemon $MARK$" \
        "--ns $ns reports the daemon"
    kill -0 "$host_pid" 2>/dev/null || note_fail "--ns $ns killed a host process"
    check_host "$MARK"
    # A timeout without a PID namespace: term-then-kill reaches the cage only.
    cage --ns "$ns" --timeout 0.3 --grace 0.2 -- "$HOSTILE" ignore-term "$MARK"
    expect_rc 124 "--ns $ns ignore-term"
    kill -0 "$host_pid" 2>/dev/null || note_fail "--ns $ns timeout killed a host process"
    check_host "$MARK"
done
# Fork only: the private TMPDIR lives below the caller's TMPDIR and is gone
# afterwards, also when the program had to be killed at the timeout.
base=$WORK/tmpbase
mkdir -p "$base"
TMPDIR=$base cage --ns none --timeout 0.3 --grace 0.2 --no-backtrace -- "$HOSTILE" ignore-term "$MARK"
expect_rc 124 "--ns none ignore-term"
# shellcheck disable=SC2016 # $TMPDIR is the cage's, expanded inside it
TMPDIR=$base cage --ns none --timeout 5 -- sh -c 'echo x > "$TMPDIR/$1"' sh "$MARK"
expect_rc 0 "--ns none writing to its TMPDIR"
expect_err_regex "^testcage: leaked file $base/testcage\.[^/]*/$MARK \(2 bytes\)$" "TMPDIR litter reported"
left=$(find "$base" -mindepth 1 | head -5)
[[ -z $left ]] || note_fail "--ns none left its private TMPDIR behind: $left"
check_host "$MARK"
kill "$host_pid"
wait "$host_pid" 2>/dev/null || true
