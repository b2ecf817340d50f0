#!/usr/bin/env python3
"""fields.py FILE SPEC... - assert fields of cases in a linked runner's --json
report (statuses are tests/hardening/check_json.py's job).

SPEC: NAME.FIELD~TEXT   FIELD contains TEXT
      NAME.FIELD!~TEXT  FIELD does not contain TEXT
      NAME.leaks=none   no process, file or IPC object reported left
FIELD: output, message, or failures (every failure message, one a line)."""
import json
import re
import sys


def field(case, name):
    if name == "failures":
        return "\n".join(f["message"] or "" for f in case["failures"] or [])
    return case[name] or ""


def leaks_none(case):
    leaks = case["leaks"] or {}
    return not any(leaks.get(k) for k in ("processes", "files", "ipc"))


def main():
    path, specs = sys.argv[1], sys.argv[2:]
    with open(path, encoding="utf-8") as f:
        cases = {c["name"]: c for c in json.load(f)["cases"]}
    bad = []
    for spec in specs:
        m = re.fullmatch(r"([^.]+)\.(\w+)(~|!~|=)(.*)", spec, re.S)
        if not m:
            sys.exit(f"fields.py: bad spec {spec!r}")
        name, key, op, text = m.groups()
        case = cases.get(name)
        if case is None:
            bad.append(f"{name}: not reported")
        elif op == "=":
            if key != "leaks" or text != "none":
                sys.exit(f"fields.py: bad spec {spec!r}")
            if not leaks_none(case):
                bad.append(f"{name}: leaks reported: {case['leaks']}")
        elif (text in field(case, key)) != (op == "~"):
            want = "contains" if op == "~" else "does not contain"
            bad.append(f"{name}: {key} {field(case, key)!r}: expected it {want} {text!r}")
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
