#!/bin/bash
# passthrough.sh - cwd, environment, argv and stdin reach the program unchanged, also when the
# program and cwd live under /tmp (that tree is bind-mounted back into the cage).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup passthrough "$@"

printf 'line one\nline two with  spaces\n\x01binary\xff\n' >"$WORK/stdin"
# shellcheck disable=SC2016 # expanded by the caged shell
weird='a b  "c" $d *'
cd "$WORK"
run_cmd_in "$WORK/stdin" env "TC_ECHO_VAR=value with  spaces=x" "$TC" --timeout 5 -- "$HOSTILE" \
    echo TC_ECHO_VAR "$weird" "" "$MARK"
cd - >/dev/null
expect_rc 0 "echo"
expect_out_regex "^cwd $WORK\$" "cwd"
expect_out_regex '^argc 6$' "argc"
grep -qxF "argv[3] $weird" "$OUT" || note_fail "argv with spaces and quotes"
grep -qxF "argv[4] " "$OUT" || note_fail "empty argument"
expect_out_regex '^env TC_ECHO_VAR=value with  spaces=x$' "environment"
tail -c "$(wc -c <"$WORK/stdin")" "$OUT" | cmp -s - "$WORK/stdin" || note_fail "stdin echoed byte for byte"

# Program and cwd under /tmp: reachable inside, and the cage's own /tmp stays private.
tdir=$(mktemp -d /tmp/tctree.XXXXXX)
TC_CLEANUP+=("$tdir")
mkdir -p "$tdir/sub"
cp "$HOSTILE" "$tdir/hostile"
cd "$tdir/sub"
run_cmd_in /dev/null "$TC" --timeout 5 -- "$tdir/hostile" echo HOME "$MARK"
cd - >/dev/null
expect_rc 0 "program and cwd under /tmp"
expect_out_regex "^cwd $tdir/sub\$" "cwd under /tmp"

# --keep PATH makes another host /tmp path visible.
kdir=$(mktemp -d /tmp/tckeep.XXXXXX)
TC_CLEANUP+=("$kdir")
echo kept >"$kdir/file"
cage --timeout 5 --keep "$kdir" -- /bin/cat "$kdir/file"
expect_rc 0 "--keep"
expect_out_regex '^kept$' "--keep shows the host path"
cage --timeout 5 -- /bin/sh -c "test ! -e $kdir/file"
expect_rc 0 "without --keep the path is hidden"

# stdin is a terminal-less /dev/null: reading gets EOF at once.
run_cmd_in /dev/null "$TC" --timeout 5 -- /bin/cat
expect_rc 0 "cat </dev/null"

# --wrap CMD runs PROGRAM under CMD.
printf '#!/bin/sh\necho "wrapped: $*"\nexec "$@"\n' >"$WORK/wrapper"
chmod 755 "$WORK/wrapper"
cage --timeout 5 --wrap "$WORK/wrapper" -- "$HOSTILE" exit 3 "$MARK"
expect_rc 3 "--wrap passes the status"
expect_out_regex "^wrapped: $HOSTILE exit 3 $MARK\$" "--wrap ran the wrapper"
# ... also when PROGRAM (not the wrapper) lies under /tmp.
cage --timeout 5 --wrap "$WORK/wrapper" -- "$tdir/hostile" exit 3 "$MARK"
expect_rc 3 "--wrap with PROGRAM under /tmp"

# The controlling terminal passes through (suites run stty and tools that want a pty).
run_cmd script -qfec "$(printf '%q ' "$TC" --timeout 5 -- /bin/sh -c 'tty && stty size >/dev/null && echo tty-ok')" /dev/null
expect_rc 0 "under a pty"
expect_out_regex '^/dev/pts/[0-9]+' "tty inside the cage"
expect_out_regex 'tty-ok' "stty inside the cage"

# The report channel the program is told about (TESTCAGE_REPORT_FD) is really open.
# shellcheck disable=SC2016 # expanded by the caged shell
cage --timeout 5 -- /bin/sh -c 'echo "in_cage=$TESTCAGE_IN_CAGE fd=$TESTCAGE_REPORT_FD"; [ -z "$TESTCAGE_REPORT_FD" ] || [ -e "/proc/$$/fd/$TESTCAGE_REPORT_FD" ]'
expect_out_regex '^in_cage=1 ' "TESTCAGE_IN_CAGE=1 in the program's environment"
expect_rc 0 "TESTCAGE_REPORT_FD names an open fd in the program"
