#!/bin/bash
# cgroup_time.sh - --ns +cgroup: the cage's cgroup is its root, /sys/fs/cgroup shows only that
# (the host's hierarchies stay hidden below, locked), --max-procs applies to that root;
# --clock-offset: CLOCK_MONOTONIC and CLOCK_BOOTTIME shifted, CLOCK_REALTIME not, the timeout
# on the runner's clock, bad offsets refused; as root and as uid 65534.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
tc_setup cgroup_time "$@"

copy_for_nobody
cd "$NOBODY_DIR"

# What a caged program sees of cgroups, one fact a line (its writes are attempts to join
# the host's marker cgroups by any path).
cat >"$NOBODY_DIR/cg.sh" <<'EOF'
#!/bin/sh
mark=$1
awk -F: '$3 != "/" {bad = 1} END {exit bad}' /proc/self/cgroup && echo "all-root"
grep -q '^0::/$' /proc/self/cgroup && echo "v2-root"
echo "lines $(wc -l </proc/self/cgroup)"
find /sys/fs/cgroup -name "$mark" 2>/dev/null | sed 's/^/found /'
[ -r /sys/fs/cgroup/pids/pids.max ] && echo "pids.max $(cat /sys/fs/cgroup/pids/pids.max)"
for f in /sys/fs/cgroup/*/../*/"$mark"/cgroup.procs /sys/fs/cgroup/../cgroup/*/"$mark"/cgroup.procs; do
    (echo $$ >"$f") 2>/dev/null && echo "wrote $f"
done
if [ "${2:-}" = undo ]; then
    umount -R /sys/fs/cgroup && echo "own view unmounted"
    [ -z "$(ls -A /sys/fs/cgroup)" ] && echo "below: empty"
    umount /sys/fs/cgroup 2>/dev/null || echo "below: locked"
fi
exit 0
EOF
chmod 755 "$NOBODY_DIR/cg.sh"

host_lines=$(wc -l </proc/self/cgroup)
host_v2=$(grep -c '^0::' /proc/self/cgroup || true)
# Markers at the top of the pids and memory hierarchies: outside the cage's own cgroup
# whenever that is not the hierarchy's root (the pids one with --max-procs always is not).
markers=()
own_memory=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
for h in pids memory; do
    if [[ -d /sys/fs/cgroup/$h ]] && mkdir "/sys/fs/cgroup/$h/$MARK"; then
        markers+=("/sys/fs/cgroup/$h/$MARK")
    fi
done
((${#markers[@]} > 0)) || note_fail "this v1 host has no pids/memory hierarchy to test with"
drop_markers() {
    local m
    for m in "${markers[@]}"; do
        rmdir "$m" || note_fail "could not remove the marker cgroup $m"
    done
}

expect_cgroup_view() {
    local who=$1
    expect_rc 0 "$who: cg.sh"
    expect_out_fixed "all-root" "$who: every /proc/self/cgroup line shows the root"
    ((host_v2 == 0)) || expect_out_fixed "v2-root" "$who: the v2 line reads 0::/"
    expect_out_fixed "lines $host_lines" "$who: as many hierarchies as the host's"
    expect_no_out_regex '^wrote ' "$who: a host cgroup beyond its own was writable"
    expect_out_fixed "own view unmounted" "$who: the cage's own view is its own mount"
    expect_out_fixed "below: empty" "$who: below the view, the host's hierarchies are hidden"
    expect_out_fixed "below: locked" "$who: the hiding mount is locked in the cage"
}

# Root, with the cage's own pids and memory cgroups as its root.
cage --timeout 10 --ns +cgroup --max-procs 50 --memory 256m --json "$WORK/cg.json" \
    -- "$NOBODY_DIR/cg.sh" "$MARK" undo
expect_cgroup_view root
expect_out_fixed "pids.max 50" "root: --max-procs is the limit of the cgroup seen as root"
expect_no_out_regex "^found .*/pids/$MARK" "root: the host's pids cgroups are visible"
[[ $own_memory == / ]] || expect_no_out_regex "^found .*/memory/$MARK" \
    "root: the host's memory cgroups are visible"
[[ $(json_case "$WORK/cg.json" namespaces) == '["pid", "mount", "ipc", "cgroup"]' ]] ||
    note_fail "JSON namespaces of a +cgroup cage: $(json_case "$WORK/cg.json" namespaces)"

# Without +cgroup the program sees the host's tree: the marker shows, the JSON says so.
cage --timeout 10 --json "$WORK/plain.json" -- "$NOBODY_DIR/cg.sh" "$MARK"
expect_out_regex "^found .*/pids/$MARK" "without +cgroup the host's tree is the program's view"
[[ $(json_case "$WORK/plain.json" namespaces) == '["pid", "mount", "ipc"]' ]] ||
    note_fail "JSON namespaces by default: $(json_case "$WORK/plain.json" namespaces)"

nobody() {
    run_cmd "${AS_NOBODY[@]}" env "${NOBODY_ENV[@]}" "$TCN" "$@"
}

# Rootless: the cage's root is the runner's cgroup (no cgroup limits without root).
mkdir -m 777 "$NOBODY_DIR/out"
nobody --timeout 10 --ns +cgroup --json "$NOBODY_DIR/out/nobody.json" -- "$NOBODY_DIR/cg.sh" "$MARK" undo
expect_cgroup_view nobody
[[ $own_memory == / ]] || expect_no_out_regex "^found .*/memory/$MARK" \
    "nobody: the host's memory cgroups are visible"
[[ $(json_case "$NOBODY_DIR/out/nobody.json" namespaces) == '["pid", "mount", "ipc", "user", "cgroup"]' ]] ||
    note_fail "JSON namespaces as nobody: $(json_case "$NOBODY_DIR/out/nobody.json" namespaces)"
drop_markers

# Time: both clocks at least the offset ahead of the host's, CLOCK_REALTIME the host's.
clock() { sed -n "s/^$1 //p" "$2"; }
run_cmd "$HOSTILE" clocks
cp "$OUT" "$WORK/host.clocks"
cage --timeout 10 --clock-offset monotonic=10d,boottime=20d --json "$WORK/t.json" \
    -- "$HOSTILE" clocks
expect_rc 0 "clocks in a time namespace"
cp "$OUT" "$WORK/root.clocks"
run_cmd "${AS_NOBODY[@]}" env "${NOBODY_ENV[@]}" TESTCAGE_CLOCK_OFFSET=monotonic=10d,boottime=20d \
    "$TCN" --timeout 10 -- "$HOSTILEN" clocks
expect_rc 0 "clocks in a time namespace as nobody"
cp "$OUT" "$WORK/nobody.clocks"
for who in root nobody; do
    got=$WORK/$who.clocks host=$WORK/host.clocks
    (($(clock monotonic "$got") >= $(clock monotonic "$host") + 864000)) ||
        note_fail "$who: CLOCK_MONOTONIC $(clock monotonic "$got") not 10 days ahead of $(clock monotonic "$host")"
    (($(clock boottime "$got") >= $(clock boottime "$host") + 1728000)) ||
        note_fail "$who: CLOCK_BOOTTIME $(clock boottime "$got") not 20 days ahead of $(clock boottime "$host")"
    # An hour's leeway for a loaded machine; a shifted CLOCK_REALTIME would be days off.
    (($(clock realtime "$got") - $(clock realtime "$host") < 3600)) ||
        note_fail "$who: CLOCK_REALTIME moved: $(clock realtime "$got") vs $(clock realtime "$host")"
done
[[ $(json_case "$WORK/t.json" namespaces) == '["pid", "mount", "ipc", "time"]' ]] ||
    note_fail "JSON namespaces with --clock-offset: $(json_case "$WORK/t.json" namespaces)"

# The timeout is on the runner's clock: a 1 s limit fires after about 1 s, not 10 days early
# or late. The bounds only tell those apart (the watchdog would end a missed timeout).
cage --timeout 1 --grace 0.5 --no-backtrace --clock-offset monotonic=10d,boottime=10d \
    -- "$HOSTILE" sleep 20
expect_rc 124 "1 s timeout with a 10-day offset"
((ELAPSED >= 900 && ELAPSED < 15000)) || note_fail "the 1 s timeout fired after ${ELAPSED} ms"

# Bad offsets: one line naming the option, exit 125, the program never runs.
for bad in monotonic=abc boottime=1x realtime=5 monotonic=1.5 monotonic=-200000d \
    monotonic=1,monotonic=2 "monotonic=1," ""; do
    cage --clock-offset "$bad" -- "$HOSTILE" exit 0
    expect_rc 125 "--clock-offset '$bad'"
    expect_one_line_error "--clock-offset"
done
TESTCAGE_CLOCK_OFFSET=monotonic=zz cage -- "$HOSTILE" exit 0
expect_rc 125 "TESTCAGE_CLOCK_OFFSET=monotonic=zz"
expect_one_line_error "TESTCAGE_CLOCK_OFFSET"
cage --ns none --clock-offset monotonic=1 -- "$HOSTILE" exit 0
expect_rc 125 "--clock-offset with --ns none"
expect_one_line_error "--clock-offset"
