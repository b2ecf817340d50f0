#!/bin/sh
# check_tap.sh PROVE PERL CHECK_TAP_PL OUTDIR - Perl's prove must accept the
# TAP reporter's output: the all-passing stream passes, the mixed one fails
# on exactly its failing cases with no parse error, and TAP::Parser reads
# back the YAML diagnostics (check_tap.pl).
set -u
prove=$1 perl=$2 checker=$3 dir=$4

if ! "$prove" -e cat "$dir/pass.tap"; then
    echo "FAIL: prove rejected pass.tap" >&2
    exit 1
fi

out=$("$prove" -e cat "$dir/sample.tap" 2>&1)
rc=$?
printf '%s\n' "$out" | head -40
if [ "$rc" -eq 0 ]; then
    echo "FAIL: prove accepted sample.tap, which has failing cases" >&2
    exit 1
fi
case $out in
*"Parse errors"* | *uninitialized* | *"Badly formed"*)
    echo "FAIL: prove could not parse sample.tap" >&2
    exit 1
    ;;
esac
case $out in
*"Failed tests:  2, 4-6, 8-9"*) ;;
*)
    echo "FAIL: prove did not report failures 2, 4-6, 8-9" >&2
    exit 1
    ;;
esac

exec "$perl" "$checker" "$dir/sample.tap"
