#!/usr/bin/env bash
# meson.sh - the README's Meson snippet with Debian's meson: testcage found
# through pkg-config, `meson test --setup caged` and `--wrapper`; per-test
# verdicts from Meson's own log, leak lines in it, and a hang ended by the
# cage (exit 124, its report kept) before Meson's timeout.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fresh "$SCRATCH"
install_prefix "$SCRATCH/prefix"
project meson
B=$SCRATCH/build
run_logged "$SCRATCH/setup.log" meson setup "$B" "$SCRATCH/meson"
run_logged "$SCRATCH/compile.log" meson compile -C "$B"

# results FILE: "name result" per test of Meson's JSON test log.
results() {
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print(t["name"], t["result"], t["returncode"])' "$1" | sort
}

# Uncaged, the cage probe fails: the caged runs below prove something.
if meson test -C "$B" pass >"$SCRATCH/plain.log" 2>&1; then
    fail_now "drvprog pass passed without a cage"
fi

log=$SCRATCH/caged.log
run_logged "$log" meson test -C "$B" --setup caged pass skip fail litter linked
got=$(results "$B/meson-logs/testlog-caged.json")
want=$(sort <<'W'
fail EXPECTEDFAIL 1
linked OK 0
litter OK 0
pass OK 0
skip SKIP 77
W
)
[ "$got" = "$want" ] || fail_now "meson test --setup caged:
$(diff <(echo "$want") <(echo "$got"))"
txt=$B/meson-logs/testlog-caged.txt
expect_file_regex "$txt" "testcage: leaked file /dev/shm/drvprog-litter-1 \(0 bytes\)" "leak lines in Meson's log"
[ ! -e /dev/shm/drvprog-litter-0 ] || fail_now "litter reached the host"

# A hang: the cage's limit (2 s) is below Meson's (30 s), so the cage ends it
# (exit 124, FAIL) and its report is in the log, not Meson's TIMEOUT.
if meson test -C "$B" --setup caged hang >"$SCRATCH/hang.log" 2>&1; then
    fail_now "the hanging test passed"
fi
got=$(results "$B/meson-logs/testlog-caged.json")
[ "$got" = "hang FAIL 124" ] || fail_now "hang: $got"
expect_file_regex "$B/meson-logs/testlog-caged.txt" "testcage: .*drvprog timed out after 2 s" \
    "the cage's timeout report"

# meson test --wrapper: the same cage for one run, no setup needed.
log=$SCRATCH/wrapper.log
run_logged "$log" meson test -C "$B" --wrapper="$TC --timeout 20" pass skip litter linked
got=$(results "$B/meson-logs/testlog-testcage.json") # named after the wrapper
want=$(printf '%s\n' "linked OK 0" "litter OK 0" "pass OK 0" "skip SKIP 77")
[ "$got" = "$want" ] || fail_now "meson test --wrapper: $got"
expect_file_regex "$B/meson-logs/testlog-testcage.txt" "testcage: leaked file /dev/shm/drvprog-litter-0" \
    "leak lines under --wrapper"
# protocol: 'tap' with a linked runner: FAIL from the stream under
# TESTCAGE_TAP_EXIT=stream, ERROR from the exit status without it.
if meson test -C "$B" tap tap_status >"$SCRATCH/tap.log" 2>&1; then
    fail_now "a TAP suite with a failing case passed"
fi
got=$(results "$B/meson-logs/testlog.json")
want=$(printf '%s\n' "tap FAIL 0" "tap_status ERROR 1")
[ "$got" = "$want" ] || fail_now "meson TAP verdicts:
$(diff <(echo "$want") <(echo "$got"))"

echo "meson: --setup caged and --wrapper cage every test, verdicts and leaks as Meson reports them"
