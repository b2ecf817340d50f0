#!/bin/bash
# leaks_procs.sh - processes left behind are reported (command name, pid, command line) and
# killed: a setsid double-fork daemon (also 450 times at three at once), 50 children, a
# fork-and-exit respawner; zombies are not leaks.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup leaks_procs "$@"

cage --timeout 5 --grace 0.3 -- "$HOSTILE" daemon "$MARK"
expect_rc 0 "daemon (leaks=warn keeps the pass)"
expect_out_regex '^daemon spawned$'
expect_err_regex "^testcage: leaked process $HCOMM \(pid [0-9]+\): .*hostile daemon $MARK$" "daemon leak line"
check_host "$MARK"

# The daemon's middle process forks and dies while the leak report scans
# /proc: a single scan could miss the grandchild (about 1 run in 150 with
# three at once). Three loops of 150 runs at once: every one must fail.
daemon_loop() {
    local k missed=0
    for ((k = 0; k < 150; k++)); do
        "$TC" --leaks fail --timeout 5 --grace 0.3 -- "$HOSTILE" daemon-nowait "$MARK" >/dev/null 2>&1 &&
            missed=$((missed + 1))
    done
    echo "$missed"
}
missed=0
for m in $( (daemon_loop & daemon_loop & daemon_loop & wait) ); do
    missed=$((missed + m))
done
((missed == 0)) || note_fail "a daemon went unreported by --leaks fail in $missed of 450 runs"
check_host "$MARK"

cage --timeout 5 --grace 0.3 -- "$HOSTILE" children 50 "$MARK"
expect_rc 0 "50 children"
lines=$(grep -c "^testcage: leaked process $HCOMM (pid [0-9]*): " "$ERR" || true)
more=$(sed -n 's/^testcage: \.\.\. and \([0-9]*\) more leaked process.*/\1/p' "$ERR")
((lines + ${more:-0} == 50)) || note_fail "50 children: $lines leak lines + ${more:-0} more != 50"
((lines >= 1)) || note_fail "50 children: no leak line"
check_host "$MARK"

# The chain keeps forking after the body exits; it must be gone all the same.
cage --timeout 5 --grace 0.3 -- "$HOSTILE" respawn "$MARK"
((RC == 0 || RC == 124)) || note_fail "respawner: expected exit 0 (or 124), got $RC"
check_host "$MARK"
cage --timeout 0.5 --grace 0.3 -- "$HOSTILE" respawn "$MARK"
((RC == 0 || RC == 124)) || note_fail "respawner with short timeout: expected exit 0 (or 124), got $RC"
check_host "$MARK"

# Zombies: dead children the program never reaped are no leak.
cage --timeout 5 -- "$HOSTILE" zombies 20 "$MARK"
expect_rc 0 "zombies"
expect_out_regex '^zombies 20$' "the program sees its 20 zombies"
expect_no_err_regex 'leaked process' "zombies are not leaked processes"

# --leaks=fail turns a passing program with a leftover process into 122.
cage --timeout 5 --leaks=fail -- "$HOSTILE" daemon "$MARK"
expect_rc 122 "daemon under --leaks=fail"
expect_err_regex "^testcage: leaked process $HCOMM" "daemon under --leaks=fail"
# ... but a failing one keeps its own status.
cage --timeout 5 --leaks fail -- /bin/sh -c "\"\$0\" daemon $MARK; exit 5" "$HOSTILE"
expect_rc 5 "failing program with a daemon under --leaks=fail"

# A command line with a newline cannot forge a report line.
cage --timeout 5 -- /bin/bash -c "(exec -a \$'x$MARK\ntestcage: leaked process fake (pid 99): evil' sleep 30 &); sleep 0.3; exit 0"
expect_rc 0 "process with a newline in its command line"
expect_no_err_regex '^testcage: leaked process fake' "a command line forged a leak line"
expect_err_regex "^testcage: leaked process sleep \(pid [0-9]+\): x$MARK" "the real leak line"
n=$(grep -c '^testcage: ' "$ERR" || true)
[[ $n == 1 ]] || note_fail "newline in a command line: expected 1 report line, got $n"
