#!/usr/bin/env bash
# exports.sh - install testcage into a scratch prefix; every installed shared
# library may export only the documented testcage_* API (libtestcage_main
# also main), sonames are versioned, and the static archives are there with
# no internal name left global; the installed CLI needs none of them.
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name 'libtestcage.so' | head -1)")
status=0
fail() { echo "FAIL: $*"; status=1; }

for lib in libtestcage libtestcage_cmocka libtestcage_main; do
    so=$libdir/$lib.so
    [ -e "$so" ] || { fail "$lib.so not installed"; continue; }
    soname=$(readelf -d "$so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
    [ "$soname" = "$lib.so.0" ] || fail "$lib.so: soname '$soname', want $lib.so.0"
    allowed='^(testcage_|_testcage_)'
    [ "$lib" = libtestcage_main ] && allowed='^(testcage_|_testcage_|main$)'
    extra=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -Ev "$allowed" || true)
    [ -z "$extra" ] || fail "$lib.so exports internal names: $(echo "$extra" | tr '\n' ' ')"
    api=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -Ec "$allowed" || true)
    [ "$api" -gt 0 ] || fail "$lib.so exports no API at all"
    a=$libdir/$lib.a
    [ -e "$a" ] || { fail "$lib.a not installed"; continue; }
    global=$(nm --defined-only "$a" | awk 'NF == 3 && $2 ~ /[A-Z]/ {print $3}' | grep -Ev "$allowed" || true)
    [ -z "$global" ] || fail "$lib.a leaves internal names global: $(echo "$global" | head -5 | tr '\n' ' ')"
done
# The README's static recipe: the installed archives by name, through
# pkg-config, for a TESTCAGE_TEST suite with its own wire_encode() and tc_now().
src=$(dirname "$0")
export PKG_CONFIG_PATH=$libdir/pkgconfig
bin=$prefix/clash_static
# pkg-config and STATIC_CFLAGS (the build's sanitizer flags) are several words:
# shellcheck disable=SC2046,SC2086
cc ${STATIC_CFLAGS:-} -I"$src" $(pkg-config --cflags testcage-main) "$src/clash_plain.c" -o "$bin" \
    -L"$(pkg-config --variable=libdir testcage)" -l:libtestcage_main.a -l:libtestcage.a \
    $(pkg-config --static --libs libcap) || fail "the README's static link recipe does not link"
if [ -x "$bin" ]; then
    ldd "$bin" | grep -q libtestcage && fail "the static recipe still loads a libtestcage*.so"
    "$bin" -j 2 --timeout 20 >/dev/null || fail "the statically linked suite does not pass"
fi
# The CLI has the library linked in: it runs with no libtestcage*.so left.
cli=$prefix/bin/testcage
if [ -x "$cli" ]; then
    readelf -d "$cli" | grep -q 'NEEDED.*libtestcage' && fail "the installed CLI needs a libtestcage*.so"
    rm -f "$libdir"/libtestcage*.so*
    out=$(env -u LD_LIBRARY_PATH "$cli" -- sh -c 'echo "pid $$"') || fail "the installed CLI does not run without the shared libraries"
    [ "$out" = "pid 2" ] || fail "the installed CLI's program saw '$out', not its own PID namespace"
else
    fail "bin/testcage not installed"
fi
[ "$status" -eq 0 ] && echo "exports: only the testcage_* API in every installed library"
exit "$status"
