#!/usr/bin/env bash
# setup.sh - install the Debian 12 packages testcage needs (only the missing
# ones) and build it into build/. Sourced by run.sh and test.sh.
set -euo pipefail

TESTCAGE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESTCAGE_PACKAGES=(cmake make gcc clang libclang-rt-14-dev clang-tidy cppcheck pkg-config libcmocka-dev libcap-dev valgrind
    libxml2-utils perl python3 gdb util-linux iproute2 procps check libcriterion-dev bubblewrap
    meson ninja-build automake autoconf dpkg libseccomp-dev bazel-bootstrap)

testcage_install_missing() {
    local missing=() p
    for p in "${TESTCAGE_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing packages: ${missing[*]} (run as root to install them)" >&2
        return 1
    fi
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# testcage_build DIR [cmake args...]: configure and build one tree.
testcage_build() {
    local dir=$1
    shift
    cmake -S "$TESTCAGE_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Debug "$@" >/dev/null
    cmake --build "$dir" -j "$(nproc)"
}
