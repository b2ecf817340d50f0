#!/usr/bin/env bash
# clang_profile.sh - a caged cmocka suite built by clang with
# -fprofile-instr-generate writes its llvm profile, and the profile shows
# each case function run once, by its own body. (Clang's runtime keeps its
# counter reset hidden, so main()'s count grows by one per case: not
# asserted.) Environment from CMake: CLANG, PROFDATA, SRC, INCLUDES and LIBRARIES
# (':'-separated), WORK (a directory the cages see: not /tmp, private there),
# SANITIZE_PRELOAD (the ASan runtime when the libraries are instrumented).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
IFS=':' read -ra incs <<<"$INCLUDES"
IFS=':' read -ra libs <<<"$LIBRARIES"
cflags=()
for d in "${incs[@]}"; do cflags+=(-I "$d"); done
for l in "${libs[@]}"; do cflags+=("$l" "-Wl,-rpath,$(dirname "$l")"); done
run_logged "$WORK/cc.log" "$CLANG" -O0 -fprofile-instr-generate -fcoverage-mapping \
    -o "$WORK/cov_clang" "$SRC" "${cflags[@]}" -lcmocka

for jobs in 1 2; do
    prof=$WORK/j$jobs
    mkdir -p "$prof"
    OUT=$prof/out ERR=$prof/err
    preload=()
    [[ -z ${SANITIZE_PRELOAD:-} ]] || preload=("LD_PRELOAD=$SANITIZE_PRELOAD")
    run_cmd env "${preload[@]}" LLVM_PROFILE_FILE="$prof/prof-%m.profraw" \
        "$WORK/cov_clang" -j $jobs --timeout 20
    expect_rc 0 "-j $jobs"
    raws=("$prof"/prof-*.profraw)
    [[ -s ${raws[0]} ]] || fail_now "-j $jobs: no llvm profile written in $prof"
    run_logged "$prof/merge.log" "$PROFDATA" merge -o "$prof/all.profdata" "${raws[@]}"
    "$PROFDATA" show --all-functions --counts "$prof/all.profdata" >"$prof/show.txt"
    # count NAME: the entry count of the function NAME (static ones are
    # listed as FILE:NAME).
    count() {
        awk -v f="$1" '/^  [^ ].*:$/ { n = $1; sub(/:$/, "", n); sub(/.*:/, "", n); cur = n }
            cur == f && $1 == "Function" && $2 == "count:" { print $3; exit }' "$prof/show.txt"
    }
    for f in one_call three_calls branches no_helper; do
        got=$(count $f)
        [[ $got == 1 ]] || note_fail "-j $jobs: case function $f counted '${got}', expected 1"
    done
    # square(): 1 call in one_call, 3 in three_calls.
    got=$(count square)
    [[ $got == 4 ]] || note_fail "-j $jobs: square counted '${got}', expected 4"
    note "-j $jobs: main counted $(count main) (the runner once, and once more per case)"
done
[[ -z ${TC_FAILED:-} ]] || cat "$WORK/j1/show.txt" >&2
fidelity_done
