#!/usr/bin/env bash
# launcher.sh - CMake 3.31 from Debian's bookworm-backports (downloaded with
# apt into the build tree, beside the system's CMake 3.25): CMAKE_TEST_LAUNCHER
# cages tests whose COMMAND names a target and misses $<TARGET_FILE:...> and
# scripts, as the README says; the cage-all module cages all three on 3.31
# and 3.25.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fresh "$SCRATCH"
TC=$TESTCAGE_BUILD_DIR/runner/testcage
CAGEALL=$TESTCAGE_BUILD_DIR/cmake/TestCageCageAll.cmake

# cmake331: CMake from bookworm-backports, unpacked once per build tree.
cmake331() {
    local cache=$TESTCAGE_BUILD_DIR/tests/drivers/cmake-backports
    if ! "$cache/root/usr/bin/cmake" --version 2>/dev/null | grep -q '^cmake version 3\.3[1-9]'; then
        rm -rf "$cache"
        mkdir -p "$cache/parts" "$cache/lists/partial" "$cache/cache" "$cache/debs" "$cache/root"
        # The backports suite of the machine's own Debian mirror, in a private
        # apt state: the system's sources and package lists stay untouched.
        local uri
        uri=$(awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ { print u; exit }' \
            /etc/apt/sources.list.d/*.sources 2>/dev/null)
        [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
            /etc/apt/sources.list 2>/dev/null)
        [ -n "$uri" ] || fail_now "no bookworm mirror in the apt sources"
        printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
            "$uri" /usr/share/keyrings/debian-archive-keyring.gpg >"$cache/parts/backports.sources"
        local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$cache/parts"
            -o "Dir::State::Lists=$cache/lists" -o "Dir::Cache=$cache/cache"
            -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
        run_logged "$SCRATCH/apt.log" apt-get "${opts[@]}" update
        local v
        v=$(apt-cache "${opts[@]}" show cmake/bookworm-backports | sed -n 's/^Version: //p' | head -n 1)
        [ -n "$v" ] || fail_now "no cmake in bookworm-backports"
        (cd "$cache/debs" && run_logged "$SCRATCH/apt.log" apt-get "${opts[@]}" download "cmake=$v" "cmake-data=$v")
        for deb in "$cache"/debs/*.deb; do
            dpkg-deb -x "$deb" "$cache/root"
        done
    fi
    CMAKE331=$cache/root/usr/bin/cmake
    CTEST331=$cache/root/usr/bin/ctest
}
cmake331
"$CMAKE331" --version | grep -q '^cmake version 3\.3[1-9]' || fail_now "CMake 3.31 does not run"

# verdicts_of CMAKE CTEST NAME ARGS...: configure, build and ctest the launcher
# project; prints "test status" lines.
verdicts_of() {
    local cm=$1 ct=$2 b=$SCRATCH/$3
    shift 3
    run_logged "$SCRATCH/configure.log" "$cm" -S "$SCRATCH/launcher" -B "$b" "$@"
    run_logged "$SCRATCH/build.log" "$cm" --build "$b" -j "$JOBS"
    "$ct" --test-dir "$b" --output-junit "$b/junit.xml" >"$b.log" 2>&1 || true
    junit_results "$b/junit.xml" | sort
}
project launcher

# Without a cage every probe fails: the passes below prove caging.
got=$(verdicts_of "$CMAKE331" "$CTEST331" plain)
want=$(printf '%s failed\n' script target_file target_name)
[ "$got" = "$want" ] || fail_now "uncaged: $got"

# CMAKE_TEST_LAUNCHER: only the target-name form is caged.
got=$(verdicts_of "$CMAKE331" "$CTEST331" launcher "-DCMAKE_TEST_LAUNCHER=$TC")
want=$(printf '%s\n' "script failed" "target_file failed" "target_name run")
[ "$got" = "$want" ] || fail_now "CMAKE_TEST_LAUNCHER on 3.31: $got"

# The cage-all module: every form, on 3.31 and on the system's 3.25.
want=$(printf '%s run\n' script target_file target_name)
got=$(verdicts_of "$CMAKE331" "$CTEST331" cageall331 "-DCMAKE_PROJECT_INCLUDE=$CAGEALL")
[ "$got" = "$want" ] || fail_now "cage-all on 3.31: $got"
got=$(verdicts_of cmake ctest cageall325 "-DCMAKE_PROJECT_INCLUDE=$CAGEALL")
[ "$got" = "$want" ] || fail_now "cage-all on 3.25: $got"
echo "launcher: CMAKE_TEST_LAUNCHER cages the target form only; the cage-all module all three"
