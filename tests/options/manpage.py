#!/usr/bin/env python3
"""manpage.py TESTCAGE MANPAGE - testcage(1) documents exactly the options and
environment forms `testcage --help` lists (both come from the option table)."""
import re
import subprocess
import sys

cli, manpage = sys.argv[1], sys.argv[2]
help_text = subprocess.run([cli, "--help"], check=True, capture_output=True, text=True).stdout
help_opts = set(re.findall(r"^  (?:-\w, )?(--[a-z-]+)", help_text, re.M))
help_env = set(re.findall(r"\[(TESTCAGE_[A-Z_]+)", help_text))

man = open(manpage, encoding="utf-8").read()
section = re.search(r"^\.SH OPTIONS\n(.*?)^\.SH ", man, re.M | re.S)
if not section:
    sys.exit(f"FAIL: {manpage} has no OPTIONS section")
# Each option is introduced by a .TP line and its tag, e.g. \fB\-\-timeout\fR.
tags = re.findall(r"^\.TP\n(.*)$", section.group(1), re.M)
man_opts = {"--" + m.replace("\\-", "-") for t in tags for m in re.findall(r"\\fB\\-\\-([a-z\\-]+)\\fR", t)}
man_env = set(re.findall(r"\\fB(TESTCAGE_[A-Z_]+)", section.group(1)))

problems = []
for what, got, want in (("option", man_opts, help_opts), ("environment form", man_env, help_env)):
    problems += [f"--help lists {what} {x} but the man page does not" for x in sorted(want - got)]
    problems += [f"the man page documents {what} {x} that --help does not list" for x in sorted(got - want)]
if len(help_opts) < 25 or len(help_env) < 20:
    problems.append(f"too few options parsed from --help: {sorted(help_opts)} {sorted(help_env)}")
for p in problems:
    print("FAIL:", p)
if problems:
    sys.exit(1)
print(f"man page and --help agree: {len(help_opts)} options, {len(help_env)} environment forms")
