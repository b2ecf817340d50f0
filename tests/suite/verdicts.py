#!/usr/bin/env python3
"""verdicts.py FORMAT FILE - one "name verdict" line per case, in report order,
from a console, TAP, JUnit or JSON report; verdict is pass, skip or fail
(json: the exact status: pass, fail, skip, timeout, crash, setup-error)."""
import json
import re
import sys
import xml.etree.ElementTree as ET


def qualified(suite, name, binary):
    return name if not suite or suite == binary else suite + "/" + name


def from_json(path):
    doc = json.load(open(path, encoding="utf-8"))
    for c in doc["cases"]:
        yield qualified(c["suite"], c["name"], doc["suite"]), c["status"]


def from_junit(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for s in suites:
        for tc in s.findall("testcase"):
            if tc.find("skipped") is not None:
                verdict = "skip"
            elif tc.find("failure") is not None or tc.find("error") is not None:
                verdict = "fail"
            else:
                verdict = "pass"
            yield qualified(tc.get("classname"), tc.get("name"), s.get("name")), verdict


def from_tap(path):
    for line in open(path, encoding="utf-8"):
        m = re.match(r"(not ok|ok) \d+ - (\S+)( # SKIP.*)?$", line.rstrip("\n"))
        if m:
            verdict = "fail" if m.group(1) == "not ok" else "skip" if m.group(3) else "pass"
            yield m.group(2), verdict


CONSOLE = {"OK": "pass", "SKIPPED": "skip", "FAILED": "fail", "CRASH": "fail", "TIMEOUT": "fail",
           "ERROR": "fail"}


def from_console(path):
    # Case lines, minus the captured output shown between "--- output ---"
    # (or "--- at the timeout ---") and "--- end of ...", up to the summary.
    inside = False
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if re.match(r"\s*--- (output|at the timeout) ---$", line):
            inside = True
        elif re.match(r"\s*--- end of ", line):
            inside = False
        elif inside:
            continue
        elif re.match(r"\[=+\] \d+ tests? ran", line):
            break
        else:
            m = re.match(r"\[ *([A-Z]+) *\] (\S+?)(:| \(|$)", line)
            if m and m.group(1) in CONSOLE:
                yield m.group(2), CONSOLE[m.group(1)]


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    reader = {"json": from_json, "junit": from_junit, "tap": from_tap, "console": from_console}
    for name, verdict in reader[fmt](path):
        print(name, verdict)


if __name__ == "__main__":
    main()
