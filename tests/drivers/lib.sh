#!/usr/bin/env bash
# lib.sh - helpers for the build-system driver tests, on top of the CMake
# consumer tests' helpers: testcage installed into a scratch prefix, the way a
# Meson or Automake project finds it (pkg-config).
# shellcheck source=../cmake/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cmake/lib.sh"
DRIVERS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# install_prefix DIR: testcage's build tree installed into DIR, on PKG_CONFIG_PATH.
install_prefix() {
    run_logged "$SCRATCH/install.log" cmake --install "$TESTCAGE_BUILD_DIR" --prefix "$1"
    export PKG_CONFIG_PATH=$1/lib/pkgconfig
    TC=$(pkg-config --variable=testcage testcage) || fail_now "pkg-config --variable=testcage"
    [ "$(realpath "$TC")" = "$(realpath "$1/bin/testcage")" ] || fail_now "the testcage variable is $TC"
    "$TC" --version | grep -q '^testcage [0-9]' || fail_now "$TC --version"
}

# project NAME: a copy of the driver project NAME (with drvprog.c and drvtap.c) in the scratch dir.
project() {
    rm -rf "${SCRATCH:?}/${1:?}"
    cp -r "$DRIVERS/$1" "$SCRATCH/$1"
    cp "$DRIVERS/drvprog.c" "$DRIVERS/drvtap.c" "$SCRATCH/$1/"
}
