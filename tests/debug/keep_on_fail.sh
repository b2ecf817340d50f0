#!/usr/bin/env bash
# keep_on_fail.sh - --keep-on-fail DIR: a failing program's /tmp and /dev/shm files are copied
# to exactly one new directory below DIR, named on stderr; a passing program's are not.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
dbg_setup keep_on_fail "$@"

KEEP=$WORK/kept
# shellcheck disable=SC2016
LEAVE='mkdir -p /tmp/a && printf "b-%s\n" "$1" >/tmp/a/b.txt && printf "c-%s" "$1" >/dev/shm/c &&
       mkdir /tmp/empty-dir && ln -s a/b.txt /tmp/link && head -c 100000 /dev/urandom >/tmp/big &&
       cp /tmp/big /proc/self/cwd/big.orig && exit "$2"'
KEEP_EXPECTED="./dev/shm/c ./tmp/a/b.txt ./tmp/big ./tmp/empty-dir ./tmp/link"

new_dirs() {
    find "$KEEP" -mindepth 1 -maxdepth 1 2>/dev/null | sort
}

# 1. A failing program: one new directory with exactly its files.
mkdir -p "$WORK/cwd1"
cd "$WORK/cwd1"
cage --keep-on-fail "$KEEP" -- sh -c "$LEAVE" sh "$MARK" 3
cd "$WORK"
expect_rc 3 "failing program"
mapfile -t dirs < <(new_dirs)
if [[ ${#dirs[@]} != 1 ]]; then
    note_fail "expected exactly one new directory in $KEEP, got ${#dirs[@]}: ${dirs[*]}"
else
    D=${dirs[0]}
    reported=$(sed -n 's/^testcage: files left in \/tmp and \/dev\/shm copied to //p' "$ERR")
    [[ $reported == "$D" ]] || note_fail "stderr names '$reported', the new directory is '$D'"
    [[ -d $reported ]] || note_fail "the reported path '$reported' does not exist"
    got=$(cd "$D" && find . -mindepth 2 \( -type f -o -type l -o -type d -empty \) | sort | xargs)
    [[ $got == "$KEEP_EXPECTED" ]] || note_fail "kept files: '$got', expected '$KEEP_EXPECTED'"
    [[ $(cat "$D/tmp/a/b.txt" 2>/dev/null) == "b-$MARK" ]] || note_fail "tmp/a/b.txt differs"
    [[ $(cat "$D/dev/shm/c" 2>/dev/null) == "c-$MARK" ]] || note_fail "dev/shm/c differs"
    cmp -s "$D/tmp/big" "$WORK/cwd1/big.orig" || note_fail "tmp/big (100 kB) differs from the original"
    [[ $(readlink "$D/tmp/link" 2>/dev/null) == a/b.txt ]] || note_fail "tmp/link is not the symlink"
fi
expect_err_fixed "leaked file /tmp/a/b.txt" "the leak report of the failing program"

# 2. A passing program with the same files: nothing copied, nothing said.
before=$(new_dirs)
cage --keep-on-fail "$KEEP" -- sh -c "$LEAVE" sh "$MARK" 0
expect_rc 0 "passing program"
[[ $(new_dirs) == "$before" ]] || note_fail "a passing program's files were copied: $(new_dirs)"
expect_no_err_fixed "copied to"

# 3. A leak failure (--leaks=fail) is a failure: its files are kept.
before=$(new_dirs)
# shellcheck disable=SC2016
cage --keep-on-fail "$KEEP" --leaks fail -- sh -c 'echo "$1" >/tmp/leak-only' sh "$MARK"
expect_rc 122 "--leaks fail"
n=$(($(new_dirs | wc -l) - $(printf '%s' "$before" | grep -c . || true)))
[[ $n == 1 ]] || note_fail "--leaks fail: expected one new directory, got $n"
expect_err_fixed "copied to"

# 4. A timed-out program: its files are kept too.
before=$(new_dirs)
# shellcheck disable=SC2016
cage --keep-on-fail "$KEEP" --timeout 0.3 --grace 0.2 --no-backtrace -- \
    sh -c 'echo "$1" >/tmp/before-timeout; exec sleep 30' sh "$MARK"
expect_rc 124 "timeout"
new=$(comm -13 <(printf '%s\n' "$before") <(new_dirs))
[[ -n $new && -f $new/tmp/before-timeout ]] || note_fail "timeout: tmp/before-timeout not kept ('$new')"

# 5. A failing program that leaves nothing: no error, and any directory made is empty.
before=$(new_dirs)
cage --keep-on-fail "$KEEP" -- sh -c 'exit 1'
expect_rc 1 "failing program leaving nothing"
expect_no_err_fixed "cannot"
new=$(comm -13 <(printf '%s\n' "$before") <(new_dirs))
if [[ -n $new ]]; then
    left=$(find "$new" -type f | head -n 3)
    [[ -z $left ]] || note_fail "files copied for a program that left none: $left"
fi

# 6. A DIR that cannot be made is a setup error, named in one line; the program never runs.
cage --keep-on-fail "$WORK/no/such/parent" -- sh -c "echo ran-$MARK"
expect_rc 125 "--keep-on-fail with a DIR that cannot be made"
expect_no_out_fixed "ran-$MARK"
expect_err_fixed "$WORK/no/such/parent"

# 7. The usual CI layout: DIR and the working directory under /tmp. The cwd's tree is bound
# back into the cage; it is the host's, not the program's, and is not copied.
HOST_TREE=/tmp/$MARK-tree
HOST_KEEP=/tmp/$MARK-kept
T_HOST_FILES+=("$HOST_TREE" "$HOST_KEEP")
mkdir -p "$HOST_TREE/sub"
echo host >"$HOST_TREE/sub/host-file"
cd "$HOST_TREE/sub"
cage --keep-on-fail "$HOST_KEEP" -- sh -c 'echo mine >/tmp/mine; echo here >written-in-cwd; exit 1'
cd "$WORK"
expect_rc 1 "DIR and cwd under /tmp"
got=$(cd "$HOST_KEEP" 2>/dev/null && find . -type f | sort | xargs)
[[ $got == "./$(ls "$HOST_KEEP")/tmp/mine" ]] || note_fail "DIR and cwd under /tmp: kept '$got'"
[[ -f $HOST_TREE/sub/written-in-cwd ]] || note_fail "the file written in the cwd is not on the host"
