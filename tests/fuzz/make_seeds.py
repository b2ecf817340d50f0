#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpora under corpus/ (run once; the
files are checked in). Wire seeds are real frames of every record type."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def frame(rtype, ints=(), strs=()):
    payload = bytes([len(ints), len(strs)])
    payload += b"".join(struct.pack("<q", i) for i in ints)
    for s in strs:
        b = s.encode() + b"\0"
        payload += struct.pack("<I", len(b)) + b
    return struct.pack("<II", rtype, len(payload)) + payload


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


wire = {
    "status": frame(1, [0]),
    "proc": frame(2, [5], ["sleep", "sleep 1000"]),
    "file": frame(3, [12, 0], ["/tmp/x"]),
    "ipc": frame(4, [0, 0x1234, 3]),
    "omitted": frame(5, [1, 2, 3]),
    "failure": frame(6, [42], ["test.c", "expected 1, got 2"]),
    "skip": frame(7, [], ["no network"]),
    "setup_error": frame(8, [1], ["mount /tmp"]),
    "exec_error": frame(9, [2], ["/no/such"]),
    "notice": frame(10, [], ["running without isolation"]),
    "debug": frame(11, [], ["#0 main ()\n"]),
    "debug_done": frame(12),
    "kept": frame(13, [], ["case.1.0"]),
    "max_counts": frame(1, [1, 2, 3, 4], ["a", "", "bc", "d"]),
}
wire["stream"] = b"".join(wire.values())
wire["garbage_then_frame"] = b"\xff" * 9 + wire["status"]
wire["truncated"] = wire["failure"][:-3]
for k, v in wire.items():
    write("wire", k, v)

for k, v in enumerate(["0", "1.5", "250ms", "2m", "1h", "90s", "64m", "1G", "10%", "4k",
                       "pid,mount,ipc", "none", "+net", "-ipc,+uts", "user", "warn",
                       "fail", "ignore", "0/1", "3/4", "16", "1e400", "nan", " 1"]):
    write("parse", "seed%02d" % k, v.encode())

escape = [b"plain text", b"<a href=\"x\">&amp;</a> 'q'", b"tab\there\nnew\rline",
          b"\x00\x01\x1f\x7f", "caf\u00e9 \u2028 \u2029 \U0001f600".encode(),
          b"\xc0\xaf overlong \xed\xa0\x80 surrogate \xf4\x90\x80\x80 big",
          b"\xef\xbf\xbe \xef\xbf\xbf noncharacters", b"]]> cdata end", b"\\\"json\"\\",
          b"\xe2\x82", b"\xff\xfe"]
for k, v in enumerate(escape):
    write("escape", "seed%02d" % k, v)
