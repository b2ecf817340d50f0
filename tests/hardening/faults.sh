#!/bin/bash
# faults.sh CHECK - one fault-injection check of the CLI and the linked runner:
# each fault must give a clear per-case error, the other cases still report,
# and nothing (process, /tmp or /dev/shm file, cgroup) stays behind.
set -u
# shellcheck source=../shell/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"

CLI=${TESTCAGE_CLI:?TESTCAGE_CLI: the testcage CLI}
CASES=${FAULT_CASES:?FAULT_CASES: the hardening_fault_cases binary}
PROG=${FAULT_PROG:?FAULT_PROG: the hardening_fault_prog binary}
PYTHON3=${PYTHON3:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tchardening.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
TC_NFAILED=0

# Every case of fault_cases with its normal status (sigstop is left out where
# a run should be quick; it is its own check).
NORMAL=(a_pass_before=pass closefds_fail=fail closefds_pass=pass
    closefds_then_testcage_fail=fail respawn=pass z_pass_after=pass
    limit_forkbomb=skip limit_alloc=skip limit_fill=skip)

# check_json FILE ARGS...: the report lists exactly these cases (see check_json.py).
check_json() {
    "$PYTHON3" "$HERE/check_json.py" "$@" || note_fail "report $1 (above)"
}

# expect_status_in WHAT GOT WANT...: GOT must be one of WANT.
expect_status_in() {
    local what=$1 got=$2 w
    shift 2
    for w in "$@"; do
        [ "$got" = "$w" ] && return 0
    done
    note_fail "$what: exit status $got, expected one of: $*"
}

# Nothing left behind: no process of the fault binaries, no tcfault file in
# the host's /tmp or /dev/shm, no cage cgroup of a runner that is gone.
nothing_left() {
    local what=$1 p exe dir pid left=()
    sleep 0.2 # a SIGKILLed cage's processes take a moment to be reaped
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        if [ "$exe" = "$CASES" ] || [ "$exe" = "$PROG" ]; then
            left+=("process ${p#/proc/} ($(tr '\0' ' ' <"$p/cmdline" 2>/dev/null))")
            kill -KILL "${p#/proc/}" 2>/dev/null # do not poison later checks
        fi
    done
    for p in /tmp/tcfault-* /dev/shm/tcfault-*; do
        [ -e "$p" ] && left+=("file $p")
    done
    while IFS= read -r dir; do
        pid=${dir##*/testcage.}
        pid=${pid%%.*}
        [ -d "/proc/$pid" ] || left+=("cgroup $dir")
    done < <(find /sys/fs/cgroup/pids /sys/fs/cgroup/memory /sys/fs/cgroup/unified \
        -maxdepth 6 -type d -name 'testcage.*' 2>/dev/null)
    for p in "${left[@]}"; do
        note_fail "$what: left behind: $p"
    done
}

# A tiny fd limit: every run ends (no hang, no crash), every case reports,
# and a case that could not get its fds says so.
check_fd_limit() {
    local n j rc
    for n in 8 10 12 14 16 20 24; do
        for j in 1 2; do
            echo "== linked runner, ulimit -n $n, -j $j"
            rc=0
            (ulimit -n "$n" && exec timeout -s KILL 30 "$CASES" -j "$j" --filter -sigstop \
                --json "$WORK/fd.json" >"$WORK/fd.log" 2>&1) || rc=$?
            expect_status_in "ulimit -n $n -j $j (log: $(tail -3 "$WORK/fd.log" | tr '\n' ' '))" "$rc" 1
            [ "$rc" = 137 ] && echo "   (killed after 30 s: the runner hung)"
            check_json "$WORK/fd.json" --setup-error 'Too many open files' "${NORMAL[@]}"
            rm -f "$WORK/fd.json"
            nothing_left "ulimit -n $n -j $j"
        done
    done
    for n in 5 6 8 10; do
        echo "== CLI, ulimit -n $n"
        rc=0
        (ulimit -n "$n" && exec timeout -s KILL 30 "$CLI" -- "$PROG" pass) >"$WORK/cli.log" 2>&1 || rc=$?
        cat "$WORK/cli.log"
        expect_status_in "CLI ulimit -n $n" "$rc" 0 125
        if [ "$rc" = 125 ] && ! grep -q '^testcage: .*Too many open files' "$WORK/cli.log"; then
            note_fail "CLI ulimit -n $n: exit 125 without a one-line 'Too many open files' error"
        fi
        nothing_left "CLI ulimit -n $n"
    done
}

# The runner in a cgroup v1 pids group with a tiny pids.max: clone (or the
# init's fork of the body) fails with EAGAIN; each case says so, none hangs.
check_clone_eagain() {
    local own base dir max rc
    own=$(awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' /proc/self/cgroup)
    base=/sys/fs/cgroup/pids${own%/}
    if [ ! -w "$base" ]; then
        echo "SKIP: no writable cgroup v1 pids hierarchy at $base"
        exit 77
    fi
    for max in 1 2 3 5; do
        echo "== linked runner -j 2 in a pids cgroup with pids.max $max"
        dir=$base/tcfault-pids.$$.$max
        if ! mkdir "$dir" || ! echo "$max" >"$dir/pids.max"; then
            note_fail "cannot make $dir"
            continue
        fi
        rc=0
        # shellcheck disable=SC2016 # the inner shell expands $$, $1 and $@
        timeout -s KILL 60 sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$dir" \
            "$CASES" -j 2 --filter -sigstop --json "$WORK/pids.json" >"$WORK/pids.log" 2>&1 || rc=$?
        expect_status_in "pids.max $max" "$rc" 1
        # respawn forks: under the limit its fork may fail (exit 4), which is its own failure.
        check_json "$WORK/pids.json" --setup-error '(cannot clone the cage|cannot fork the test body): Resource temporarily unavailable' \
            "${NORMAL[@]/respawn=pass/respawn=pass|fail}"
        if [ "$max" = 1 ] && grep -q '"status":"pass"' "$WORK/pids.json"; then
            note_fail "pids.max 1: a case passed although no cage can be cloned"
        fi
        rm -f "$WORK/pids.json"
        rmdir "$dir" 2>/dev/null || note_fail "pids.max $max: $dir still has tasks: $(cat "$dir/cgroup.procs")"
        nothing_left "pids.max $max"
    done
}

# --tmp-size 1m: writing 2 MiB gets ENOSPC in the cage; the host gets nothing.
check_tmp_full() {
    local rc=0
    echo "== CLI --tmp-size 1m, 2 MiB written to /tmp"
    timeout -s KILL 60 "$CLI" --tmp-size 1m -- "$PROG" fill >"$WORK/out" 2>"$WORK/err" || rc=$?
    cat "$WORK/out" "$WORK/err"
    expect_status_in "--tmp-size 1m fill" "$rc" 3
    grep -q 'No space left on device' "$WORK/out" || note_fail "fill: no ENOSPC seen by the program"
    [ -e /tmp/tcfault-fill ] && note_fail "the cage's /tmp file reached the host /tmp"
    rc=0
    echo "== the next cage has its whole /tmp again"
    timeout -s KILL 60 "$CLI" --tmp-size 4m -- "$PROG" fill >"$WORK/out" 2>&1 || rc=$?
    expect_status_in "--tmp-size 4m fill" "$rc" 0
    nothing_left "tmp_full"
}

# Chains of processes that exit and respawn while the cage scans /proc.
check_proc_vanish() {
    local i rc
    for i in 1 2 3 4 5 6 7 8 9 10; do
        rc=0
        timeout -s KILL 60 "$CASES" -j 2 --filter 'a_*' --filter respawn --filter 'z_*' \
            --json "$WORK/respawn.json" >"$WORK/respawn.log" 2>&1 || rc=$?
        expect_status_in "linked respawn run $i (log: $(tail -3 "$WORK/respawn.log" | tr '\n' ' '))" "$rc" 0
        check_json "$WORK/respawn.json" a_pass_before=pass respawn=pass z_pass_after=pass >/dev/null
        rm -f "$WORK/respawn.json"
        rc=0
        timeout -s KILL 60 "$CLI" -- "$PROG" respawn >"$WORK/cli.log" 2>&1 || rc=$?
        expect_status_in "CLI respawn run $i (log: $(tail -3 "$WORK/cli.log" | tr '\n' ' '))" "$rc" 0
    done
    echo "== 10 linked and 10 CLI runs with respawning chains done"
    nothing_left "proc_vanish"
}

# The test closes every fd >= 3 (its report channel too): the verdict still
# comes from its wait status.
check_pipe_closed() {
    local rc=0
    timeout -s KILL 60 "$CASES" -j 2 --filter 'closefds*' --filter 'a_*' --filter 'z_*' \
        --json "$WORK/closed.json" >"$WORK/closed.log" 2>&1 || rc=$?
    expect_status_in "linked closefds" "$rc" 1
    check_json "$WORK/closed.json" a_pass_before=pass closefds_fail=fail closefds_pass=pass \
        closefds_then_testcage_fail=fail z_pass_after=pass
    "$PYTHON3" - "$WORK/closed.json" <<'PY' || note_fail "closefds exit codes (above)"
import json, sys
cases = {c["name"]: c for c in json.load(open(sys.argv[1]))["cases"]}
want = {"closefds_fail": 3, "closefds_pass": 0, "closefds_then_testcage_fail": 1}
bad = [f"{n}: exit {cases[n]['exit_code']}, expected {w}" for n, w in want.items()
       if cases[n]["exit_code"] != w]
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
    rc=0
    timeout -s KILL 60 "$CLI" -- "$PROG" closefds-fail || rc=$?
    expect_status_in "CLI closefds-fail" "$rc" 3
    rc=0
    timeout -s KILL 60 "$CLI" -- "$PROG" closefds-pass || rc=$?
    expect_status_in "CLI closefds-pass" "$rc" 0
    nothing_left "pipe_closed"
}

# A test stopped by SIGSTOP at its deadline is still ended: TIMEOUT.
check_sigstop() {
    local rc=0
    timeout -s KILL 60 "$CASES" --filter sigstop --filter 'z_*' --json "$WORK/stop.json" \
        >"$WORK/stop.log" 2>&1 || rc=$?
    expect_status_in "linked sigstop" "$rc" 1
    check_json "$WORK/stop.json" sigstop=timeout z_pass_after=pass
    grep -q '"name":"sigstop".*"timed_out":true' "$WORK/stop.json" ||
        note_fail "sigstop: timed_out not set"
    rc=0
    timeout -s KILL 60 "$CLI" --timeout 1 --grace 0.5 --no-backtrace -- "$PROG" sigstop || rc=$?
    expect_status_in "CLI sigstop" "$rc" 124
    nothing_left "sigstop"
}

# --max-procs 20 contains a fork bomb: fork fails with EAGAIN inside the cage,
# the cage ends, the host keeps nothing; the mechanism is said once.
check_max_procs() {
    local rc=0 made
    timeout -s KILL 60 "$CLI" --max-procs 20 -- "$PROG" forkbomb >"$WORK/out" 2>"$WORK/err" || rc=$?
    cat "$WORK/out"
    grep -v 'leaked process' "$WORK/err"
    expect_status_in "--max-procs 20 forkbomb" "$rc" 3
    made=$(sed -n 's/^forkbomb: fork failed after \([0-9]*\) children.*/\1/p' "$WORK/out")
    if [ -z "$made" ] || [ "$made" -ge 20 ]; then
        note_fail "fork bomb made ${made:-?} children under --max-procs 20"
    fi
    [ "$(grep -c '^testcage: limits enforced through ' "$WORK/err")" = 1 ] ||
        note_fail "'limits enforced through' not said exactly once"
    nothing_left "max_procs"
    check_linked_limits
}

# The linked runner's --max-procs, --memory and --tmp-size: each runaway fails
# its own case only, the cases around it pass, the mechanism is said once.
check_linked_limits() {
    local rc=0
    echo "== linked runner -j 2 --max-procs 20 --memory 64m --tmp-size 1m"
    FAULT_LIMITS=1 timeout -s KILL 120 "$CASES" -j 2 --max-procs 20 --memory 64m --tmp-size 1m \
        --filter 'limit_*' --filter 'a_*' --filter 'z_*' --json "$WORK/limits.json" \
        >"$WORK/limits.out" 2>"$WORK/limits.err" || rc=$?
    expect_status_in "linked limits" "$rc" 1
    check_json "$WORK/limits.json" a_pass_before=pass limit_forkbomb=fail limit_alloc=crash \
        limit_fill=fail z_pass_after=pass
    "$PYTHON3" - "$WORK/limits.json" <<'PY' || note_fail "linked limits: exit codes and signals (above)"
import json, sys
cases = {c["name"]: c for c in json.load(open(sys.argv[1]))["cases"]}
bad = []
if cases["limit_forkbomb"]["exit_code"] != 3:
    bad.append(f"limit_forkbomb: exit {cases['limit_forkbomb']['exit_code']}, expected 3 (EAGAIN)")
if cases["limit_alloc"]["signal"] != 9:
    bad.append(f"limit_alloc: signal {cases['limit_alloc']['signal']}, expected 9 (OOM kill)")
if cases["limit_fill"]["exit_code"] != 3:
    bad.append(f"limit_fill: exit {cases['limit_fill']['exit_code']}, expected 3 (ENOSPC)")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
    [ "$(grep -c '^testcage: limits enforced through ' "$WORK/limits.err")" = 1 ] ||
        note_fail "linked: 'limits enforced through' not said exactly once: $(grep -c 'limits enforced' "$WORK/limits.err")"
    nothing_left "linked limits"
}

# --memory 64m: the runaway is killed (137), the next cage runs normally.
check_memory() {
    local rc=0
    timeout -s KILL 60 "$CLI" --memory 64m -- "$PROG" alloc >"$WORK/out" 2>"$WORK/err" || rc=$?
    cat "$WORK/out" "$WORK/err"
    expect_status_in "--memory 64m alloc" "$rc" 137
    [ "$(grep -c '^testcage: limits enforced through ' "$WORK/err")" = 1 ] ||
        note_fail "'limits enforced through' not said exactly once"
    grep -q "^testcage: killed by the cage's memory limit" "$WORK/err" ||
        note_fail "the OOM kill is not named as the memory limit"
    rc=0
    timeout -s KILL 60 "$CLI" --memory 64m -- "$PROG" pass || rc=$?
    expect_status_in "--memory 64m, the following case" "$rc" 0
    nothing_left "memory"
}

check=${1:?usage: faults.sh CHECK}
"check_$check"
if [ "$TC_NFAILED" -gt 0 ]; then
    echo "faults.sh $check: $TC_NFAILED failure(s)"
    exit 1
fi
echo "faults.sh $check: ok"
