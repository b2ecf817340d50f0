#!/usr/bin/env python3
"""check_json.py OUTDIR [JQ] - the JSON reports must parse (strictly, with
Python's json and jq when installed) and hold what docs/json-format.md says."""
import json
import subprocess
import sys

outdir = sys.argv[1]
jq = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].endswith("NOTFOUND") else None


def strict_load(path):
    def no_constants(name):  # NaN / Infinity are not JSON
        raise ValueError(f"{path}: non-standard constant {name}")

    with open(path, "rb") as f:
        data = f.read()
    data.decode("utf-8")  # strict: invalid UTF-8 raises
    doc = json.loads(data, parse_constant=no_constants)
    if jq:
        subprocess.run([jq, "-e", ".cases | length >= 0", path], check=True,
                       stdout=subprocess.DEVNULL)
    return doc


CASE_KEYS = {"name", "suite", "status", "exit_code", "signal", "signal_name", "duration",
             "timed_out", "killed", "interrupted", "isolated", "namespaces", "leak_failed",
             "exec_errno",
             "report_corrupt", "init_pid", "message", "failures", "skip_reason", "leaks",
             "output", "output_dropped", "debug_output", "kept_dir"}

sample = strict_load(f"{outdir}/sample.json")
assert set(sample) == {"testcage", "format", "suite", "timestamp", "cases", "summary",
                       "duration"}, sorted(sample)
assert sample["format"] == 1 and sample["suite"] == "unit"
cases = sample["cases"]
assert [c["status"] for c in cases] == ["pass", "fail", "skip", "timeout", "crash",
                                        "setup-error", "pass", "fail", "fail"], cases
for c in cases:
    assert set(c) == CASE_KEYS, sorted(set(c) ^ CASE_KEYS)
assert cases[0]["namespaces"] == ["pid", "mount", "ipc", "cgroup"], cases[0]["namespaces"]
s = sample["summary"]
assert s["total"] == len(cases) == 9 and s["passed"] == 2 and s["failed"] == 3, s
assert cases[1]["failures"][0] == {"file": "math.c", "line": 12, "message": "expected 1 == 2"}
leaks = cases[6]["leaks"]
assert leaks["omitted"] == {"processes": 2, "files": 1, "ipc": 3}, leaks
assert leaks["ipc"][0] == {"kind": "shm", "key": 0x1234, "id": 3}
assert cases[3]["timed_out"] and cases[3]["killed"]
assert cases[3]["debug_output"].startswith("Thread 1"), cases[3]["debug_output"]
nasty = cases[8]
assert nasty["name"] == 'na"sty <&> #1 \\ \x01\ufffd', repr(nasty["name"])
assert len(nasty["output"]) == 1 << 20, len(nasty["output"])  # one char per byte
assert nasty["duration"] == 0

big = strict_load(f"{outdir}/big.json")
assert len(big["cases"]) == big["summary"]["total"] == 10000
empty = strict_load(f"{outdir}/empty.json")
assert empty["cases"] == [] and empty["summary"]["total"] == 0
print("JSON reports parse and match the documented format")
