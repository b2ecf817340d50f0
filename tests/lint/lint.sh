#!/bin/bash
# lint.sh SOURCE_DIR BUILD_DIR - clang-tidy (the checked-in .clang-tidy) and
# cppcheck over lib/ and runner/; any finding fails.
set -u
SRC=${1:?usage: lint.sh SOURCE_DIR BUILD_DIR}
BUILD=${2:?usage: lint.sh SOURCE_DIR BUILD_DIR}
CLANG_TIDY=${CLANG_TIDY:-clang-tidy-14}
RUN_CLANG_TIDY=${RUN_CLANG_TIDY:-run-clang-tidy-14}
CPPCHECK=${CPPCHECK:-cppcheck}
status=0

# A compile database: the build's own when it exports one, else a
# configure-only build of our own next to it.
db=$BUILD
if [ ! -f "$db/compile_commands.json" ]; then
    db=$BUILD/tests/lint/db
    cmake -S "$SRC" -B "$db" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DTESTCAGE_BUILD_TESTS=OFF \
        >"$db.log" 2>&1 || {
        cat "$db.log"
        echo "FAIL: cannot configure $db for a compile database"
        exit 1
    }
fi

mapfile -t files < <(cd "$SRC" && ls lib/*.c runner/*/*.c)
cd "$SRC" || exit 1

echo "== clang-tidy ($("$CLANG_TIDY" --version | grep -o 'version [0-9.]*'), ${#files[@]} files)"
tidy_rc=0
"$RUN_CLANG_TIDY" -quiet -clang-tidy-binary "$CLANG_TIDY" -p "$db" "${files[@]}" \
    >"$db/clang-tidy.log" 2>&1 || tidy_rc=$?
# Findings are warnings-as-errors (.clang-tidy); strip colours, one line each.
findings=$(sed 's/\x1b\[[0-9;]*m//g' "$db/clang-tidy.log" |
    grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' | sed "s|^$SRC/||" | sort -u)
if [ -n "$findings" ]; then
    echo "$findings"
    echo "FAIL: clang-tidy: $(echo "$findings" | wc -l) finding(s)"
    status=1
elif [ "$tidy_rc" != 0 ]; then
    tail -20 "$db/clang-tidy.log"
    echo "FAIL: clang-tidy exited $tidy_rc"
    status=1
fi

echo "== cppcheck ($("$CPPCHECK" --version))"
supp=()
[ -f "$SRC/tests/lint/cppcheck.supp" ] && supp=(--suppressions-list="$SRC/tests/lint/cppcheck.supp")
version_dir=$(dirname "$(find "$db" -path '*/lib/include/testcage/version.h' | head -1)")
if ! "$CPPCHECK" --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
    --std=c11 -D_GNU_SOURCE --suppress=missingIncludeSystem "${supp[@]}" -q \
    --template='{file}:{line}: {id}: {message}' \
    -Ilib/include -I"${version_dir%/testcage}" -Ilib -Irunner/options -Irunner/report -Irunner/cli -Irunner/include -Irunner/suite \
    lib runner; then
    echo "FAIL: cppcheck found the above"
    status=1
fi
[ "$status" = 0 ] && echo "lint: clean"
exit "$status"
