#!/usr/bin/env bash
# samples.sh build-tree|installed|subdir|fetchcontent - configure, build and ctest the
# samples project against testcage's build tree, an installed prefix
# (find_package), or its source tree (add_subdirectory, FetchContent); check verdicts,
# its JUnit output, the host afterwards, and -T memcheck's refusal.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MODE=${1:?usage: samples.sh build-tree|installed|subdir|fetchcontent}
fresh "$SCRATCH"
B=$SCRATCH/samples
case $MODE in
build-tree)
    how=("-DTestCage_DIR=$TESTCAGE_BUILD_DIR/cmake")
    ;;
installed)
    prefix=$SCRATCH/prefix
    run_logged "$SCRATCH/install.log" cmake --install "$TESTCAGE_BUILD_DIR" --prefix "$prefix"
    for f in bin/testcage lib/libtestcage.so lib/libtestcage.a include/testcage/testcage.h \
        include/testcage/version.h include/testcage/cmocka.h include/testcage/test.h \
        lib/cmake/TestCage/TestCageConfig.cmake lib/cmake/TestCage/TestCageConfigVersion.cmake \
        lib/cmake/TestCage/TestCage.cmake share/testcage/TestCageCageAll.cmake \
        share/man/man1/testcage.1 lib/pkgconfig/testcage.pc lib/pkgconfig/testcage-cmocka.pc \
        lib/pkgconfig/testcage-main.pc; do
        [ -e "$prefix/$f" ] || fail_now "not installed: $f"
    done
    "$prefix/bin/testcage" --version | grep -q "^testcage [0-9]" || fail_now "installed CLI --version"
    # pkg-config from the prefix: compile, link and run a program that cages a function.
    export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
    flags=$(pkg-config --cflags --libs testcage) || fail_now "pkg-config testcage"
    pkg-config --exists testcage-cmocka testcage-main || fail_now "pkg-config runner modules"
    cat >"$SCRATCH/pc.c" <<'C'
#include <testcage/testcage.h>
#include <unistd.h>
static int body(void *arg) { (void)arg; return getpid() == 2 ? 0 : 1; }
int main(void)
{
    testcage_opts o;
    testcage_result r;
    testcage_opts_init(&o);
    o.fn = body;
    if (testcage_run(&o, &r) != 0)
        return 2;
    int ok = r.status == TESTCAGE_PASS;
    testcage_result_free(&r);
    return ok ? 0 : 1;
}
C
    # shellcheck disable=SC2086
    run_logged "$SCRATCH/pc.log" cc -std=c11 -Wall -Wextra -Werror "$SCRATCH/pc.c" -o "$SCRATCH/pc" $flags \
        "-Wl,-rpath,$prefix/lib"
    run_logged "$SCRATCH/pc.log" "$SCRATCH/pc"
    how=("-DCMAKE_PREFIX_PATH=$prefix")
    # The cage-all module from its documented installed path.
    SCRATCH=$SCRATCH/cageall bash "$HERE/cageall.sh" "$prefix/share/testcage/TestCageCageAll.cmake"
    ;;
subdir)
    how=("-DTESTCAGE_SOURCE_DIR=$TESTCAGE_SOURCE_DIR")
    ;;
fetchcontent)
    how=("-DTESTCAGE_SOURCE_DIR=$TESTCAGE_SOURCE_DIR" -DTESTCAGE_FETCH=ON)
    ;;
*) fail_now "unknown mode $MODE" ;;
esac

rm -f /tmp/sample-litter.txt /dev/shm/sample-litter.shm
run_logged "$SCRATCH/configure.log" cmake -S "$TESTCAGE_SOURCE_DIR/samples" -B "$B" "${how[@]}"
run_logged "$SCRATCH/build.log" cmake --build "$B" -j "$JOBS"
log=$SCRATCH/ctest.log
run_logged "$log" ctest --test-dir "$B" -j "$JOBS" --output-on-failure --output-junit "$B/junit.xml"
expect_file_regex "$log" "100% tests passed, 0 tests failed out of 16" "16 sample tests"
results=$(junit_results "$B/junit.xml" | sort)
want=$(sort <<'W'
cmocka.math/test_add run
cmocka.math/test_fresh_world run
cmocka.math/test_fresh_world_again run
cmocka.math/test_needs_network skipped
plain.string_compare run
plain.private_tmp run
plain.pid_two run
plain.slow_but_allowed run
legacy run
legacy.skip skipped
misbehave.daemon run
misbehave.daemon.warn run
misbehave.litter run
misbehave.hang run
misbehave.ignore_term run
misbehave.fork_bomb run
W
)
[ "$results" = "$want" ] || fail_now "junit results differ:
$(diff <(echo "$want") <(echo "$results"))"
xmllint --noout "$B/junit.xml" || fail_now "junit output is not well-formed"

# The host afterwards: no litter, no daemon.
[ ! -e /tmp/sample-litter.txt ] || fail_now "litter reached the host /tmp"
[ ! -e /dev/shm/sample-litter.shm ] || fail_now "litter reached the host /dev/shm"
! pgrep -f "$B/misbehave" >/dev/null || fail_now "a misbehave process outlived its cage"

# ctest -T memcheck refuses with an explanation instead of checking the runner.
log=$SCRATCH/memcheck.log
if ctest --test-dir "$B" -T memcheck -R legacy >"$log" 2>&1; then
    fail_now "ctest -T memcheck ran on the testcage runner"
fi
expect_file_regex "$log" "ctest -T memcheck. is not supported for caged tests" "memcheck explains"
# The supported memcheck path: valgrind inside the cage, on the test itself.
log=$SCRATCH/valgrind.log
TESTCAGE_VALGRIND=1 run_logged "$log" ctest --test-dir "$B" -R '^(legacy|plain.string_compare)$' \
    --output-on-failure
expect_file_regex "$log" "100% tests passed, 0 tests failed out of 2" "caged tests under valgrind"
echo "samples ($MODE): 16 tests with the expected verdicts"
