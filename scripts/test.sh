#!/usr/bin/env bash
# test.sh - the whole test suite: a normal build and an AddressSanitizer +
# UBSan build, each with every CTest test (valgrind checks in the first).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
testcage_install_missing
cd "$TESTCAGE_ROOT"

echo "== build (Debug, -Werror)"
testcage_build build
echo "== tests"
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 600

echo "== build (AddressSanitizer + UBSan)"
testcage_build build-asan -DTESTCAGE_SANITIZE=ON
# Tests crash on purpose: ASan leaves SIGSEGV/SIGABRT for the cage to report.
echo "== tests under ASan/UBSan (valgrind, lint, bench and the soak excluded: ASan's quarantine grows RSS by design)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:handle_segv=0:handle_abort=0:handle_sigbus=0:handle_sigfpe=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan -j "$(nproc)" --output-on-failure --timeout 600 -LE 'valgrind|lint|bench|soak'
