#!/bin/sh
# probe.sh - the script form of probe.c: passes only when run as pid 2 of a cage.
name=${1:-script}
[ "$$" = 2 ] || { echo "probe $name: NOT caged: pid $$"; exit 1; }
[ "$TESTCAGE_IN_CAGE" = 1 ] || { echo "probe $name: NOT caged: no TESTCAGE_IN_CAGE"; exit 1; }
[ ! -e "$CAGEALL_SENTINEL" ] || { echo "probe $name: NOT caged: host /tmp visible"; exit 1; }
: > "/tmp/cageall-marker-$name" || exit 1
echo "probe $name: caged"
