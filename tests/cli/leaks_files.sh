#!/bin/bash
# leaks_files.sh - files and dirs left in the private /tmp and /dev/shm are reported with path
# and size, never reach the host; --leaks fail|ignore and TESTCAGE_LEAKS (flags win).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup leaks_files "$@"

cage --timeout 5 -- "$HOSTILE" litter "$MARK"
expect_rc 0 "litter (warn)"
expect_err_regex "^testcage: leaked file /tmp/$MARK-a \(1234 bytes\)$" "/tmp file leak line"
expect_err_regex "^testcage: leaked file /dev/shm/$MARK-b \(4321 bytes\)$" "/dev/shm file leak line"
expect_err_regex "^testcage: leaked .*/tmp/$MARK-dir" "empty dir leak line"
expect_no_err_regex 'failing under' "warn mode fails nothing"
check_host "$MARK"

cage --timeout 5 --leaks=fail -- "$HOSTILE" litter "$MARK"
expect_rc 122 "--leaks=fail"
expect_err_regex "^testcage: leaked file /tmp/$MARK-a \(1234 bytes\)$" "--leaks=fail still lists"
expect_err_regex "^testcage: $HOSTILE passed but left 3 things behind; failing under --leaks=fail$" \
    "--leaks=fail says why the passing program failed"

cage --timeout 5 --leaks=ignore -- "$HOSTILE" litter "$MARK"
expect_rc 0 "--leaks=ignore"
expect_no_err_regex 'leaked' "--leaks=ignore prints no leak lines"

run_cmd env TESTCAGE_LEAKS=fail "$TC" --timeout 5 -- "$HOSTILE" litter "$MARK"
expect_rc 122 "TESTCAGE_LEAKS=fail"
run_cmd env TESTCAGE_LEAKS=fail "$TC" --timeout 5 --leaks=warn -- "$HOSTILE" litter "$MARK"
expect_rc 0 "TESTCAGE_LEAKS=fail overridden by --leaks=warn"
run_cmd env TESTCAGE_LEAKS=ignore "$TC" --timeout 5 -- "$HOSTILE" litter "$MARK"
expect_rc 0 "TESTCAGE_LEAKS=ignore"
expect_no_err_regex 'leaked' "TESTCAGE_LEAKS=ignore prints no leak lines"

# Many files: bounded report ("... and N more leaked files"), total right.
cage --timeout 5 -- /bin/sh -c "for i in \$(seq 1 300); do : > /tmp/$MARK-many-\$i; done"
expect_rc 0 "300 files"
lines=$(grep -c "^testcage: leaked file /tmp/$MARK-many-" "$ERR" || true)
more=$(sed -n 's/^testcage: \.\.\. and \([0-9]*\) more leaked files$/\1/p' "$ERR")
((lines + ${more:-0} == 300)) || note_fail "300 files: $lines lines + ${more:-0} more != 300"

# A file the host already has in /tmp is invisible in the cage and survives it untouched.
echo host >"/tmp/$MARK-host"
cage --timeout 5 -- /bin/sh -c "test ! -e /tmp/$MARK-host && echo private > /tmp/$MARK-host"
expect_rc 0 "host /tmp hidden in the cage"
[[ $(cat "/tmp/$MARK-host") == host ]] || note_fail "the cage wrote through to the host /tmp"
rm -f "/tmp/$MARK-host"

# --no-private-tmp: the host /tmp is the cage's /tmp.
echo host >"/tmp/$MARK-host"
cage --timeout 5 --no-private-tmp -- /bin/sh -c "test -e /tmp/$MARK-host"
expect_rc 0 "--no-private-tmp shows the host /tmp"
rm -f "/tmp/$MARK-host"

# --tmp-size caps the private /tmp.
cage --timeout 5 --leaks=ignore --tmp-size 1m -- /bin/sh -c "head -c 3000000 /dev/zero > /tmp/$MARK-big"
[[ $RC != 0 ]] || note_fail "--tmp-size 1m: writing 3 MB into /tmp should fail"

# Hostile names: a newline cannot forge a second report line.
cage --timeout 5 -- /bin/sh -c "touch '/tmp/$MARK-nl
testcage: leaked file FORGED (0 bytes)'"
expect_rc 0 "file name with a newline"
expect_no_err_regex '^testcage: leaked file FORGED' "a file name forged a leak line"
n=$(grep -c '^testcage: ' "$ERR" || true)
[[ $n == 1 ]] || note_fail "file name with a newline: expected 1 report line, got $n"

# Symlinks are reported, never followed (to / , to a loop, to a host file).
cage --timeout 5 -- /bin/sh -c "ln -s / /tmp/$MARK-root && mkdir /tmp/$MARK-d && ln -s .. /tmp/$MARK-d/up && ln -s /etc/passwd /tmp/$MARK-pw"
expect_rc 0 "symlinks"
expect_le "$ELAPSED" 2000 "symlinks: ms"
expect_no_err_regex "leaked file /tmp/$MARK-root/" "followed a symlink to /"
expect_no_err_regex "leaked file /tmp/$MARK-d/up/" "followed a symlink loop"
n=$(grep -c '^testcage: leaked' "$ERR" || true)
expect_le "$n" 4 "symlinks: leak lines"
((n >= 3)) || note_fail "symlinks: expected the 3 links reported, got $n lines"

# A 200-level deep tree and a 10 GiB sparse file.
cage --timeout 5 -- /bin/sh -c "d=/tmp/$MARK-deep; for i in \$(seq 1 200); do d=\$d/x; done; mkdir -p \$d && echo hi > \$d/f && truncate -s 10G /tmp/$MARK-sparse"
expect_rc 0 "deep tree and sparse file"
expect_err_regex "^testcage: leaked file /tmp/$MARK-deep/(x/){199}x/f \(3 bytes\)$" "file 200 levels down"
expect_err_regex "^testcage: leaked file /tmp/$MARK-sparse \(10737418240 bytes\)$" "10 GiB sparse file"
