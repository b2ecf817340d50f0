#!/usr/bin/env python3
"""bench.py - runs the side-by-side benchmark (variants interleaved within each
repetition), prints the table and the targets, writes JSON, Markdown and the
gnuplot data. Driven by run.sh (full) and by the "bench.smoke" CTest test."""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

FULL = {"suite_n": 1000, "scaling": [10, 100, 1000, 10000], "cli_calls": 200,
        "startup_calls": 100, "reps": 5}
SMOKE = {"suite_n": 10, "scaling": [10, 100], "cli_calls": 3, "startup_calls": 3,
         "reps": 2}


class BenchError(Exception):
    pass


def clean_env():
    """The caller's TESTCAGE_*/CMOCKA_*/CK_* settings must not change a variant."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TESTCAGE_", "CMOCKA_", "CK_", "CRITERION_", "BENCH_"))}
    env["NO_COLOR"] = "1"
    return env


class Runner:
    """Spawns one command with stdout on /dev/null and stderr in a log file."""

    def __init__(self, workdir):
        self.log = os.path.join(workdir, "last-stderr.log")

    def run(self, argv, env, cwd=None, stdout_path=os.devnull):
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, self.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        ]
        if cwd:
            prev = os.getcwd()
            os.chdir(cwd)
        try:
            start = time.perf_counter_ns()
            pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
            _, status, usage = os.wait4(pid, 0)
            wall_us = (time.perf_counter_ns() - start) / 1000.0
        finally:
            if cwd:
                os.chdir(prev)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                tail = f.read()[-2000:]
            raise BenchError(f"{' '.join(argv)}: exit {code}\n{tail}")
        # wait4's usage covers the process and every descendant it reaped
        # (the cages' inits, and through them the bodies).
        cpu_us = (usage.ru_utime + usage.ru_stime) * 1e6
        return wall_us, usage.ru_maxrss, (usage.ru_minflt, cpu_us)


class Row:
    def __init__(self, rid, group, label, unit, cases=None):
        self.id, self.group, self.label, self.unit, self.cases = rid, group, label, unit, cases
        self.values, self.fds, self.rss_kb, self.faults, self.cpu = [], [], [], [], []
        self.run = None  # callable(rep) appending to values

    def summary(self):
        d = {"id": self.id, "group": self.group, "label": self.label, "unit": self.unit}
        if self.cases is not None:
            d["cases"] = self.cases
        v = self.values
        d.update({"min": round(min(v), 2), "median": round(statistics.median(v), 2),
                  "max": round(max(v), 2), "values": [round(x, 2) for x in v]})
        if self.fds:
            d["fds_at_exit"] = sorted(set(self.fds))
        if self.rss_kb:
            d["runner_peak_rss_kb"] = int(statistics.median(self.rss_kb))
        if self.faults:
            d["minor_faults"] = round(statistics.median(self.faults), 1)
            d["cpu_us"] = round(statistics.median(self.cpu), 1)
        return d


def stage_rootless(binary, workdir):
    """Copies a linked binary and the testcage libraries it loads from the build
    tree into a 0755 directory, so that uid 65534 can run it."""
    d = os.path.join(workdir, "rootless")
    os.mkdir(d, 0o755)
    dst = os.path.join(d, os.path.basename(binary))
    shutil.copy2(binary, dst)
    os.chmod(dst, 0o755)
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split("=>")
        if len(parts) == 2 and "libtestcage" in parts[0]:
            lib = parts[1].split("(")[0].strip()
            shutil.copy2(lib, os.path.join(d, os.path.basename(lib)))
            os.chmod(os.path.join(d, os.path.basename(lib)), 0o755)
    return d, dst


def build_rows(a, cfg, runner, workdir):
    env = clean_env()
    n = cfg["suite_n"]
    b = a.bin_dir
    rows = []

    def binary(name):
        path = os.path.join(b, name)
        if not os.access(path, os.X_OK):
            raise BenchError(f"missing bench binary {path} (build the bench targets first)")
        return path

    def floor_row(mode, label):
        r = Row(f"floor.{mode}", "floor", label, "us/case", n)
        exe = binary("bench_floor")
        out = os.path.join(workdir, "floor.json")

        def run(_rep):
            _wall, _maxrss, (faults, cpu) = runner.run([exe, mode, str(n)], env, stdout_path=out)
            r.faults.append(faults / n)
            r.cpu.append(cpu / n)
            with open(out, encoding="utf-8") as f:
                r.values.append(json.load(f)["us_per_iter"])
        r.run = run
        return r

    def suite_row(rid, label, argv, cases, extra_env=None, cwd=None, stats=False):
        r = Row(rid, rid.split(".")[0], label, "us/case", cases)
        stats_path = os.path.join(workdir, f"stats-{rid}.json")

        def run(_rep):
            e = dict(env, **(extra_env or {}))
            if stats:
                e["BENCH_STATS"] = stats_path
                if os.path.exists(stats_path):
                    os.unlink(stats_path)
            wall, _maxrss, (faults, cpu) = runner.run(argv, e, cwd=cwd)
            r.values.append(wall / cases)
            r.faults.append(faults / cases)
            r.cpu.append(cpu / cases)
            if stats:
                with open(stats_path, encoding="utf-8") as f:
                    lines = [json.loads(x) for x in f if x.strip()]
                if len(lines) != 1:
                    raise BenchError(f"{rid}: expected one stats line, got {len(lines)}")
                r.fds.append(lines[0]["fds"])
                r.rss_kb.append(lines[0]["vmhwm_kb"])
        r.run = run
        return r

    def calls_rows(group, specs, calls):
        """Rows whose unit is one call; the calls of all rows alternate."""
        made = [Row(rid, group, label, "us/call") for rid, label, _ in specs]

        def run(_rep):
            samples = [[] for _ in specs]
            faults = [[] for _ in specs]
            cpus = [[] for _ in specs]
            for _ in range(calls):
                for k, (_, _, argv) in enumerate(specs):
                    wall, _maxrss, (flt, cpu) = runner.run(argv, env)
                    samples[k].append(wall)
                    faults[k].append(flt)
                    cpus[k].append(cpu)
            for k, r in enumerate(made):
                r.values.append(statistics.median(samples[k]))
                r.faults.append(statistics.median(faults[k]))
                r.cpu.append(statistics.median(cpus[k]))
        made[0].run = run  # the first row drives the group
        return made

    tc = binary(f"bench_testcage_{n}")
    rows.append(floor_row("cage", "floor: one-process cage (clone PID+mount+IPC, mounts, pipe)"))
    rows.append(floor_row("fork", "floor: bare fork+wait"))
    rows.append(floor_row("init", "floor: fork-like init + forked body (the valgrind/sanitizer fallback's shape)"))
    rows.append(floor_row("vminit", "floor: CLONE_VM init + forked body (testcage's shape)"))
    rows.append(floor_row("nested", "floor: that shape, body in its own user + mount namespace "
                                    "(root's body in testcage)"))
    rows.append(floor_row("forkonly", "floor: CLONE_VM init + forked body, no namespaces "
                                      "(testcage's fork-only shape)"))
    rows.append(suite_row("cmocka.inprocess", "cmocka_run_group_tests, in-process",
                          [binary(f"bench_cmocka_{n}")], n))
    rows.append(suite_row("testcage.j1", "testcage -j 1", [tc, "-q", "-j", "1"], n, stats=True))
    rows.append(suite_row("testcage.j2", "testcage -j 2", [tc, "-q", "-j", "2"], n, stats=True))
    # What +cgroup costs a case (its own cgroup namespace and view mounts), next to .j1.
    rows.append(suite_row("testcage.cgroupns", "testcage -j 1 --ns +cgroup",
                          [tc, "-q", "-j", "1", "--ns", "+cgroup"], n, stats=True))
    if os.geteuid() == 0:
        d, staged = stage_rootless(tc, workdir)
        rows.append(suite_row(
            "testcage.rootless", "testcage -j 1, rootless (uid 65534, +user ns)",
            [shutil.which("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups",
             "--", staged, "-q", "-j", "1"], n, extra_env={"LD_LIBRARY_PATH": d}, cwd=d))
    rows.append(suite_row("testcage.forkonly", "testcage -j 1 --ns none (fork only)",
                          [tc, "-q", "-j", "1", "--ns", "none"], n, stats=True))
    rows.append(suite_row("testcage.main", "testcage TESTCAGE_TEST (TestCage::main) -j 1",
                          [binary(f"bench_main_{n}"), "-q", "-j", "1"], n, stats=True))
    rows.append(suite_row("check.fork", "Check, CK_FORK=yes", [binary(f"bench_check_{n}")], n,
                          extra_env={"CK_FORK": "yes"}))
    rows.append(suite_row("criterion.j1", "Criterion --jobs 1",
                          [binary(f"bench_criterion_{n}"), "-q", "--jobs", "1"], n))
    true = shutil.which("true") or "/bin/true"
    rows += calls_rows("cli", [
        ("cli.bare", "/bin/true, bare", [true]),
        ("cli.testcage", "testcage -- /bin/true", [a.cli, "--", true]),
        ("cli.unshare", "unshare --pid --fork --mount --ipc --mount-proc /bin/true",
         [shutil.which("unshare"), "--pid", "--fork", "--mount", "--ipc", "--mount-proc", true]),
        ("cli.bwrap", "bwrap --unshare-pid --unshare-ipc ... /bin/true",
         [shutil.which("bwrap"), "--unshare-pid", "--unshare-ipc", "--ro-bind", "/", "/",
          "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", true]),
    ], cfg["cli_calls"])
    for size in cfg["scaling"]:
        rows.append(suite_row(f"scale.{size}", f"testcage -j 1, {size} cases",
                              [binary(f"bench_testcage_{size}"), "-q", "-j", "1"], size,
                              stats=True))
    rows += calls_rows("startup", [
        ("startup.cmocka", "one-case binary, plain cmocka", [binary("bench_cmocka_1")]),
        ("startup.testcage", "one-case binary, testcage", [binary("bench_testcage_1"), "-q"]),
        ("startup.static", "one-case binary, testcage, static archives (TestCage::cmocka_static)",
         [binary("bench_testcage_static_1"), "-q"]),
    ], cfg["startup_calls"])
    return rows


def targets(rows):
    m = {r.id: statistics.median(r.values) for r in rows}
    fds = {r.id: set(r.fds) for r in rows}
    rss = {r.id: statistics.median(r.rss_kb) for r in rows if r.rss_kb}
    out = []

    def add(tid, text, value, limit, met, fmt="{:.2f}x"):
        out.append({"id": tid, "target": text, "measured": round(value, 3),
                    "limit": limit, "shown": fmt.format(value), "met": bool(met)})

    v = m["testcage.j1"] / m["floor.cage"]
    add("j1_vs_floor", "linked runner -j 1 <= 1.4x the floor's one-process cage per case",
        v, 1.4, v <= 1.4)
    # Whether that target can be met at all: the floor of the shape testcage
    # must have (a nested body, so that root may mount in its cage) against it.
    v = m["floor.nested"] / m["floor.cage"]
    add("nested_floor", "(reachability) the nested-body floor alone <= 1.4x the one-process cage",
        v, 1.4, v <= 1.4)
    v = m["testcage.j1"] / m["floor.nested"]
    add("j1_vs_nested_floor", "(information) linked runner -j 1 / the nested-body floor", v,
        "none", True)
    v = m["testcage.j1"] / m["testcage.j2"]
    add("j2_throughput", "-j 2 throughput >= 1.4x -j 1", v, 1.4, v >= 1.4)
    v = m["testcage.cgroupns"] / m["testcage.j1"]
    add("cgroupns_cost", "+cgroup per case <= 1.1x -j 1 (to join the default list)", v, 1.1,
        v <= 1.1)
    v = m["testcage.forkonly"] / m["check.fork"]
    add("forkonly_vs_check", "fork-only <= 0.8x Check CK_FORK per case", v, 0.8, v <= 0.8)
    # Its reach: the fork-only shape's floor plus what Check's own forked
    # child does beyond a bare fork (the test, its exit) is the least a
    # fork-only case can cost.
    v = (m["floor.forkonly"] + m["check.fork"] - m["floor.fork"]) / m["check.fork"]
    add("forkonly_floor", "(reachability) the fork-only floor + Check's work beyond a bare fork "
        "<= 0.8x Check", v, 0.8, v <= 0.8)
    v = m["criterion.j1"] / m["testcage.j1"]
    add("vs_criterion", "caged -j 1 >= 15x faster than Criterion --jobs 1", v, 15, v >= 15)
    over = m["cli.testcage"] - m["cli.bare"]
    add("cli_overhead", "CLI overhead over bare /bin/true <= 0.5 ms", over / 1000.0, 0.5,
        over <= 500, "{:.3f} ms")
    v = m["startup.testcage"] / m["startup.cmocka"]
    add("startup", "one-case binary start <= 1.5x a plain cmocka one-case binary", v, 1.5,
        v <= 1.5)
    # Its reach: a plain start plus one case at the nested-body floor.
    v = (m["startup.cmocka"] + m["floor.nested"]) / m["startup.cmocka"]
    add("startup_floor", "(reachability) a plain cmocka start + the nested-body floor <= 1.5x "
        "a plain start", v, 1.5, v <= 1.5)
    for other in ("unshare", "bwrap"):
        o = m[f"cli.{other}"] - m["cli.bare"]
        v = over / o if o > 0 else float("inf")
        add(f"cli_vs_{other}", f"CLI overhead below {other}'s", v, 1.0, v < 1.0)
    sizes = sorted(int(r.id.split(".")[1]) for r in rows if r.id.startswith("scale."))
    lo, hi = sizes[-2], sizes[-1]
    v = m[f"scale.{hi}"] / m[f"scale.{lo}"]
    add("scaling_cost", f"{hi} cases <= 1.1x per case of {lo}", v, 1.1, v <= 1.1)
    flat_fds = all(fds[f"scale.{s}"] == fds[f"scale.{sizes[0]}"] for s in sizes) and \
        len(fds[f"scale.{sizes[0]}"]) == 1
    add("scaling_fds", f"open fds at exit equal at {'/'.join(map(str, sizes))} cases",
        float(max(max(fds[f"scale.{s}"]) for s in sizes)), "equal", flat_fds, "{:.0f} fds")
    # Flat RSS: what grows is the case table itself (~0.1 KiB a case), not a
    # per-case result, capture buffer or cage object (tens of KiB each).
    per_case_kb = (rss[f"scale.{hi}"] - rss[f"scale.{lo}"]) / (hi - lo)
    add("scaling_rss", f"runner peak RSS flat: growth from {lo} to {hi} cases <= 1 KiB per case",
        per_case_kb, 1.0, per_case_kb <= 1.0, "{:.3f} KiB/case")
    return out


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    distro = ""
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            distro = next((ln.split("=", 1)[1].strip().strip('"') for ln in f
                           if ln.startswith("PRETTY_NAME=")), "")
    except OSError:
        pass
    return {"kernel": platform.release(), "cpus": os.cpu_count(), "cpu": cpu, "os": distro,
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def fmt_row(r):
    extra = []
    if "runner_peak_rss_kb" in r:
        extra.append(f"RSS {r['runner_peak_rss_kb']} KiB")
    if "fds_at_exit" in r:
        extra.append("fds " + "/".join(map(str, r["fds_at_exit"])))
    faults = f"{r['minor_faults']:.1f}" if "minor_faults" in r else ""
    cpu = f"{r['cpu_us']:.0f}" if "cpu_us" in r else ""
    return (r["label"], r.get("cases", ""), f"{r['min']:.1f}", f"{r['median']:.1f}",
            f"{r['max']:.1f}", r["unit"], cpu, faults, ", ".join(extra))


def print_table(doc, out):
    head = ("variant", "cases", "min", "median", "max", "unit", "cpu", "faults", "runner")
    lines = [head] + [fmt_row(r) for r in doc["rows"]]
    w = [max(len(str(x[k])) for x in lines) for k in range(len(head))]
    for k, ln in enumerate(lines):
        cells = [str(c).ljust(w[i]) if i in (0, 5, 8) else str(c).rjust(w[i])
                 for i, c in enumerate(ln)]
        print("  ".join(cells).rstrip(), file=out)
        if k == 0:
            print("  ".join("-" * x for x in w), file=out)
    print(file=out)
    for t in doc["targets"]:
        word = "info" if t["limit"] == "none" else "met" if t["met"] else "NOT MET"
        print(f"[{word:>7}] {t['target']}: {t['shown']}", file=out)


def write_markdown(doc, path, png_name):
    with open(path, "w", encoding="utf-8") as f:
        mch, cfg = doc["machine"], doc["config"]
        f.write("<!-- bench.md - written by tests/bench/bench.py; do not edit. -->\n")
        f.write(f"Machine: {mch['os']}, kernel {mch['kernel']}, {mch['cpus']} CPUs ({mch['cpu']}); "
                f"{mch['date']}; {cfg['reps']} repetitions, variants interleaved.\n\n")
        f.write(f"![per-case cost]({png_name})\n\n")
        f.write("| variant | cases | min | median | max | unit | CPU us per unit "
                "| minor faults per unit | runner at exit |\n")
        f.write("|---|--:|--:|--:|--:|---|--:|--:|---|\n")
        for r in doc["rows"]:
            f.write("| " + " | ".join(str(c) for c in fmt_row(r)) + " |\n")
        f.write("\n| target | measured | |\n|---|--:|---|\n")
        for t in doc["targets"]:
            word = "information" if t["limit"] == "none" else "met" if t["met"] else "**not met**"
            f.write(f"| {t['target']} | {t['shown']} | {word} |\n")


SHORT = {"floor.cage": "floor: cage (clone+mounts)", "floor.fork": "floor: fork+wait",
         "floor.init": "floor: init + body", "floor.vminit": "floor: CLONE_VM init + body",
         "floor.nested": "floor: + nested user+mount ns",
         "floor.forkonly": "floor: CLONE_VM init + body, no ns",
         "cmocka.inprocess": "cmocka in-process", "testcage.j1": "testcage -j1",
         "testcage.j2": "testcage -j2", "testcage.rootless": "testcage -j1 rootless",
         "testcage.cgroupns": "testcage -j1 +cgroup",
         "testcage.forkonly": "testcage -j1 --ns none", "testcage.main": "TESTCAGE_TEST -j1",
         "check.fork": "Check CK_FORK=yes", "criterion.j1": "Criterion --jobs 1",
         "cli.bare": "CLI: /bin/true", "cli.testcage": "CLI: testcage -- true",
         "cli.unshare": "CLI: unshare ... true", "cli.bwrap": "CLI: bwrap ... true",
         "startup.cmocka": "start-up: 1-case cmocka", "startup.testcage": "start-up: 1-case testcage",
         "startup.static": "start-up: 1-case testcage, static"}
COLOUR = {"floor": 8, "cmocka": 2, "testcage": 1, "check": 4, "criterion": 7, "cli": 3,
          "startup": 6}


def write_plot_data(doc, path):
    """One line per plotted row: label, median, min, max (microseconds), colour."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("# label median min max colour\n")
        for r in doc["rows"]:
            if r["group"] == "scale":
                continue
            f.write(f"\"{SHORT.get(r['id'], r['id'])}\" {r['median']} {r['min']} {r['max']} "
                    f"{COLOUR.get(r['group'], 1)}\n")


def expected_ids(cfg, root):
    ids = ["floor.cage", "floor.fork", "floor.init", "floor.vminit", "floor.nested", "floor.forkonly",
           "cmocka.inprocess", "testcage.j1", "testcage.j2",
           "testcage.cgroupns", "testcage.forkonly", "testcage.main", "check.fork", "criterion.j1", "cli.bare",
           "cli.testcage", "cli.unshare", "cli.bwrap", "startup.cmocka", "startup.testcage",
           "startup.static"]
    ids += [f"scale.{s}" for s in cfg["scaling"]]
    if root:
        ids.append("testcage.rootless")
    return ids


def validate(path, cfg, root):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    have = {r["id"]: r for r in doc["rows"]}
    missing = [i for i in expected_ids(cfg, root) if i not in have]
    if missing:
        raise BenchError(f"{path}: rows missing: {', '.join(missing)}")
    for r in doc["rows"]:
        if len(r["values"]) != cfg["reps"] or not 0 < r["min"] <= r["median"] <= r["max"]:
            raise BenchError(f"{path}: row {r['id']} has bad values {r['values']}")
    if len(doc["targets"]) < 9:
        raise BenchError(f"{path}: targets missing")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin-dir", required=True, help="directory holding the bench binaries")
    p.add_argument("--cli", required=True, help="the testcage CLI")
    p.add_argument("--json", required=True, help="JSON output file")
    p.add_argument("--markdown", help="Markdown output file")
    p.add_argument("--plot-data", help="gnuplot data output file")
    p.add_argument("--png-name", default="bench.png", help="image the Markdown shows")
    p.add_argument("--smoke", action="store_true", help="tiny run: check it works, not timing")
    p.add_argument("--reps", type=int, help="repetitions (default 5; smoke 2)")
    a = p.parse_args()
    cfg = dict(SMOKE if a.smoke else FULL)
    if a.reps:
        cfg["reps"] = a.reps
    root = os.geteuid() == 0
    for tool in ("unshare", "bwrap", "setpriv"):
        if not shutil.which(tool):
            raise BenchError(f"{tool} not found (run.sh installs it)")
    workdir = tempfile.mkdtemp(prefix="testcage-bench-")
    os.chmod(workdir, 0o755)  # uid 65534 runs the staged rootless copy from here
    try:
        runner = Runner(workdir)
        rows = build_rows(a, cfg, runner, workdir)
        drivers = [r for r in rows if r.run]
        total = time.monotonic()
        for rep in range(cfg["reps"]):
            # Rotate the order so no variant always follows the same neighbour.
            k = rep % len(drivers)
            for r in drivers[k:] + drivers[:k]:
                r.run(rep)
            print(f"repetition {rep + 1}/{cfg['reps']} done "
                  f"({time.monotonic() - total:.0f} s)", file=sys.stderr)
        doc = {"machine": machine(), "config": cfg, "rows": [r.summary() for r in rows],
               "targets": targets(rows)}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    sys.stderr.flush()
    print_table(doc, sys.stdout)
    if a.markdown:
        write_markdown(doc, a.markdown, a.png_name)
    if a.plot_data:
        write_plot_data(doc, a.plot_data)
    validate(a.json, cfg, root)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"bench.py: {e}", file=sys.stderr)
        sys.exit(1)
