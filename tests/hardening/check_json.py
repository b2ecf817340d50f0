#!/usr/bin/env python3
"""check_json.py - assert a linked runner's --json report: every named case is
there once with one of its allowed statuses; a setup-error must say why.

usage: check_json.py FILE [--setup-error REGEX] NAME=STATUS[|STATUS...]...
  (--setup-error REGEX also allows status setup-error for every case, with a
  message matching REGEX)
"""
import json
import re
import sys


def main():
    args = sys.argv[1:]
    path = args.pop(0)
    setup_re = None
    if args and args[0] == "--setup-error":
        setup_re = re.compile(args[1])
        args = args[2:]
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"FAIL: {path}: no valid JSON report: {e}")
        return 1
    cases = {}
    bad = []
    for c in doc["cases"]:
        if c["name"] in cases:
            bad.append(f"{c['name']}: reported twice")
        cases[c["name"]] = c
    for spec in args:
        name, allowed = spec.split("=", 1)
        allowed = allowed.split("|")
        c = cases.pop(name, None)
        if c is None:
            bad.append(f"{name}: not reported")
            continue
        st = c["status"]
        detail = f"exit {c['exit_code']}, signal {c['signal']}, message {c['message']!r}"
        print(f"  {name}: {st} ({detail})")
        if st == "setup-error" and setup_re and setup_re.search(c["message"] or ""):
            continue
        if st not in allowed:
            bad.append(f"{name}: status {st} ({detail}), expected {'|'.join(allowed)}")
    for name in cases:
        bad.append(f"{name}: reported but not expected")
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
