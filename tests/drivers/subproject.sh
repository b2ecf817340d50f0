#!/usr/bin/env bash
# subproject.sh subdir|fetchcontent|no-cmocka - testcage inside a consumer's
# build must not change it: its own library stays static, its build type stays
# unset, testcage's sources get no -Werror, `cmake --install` installs only the
# consumer's files, and under EXCLUDE_FROM_ALL the caged test still runs.
# shellcheck source=../cmake/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cmake/lib.sh"
DRIVERS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MODE=${1:?usage: subproject.sh subdir|fetchcontent|no-cmocka}
fresh "$SCRATCH"
B=$SCRATCH/build
args=("-DTESTCAGE_SOURCE_DIR=$TESTCAGE_SOURCE_DIR" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
cmocka=YES
case $MODE in
subdir) ;;
fetchcontent) args+=(-DUSE_FETCHCONTENT=ON) ;;
no-cmocka)
    # A machine without cmocka: pkg-config sees libcap only.
    mkdir -p "$SCRATCH/pc"
    cp "$(pkg-config --variable=pcfiledir libcap)/libcap.pc" "$SCRATCH/pc/"
    export PKG_CONFIG_LIBDIR=$SCRATCH/pc
    cmocka=NO
    ;;
*) fail_now "unknown mode $MODE" ;;
esac

run_logged "$SCRATCH/configure.log" cmake -S "$DRIVERS/subproject" -B "$B" "${args[@]}"
want="conslib=STATIC_LIBRARY
build_type=[]
shared=[]
cmocka=$cmocka
main=YES"
[ "$(cat "$B/facts.txt")" = "$want" ] || fail_now "the consumer changed:
$(diff <(echo "$want") "$B/facts.txt")"
grep -q '^CMAKE_BUILD_TYPE:STRING=$' "$B/CMakeCache.txt" || fail_now "CMAKE_BUILD_TYPE was forced"
! grep -q '^BUILD_SHARED_LIBS:' "$B/CMakeCache.txt" || fail_now "BUILD_SHARED_LIBS reached the cache"

run_logged "$SCRATCH/build.log" cmake --build "$B" -j "$JOBS"
[ -f "$B/libconslib.a" ] || fail_now "the consumer's library is not static"
python3 - "$B/compile_commands.json" <<'PY' || fail_now "testcage's sources were built with -Werror"
import json, sys
cmds = [c for c in json.load(open(sys.argv[1])) if c["file"].endswith("/lib/cage.c")]
assert cmds, "lib/cage.c not compiled"
assert all("-Werror" not in c["command"] for c in cmds), cmds[0]["command"]
assert all("-Wall" in c["command"] for c in cmds), cmds[0]["command"]
PY

# EXCLUDE_FROM_ALL: `all` built the CLI anyway, so the caged test runs.
log=$SCRATCH/ctest.log
run_logged "$log" ctest --test-dir "$B" --output-on-failure
expect_file_regex "$log" "100% tests passed, 0 tests failed out of 1" "the caged test ran"

# The consumer's install: its own two files, nothing of testcage's.
run_logged "$SCRATCH/install.log" cmake --install "$B" --prefix "$SCRATCH/prefix"
got=$(cd "$SCRATCH/prefix" && find . -type f | sort)
want=$'./bin/consprog\n./lib/libconslib.a'
[ "$got" = "$want" ] || fail_now "cmake --install installed more than the consumer's files:
$got"
echo "subproject ($MODE): the consumer is unchanged and its caged test runs"
