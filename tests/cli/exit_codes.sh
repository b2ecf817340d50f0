#!/bin/bash
# exit_codes.sh - the CLI passes PROGRAM's status through (77 too), maps signals to 128+N,
# and says 127 / 126 for a program that is missing / not executable.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup exit_codes "$@"

for code in 0 1 3 77 100 255; do
    cage --timeout 5 -- "$HOSTILE" exit "$code" "$MARK"
    expect_rc "$code" "exit $code"
    expect_no_err_regex 'leaked' "exit $code: no leak lines"
done

cage --timeout 5 -- "$HOSTILE" segv "$MARK"
expect_rc 139 "segfault"
cage --timeout 5 -- "$HOSTILE" abort "$MARK"
expect_rc 134 "abort"
cage --timeout 5 -- /bin/sh -c 'kill -USR1 $$'
expect_rc 138 "SIGUSR1"

# Not found: a path and a bare name searched in PATH.
cage --timeout 5 -- "$WORK/no-such-program-$MARK"
expect_rc 127 "missing path"
expect_err_regex "^testcage: .*no-such-program-$MARK" "missing path named"
cage --timeout 5 -- "no-such-command-$MARK"
expect_rc 127 "missing command in PATH"
expect_err_regex "^testcage: .*no-such-command-$MARK" "missing command named"

# Not executable: a plain file and a directory.
printf '#!/bin/sh\nexit 0\n' >"$WORK/noexec"
chmod 644 "$WORK/noexec"
cage --timeout 5 -- "$WORK/noexec"
expect_rc 126 "not executable"
expect_err_regex "^testcage: .*noexec" "not executable named"
cage --timeout 5 -- "$WORK"
expect_rc 126 "a directory"
