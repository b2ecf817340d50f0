#!/bin/bash
# output.sh - stdout passes through unbuffered and complete (100 MB through a pipe), and
# garbage written to every open fd cannot change the verdict.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup output "$@"

TC_LAST="$TC --timeout 20 -- $HOSTILE flood 100 | wc -c"
set +e
bytes=$(timeout -s KILL 30 "$TC" --timeout 20 -- "$HOSTILE" flood 100 "$MARK" 2>"$ERR" | wc -c)
RC=${PIPESTATUS[0]}
set -e
expect_rc 0 "100 MB flood"
[[ $bytes == 104857600 ]] || note_fail "100 MB flood: got $bytes bytes through the pipe"

# The reader goes away: the program gets SIGPIPE (141) like anywhere else.
set +e
timeout -s KILL 30 "$TC" --timeout 20 -- "$HOSTILE" flood 100 "$MARK" 2>"$ERR" | head -c 1000 >/dev/null
RC=${PIPESTATUS[0]}
set -e
expect_rc 141 "flood into a closed pipe"

# Garbage on every fd, extra fds open too (one read-write file, one pipe); fds this script
# inherited are closed first so the garbage only hits what the test owns.
TC_LAST="$TC -- $HOSTILE garbage 1 (fds 5, 6 open)"
set +e
(
    for fd in "/proc/$BASHPID/fd/"*; do
        fd=${fd##*/}
        ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
    done
    exec timeout -s KILL 30 "$TC" --timeout 5 -- "$HOSTILE" garbage 1 "$MARK" \
        >"$OUT" 2>"$ERR" 5<>"$WORK/fd5" 6> >(cat >/dev/null) </dev/null
)
RC=$?
set -e
expect_rc 1 "garbage on every fd, program fails"
expect_err_regex '^hostile: wrote garbage to [0-9]+ fds$'
expect_no_err_regex '^testcage: .*(corrupt|invalid|bad record)' "garbage on inherited fds is no report"

cage_closed() {
    TC_LAST="$TC $*"
    set +e
    (
        for fd in "/proc/$BASHPID/fd/"*; do
            fd=${fd##*/}
            ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
        done
        exec timeout -s KILL 30 "$TC" "$@" >"$OUT" 2>"$ERR" </dev/null
    )
    RC=$?
    set -e
}
cage_closed --timeout 5 -- "$HOSTILE" garbage 0 "$MARK"
expect_rc 0 "garbage on every fd, program passes"
cage_closed --timeout 5 -- "$HOSTILE" garbage 77 "$MARK"
expect_rc 77 "garbage on every fd, program skips"

# Writing garbage then dying of a signal still counts as the signal.
cage_closed --timeout 5 -- /bin/sh -c "\"\$0\" garbage 0 $MARK; kill -SEGV \$\$" "$HOSTILE"
expect_rc 139 "garbage then SIGSEGV"

# Closed stdin/stdout/stderr: the runner's own pipes must not land on fds 0-2 where the program
# would write into them.
TC_LAST="$TC -- $HOSTILE garbage 1 with fds 0-2 closed"
set +e
(
    for fd in "/proc/$BASHPID/fd/"*; do
        fd=${fd##*/}
        ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
    done
    exec timeout -s KILL 30 "$TC" --timeout 5 -- "$HOSTILE" garbage 1 "$MARK" <&- >&- 2>&-
)
RC=$?
set -e
expect_rc 1 "garbage with fds 0-2 closed, program fails"
TC_LAST="$TC -- $HOSTILE exit 0 with fds 0-2 closed"
set +e
timeout -s KILL 30 "$TC" --timeout 5 -- "$HOSTILE" exit 0 "$MARK" <&- >&- 2>&-
RC=$?
set -e
expect_rc 0 "exit 0 with fds 0-2 closed"
