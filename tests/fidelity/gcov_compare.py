#!/usr/bin/env python3
"""gcov_compare.py GCOV UNCAGED CAGED - gcov's line counts of cov_cases.c must
be the same for the suite run uncaged (plain cmocka) and caged at -j 1 and
-j 2; main()'s first line counts 1 (the runner), never once more per case.

UNCAGED and CAGED are the two executables' object files (cov_cases.c.o);
their .gcda files lie beside them."""
import json
import os
import subprocess
import sys

FIRST = "FIDELITY: first line of main"
RUN_CALL = "FIDELITY: the run call"


def source_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def counts(gcov, obj):
    """{line key: count} of cov_cases.c; the run call (on another line in
    each build) is keyed by its marker."""
    gcda = obj[: -len(".o")] + ".gcda"
    out = subprocess.run([gcov, "--stdout", "--json-format", gcda], check=True,
                         capture_output=True, text=True, cwd=os.path.dirname(gcda)).stdout
    doc = json.loads(out)
    files = [f for f in doc["files"] if f["file"].endswith("cov_cases.c")]
    assert len(files) == 1, [f["file"] for f in doc["files"]]
    src = source_lines(files[0]["file"])
    got = {}
    for line in files[0]["lines"]:
        n = line["line_number"]
        text = src[n - 1]
        key = RUN_CALL if RUN_CALL in text else FIRST if FIRST in text else n
        got[key] = got.get(key, 0) + line["count"]
    return got


def run(argv, obj):
    gcda = obj[: -len(".o")] + ".gcda"
    if os.path.exists(gcda):
        os.unlink(gcda)  # counts would add up across runs
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TESTCAGE_", "CMOCKA_"))}
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    if r.returncode != 0:
        sys.exit(f"FAIL: {argv} exited {r.returncode}\n{r.stdout}\n{r.stderr}")


def main():
    gcov, uncaged_bin, uncaged_obj, caged_bin, caged_obj = sys.argv[1:]
    run([uncaged_bin], uncaged_obj)
    want = counts(gcov, uncaged_obj)
    bad = []
    # The uncaged baseline itself: main once, the helper once per call.
    if want.get(FIRST) != 1 or want.get(RUN_CALL) != 1:
        bad.append(f"uncaged run: main() counted {want.get(FIRST)}, run call {want.get(RUN_CALL)}")
    for jobs in ("1", "2"):
        run([caged_bin, "-j", jobs, "--timeout", "20"], caged_obj)
        got = counts(gcov, caged_obj)
        if got.get(FIRST) != 1:
            bad.append(f"-j {jobs}: main()'s first line counted {got.get(FIRST)} times, not 1")
        for key in sorted(set(want) | set(got), key=str):
            if want.get(key) != got.get(key):
                bad.append(f"-j {jobs}: line {key}: uncaged {want.get(key)}, caged {got.get(key)}")
        print(f"-j {jobs}: {len(got)} lines compared")
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
