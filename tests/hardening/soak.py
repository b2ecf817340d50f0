#!/usr/bin/env python3
"""soak.py - run the 10,000-case soak binary at -j 2 with --json, check every
result and that the runner's RSS and fd count stay flat; print the figures.

usage: soak.py SOAK_BINARY WORKDIR  (SOAK_SANITIZED=1: crashes end as ASan exits)
"""
import glob
import json
import os
import subprocess
import sys
import time

CASES = 10000
RSS_MARGIN_KB = 8 * 1024


def expected(n, sanitized):
    kind = n % 10
    if kind == 5:
        return "fail"
    if kind in (6, 7):
        return ("crash", "fail") if sanitized else ("crash",)
    return ("pass",)


def sample(pid):
    """(VmRSS kB, open fd count) of pid, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return rss, fds
    except (OSError, StopIteration):
        return None


def main():
    binary, work = sys.argv[1], sys.argv[2]
    sanitized = os.environ.get("SOAK_SANITIZED") == "1"
    os.makedirs(work, exist_ok=True)
    report = os.path.join(work, "soak.json")
    log = os.path.join(work, "soak.log")
    failures = []

    start = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary, "-j", "2", "-q", "--timeout", "30", "--json", report],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        samples = []  # (seconds since start, rss kB, fds)
        while proc.poll() is None:
            s = sample(proc.pid)
            if s:
                samples.append((time.monotonic() - start, *s))
            time.sleep(0.005)
        rc = proc.wait()
    wall = time.monotonic() - start

    if rc != 1:
        failures.append(f"runner exit status {rc}, expected 1 (some cases fail)")
    with open(report, encoding="utf-8") as f:
        doc = json.load(f)
    seen = {}
    for case in doc["cases"]:
        if case["name"] in seen:
            failures.append(f"{case['name']} reported twice")
        seen[case["name"]] = case
    counts = {}
    for n in range(CASES):
        name = f"c{n:04d}"
        case = seen.get(name)
        if case is None:
            failures.append(f"{name}: not reported")
            continue
        status = case["status"]
        counts[status] = counts.get(status, 0) + 1
        if status not in expected(n, sanitized):
            failures.append(f"{name}: status {status}, expected {expected(n, sanitized)}")
        leaks = case["leaks"]
        if n % 10 == 8 and not any(f["path"] == f"/tmp/soak-{n}" for f in leaks["files"]):
            failures.append(f"{name}: leaked /tmp/soak-{n} not reported: {leaks}")
        if n % 10 == 9 and not leaks["processes"]:
            failures.append(f"{name}: leaked child not reported: {leaks}")
        if n % 10 == 5 and not any("fails on purpose" in f["message"] for f in case["failures"]):
            failures.append(f"{name}: failure message missing: {case['failures']}")
    # Nothing stays behind: no leaked file reached the host, no child survived.
    stray = glob.glob("/tmp/soak-*") + glob.glob("/dev/shm/soak-*")
    if stray:
        failures.append(f"files reached the host: {stray[:5]}")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if os.path.realpath(exe) == os.path.realpath(binary):
            failures.append(f"process {pid} of the soak binary survived the run")
    if len(seen) != CASES:
        failures.append(f"{len(seen)} cases reported, expected {CASES}")
    if doc["summary"]["total"] != CASES:
        failures.append(f"summary total {doc['summary']['total']}, expected {CASES}")

    # Early: seconds 1-3 of the run; late: its last 2 seconds. At -j 2 cages
    # are always being set up or torn down, so one sample's fd count is noisy;
    # the highest count of a window (the runner's own fds plus two fully set
    # up cages) is reached many times per second and is stable. A leaked fd,
    # per case or once, would raise the late one.
    if len(samples) < 100:
        failures.append(f"only {len(samples)} samples of the runner taken")
    t_end = samples[-1][0] if samples else 0
    early = [s for s in samples if 1.0 <= s[0] <= 3.0] or samples[:1]
    late = [s for s in samples if s[0] >= t_end - 2.0] or samples[-1:]

    rss_early = max(s[1] for s in early) if early else 0
    rss_late = max(s[1] for s in late) if late else 0
    fd_early = max(s[2] for s in early) if early else 0
    fd_late = max(s[2] for s in late) if late else 0
    if rss_late > rss_early + RSS_MARGIN_KB:
        failures.append(f"runner RSS grew: {rss_early} kB early, {rss_late} kB late")
    if fd_late != fd_early:
        failures.append(f"runner fd count changed: {fd_early} early, {fd_late} late")

    print(f"soak: {len(seen)} cases reported of {CASES} at -j 2, wall {wall:.1f} s, "
          f"runner exit {rc}")
    print("soak: statuses " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"soak: runner RSS {rss_early} kB early -> {rss_late} kB late (max of each window)")
    print(f"soak: runner fds {fd_early} early -> {fd_late} late (max of each window, "
          f"{len(samples)} samples)")
    for f in failures[:50]:
        print("FAIL: " + f)
    if len(failures) > 50:
        print(f"FAIL: ... and {len(failures) - 50} more")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
