#!/usr/bin/env bash
# automake.sh - the README's Makefile.am snippet with Debian's autoconf and
# automake: LOG_COMPILER = testcage; verdicts from the harness's .trs files,
# exit 77/99 passing through as SKIP/ERROR, leak lines in the test's .log, and
# a program linked with libtestcage from a custom prefix found via its rpath.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fresh "$SCRATCH"
install_prefix "$SCRATCH/prefix"
project automake
P=$SCRATCH/automake
run_logged "$SCRATCH/autoreconf.log" bash -c "cd '$P' && autoreconf -fi"
run_logged "$SCRATCH/configure.log" bash -c "cd '$P' && ./configure"
# make check fails: drv-hard exits 99, a hard error under the cage as without it.
log=$SCRATCH/check.log
if make -C "$P" -j "$JOBS" check >"$log" 2>&1; then
    fail_now "make check passed despite exit 99"
fi
expect_file_regex "$P/test-suite.log" "^# ERROR: 1$" "one hard error"
expect_file_regex "$P/test-suite.log" "^# PASS:  4$" "four passes (one a TAP case)"
expect_file_regex "$P/test-suite.log" "^# FAIL:  1$" "one failure: the failing TAP case, not an ERROR for its status"

# verdict TEST: the harness's result for TEST.
verdict() { sed -n 's/^:test-result: //p' "$P/$1.trs"; }
for pair in drv-pass:PASS drv-skip:SKIP drv-hard:ERROR drv-fail:XFAIL drv-litter:PASS drv-linked:PASS; do
    t=${pair%%:*}
    [ "$(verdict "$t")" = "${pair#*:}" ] || fail_now "$t: $(verdict "$t"), not ${pair#*:}"
done
# The linked runner's TAP lines, one verdict each, and no ERROR for its exit
# status (TESTCAGE_TAP_EXIT=stream from AM_TESTS_ENVIRONMENT).
[ "$(verdict suite | tr '\n' ' ')" = "PASS FAIL " ] || fail_now "suite.tap: $(verdict suite | tr '\n' ' ')"
expect_file_regex "$P/suite.log" "^not ok 2 - fails" "the failing case in the TAP log"
expect_file_regex "$P/drv-litter.log" "^testcage: leaked file /dev/shm/drvprog-litter-0 \(0 bytes\)$" \
    "leak lines in the test's log"
[ ! -e /dev/shm/drvprog-litter-0 ] || fail_now "litter reached the host"
rpath=$(readelf -d "$P/drv-linked" | sed -n 's/.*R[UN]*PATH.*\[\(.*\)\]$/\1/p')
if [ -z "$rpath" ] || [ "$(realpath "$rpath")" != "$(realpath "$SCRATCH/prefix/lib")" ]; then
    fail_now "drv-linked's rpath '$rpath' is not the prefix's lib"
fi

echo "automake: LOG_COMPILER = testcage cages every test; 77/99 pass through"
