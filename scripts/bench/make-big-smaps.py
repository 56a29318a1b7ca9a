#!/usr/bin/env python3
"""make-big-smaps: write a large saved smaps file by repeating a real one.

    make-big-smaps.py INPUT OUTPUT COPIES

Each copy's addresses are shifted past the previous copy's, so the result is a
valid, sorted smaps file with COPIES times the mappings of INPUT.
"""
import re
import sys

src, dst, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(src, "rb").read()
header = re.compile(rb"^([0-9a-f]+)-([0-9a-f]+) ", re.M)
# Kernel-space entries ([vsyscall] at ffffffffff600000) are written once, at the end.
starts = [m.start() for m in header.finditer(text)] + [len(text)]
user, kernel = [], []
for a, b in zip(starts, starts[1:]):
    entry = text[a:b]
    (kernel if int(entry.split(b"-", 1)[0], 16) >= 1 << 63 else user).append(entry)
text = b"".join(user)
ranges = [(int(m.group(1), 16), int(m.group(2), 16)) for m in header.finditer(text)]
lo, hi = ranges[0][0], ranges[-1][1]
span = (hi - lo + 0xFFFFF) & ~0xFFFFF
width = max(len(m.group(1)) for m in header.finditer(text))
with open(dst, "wb") as out:
    for k in range(copies):
        shift = k * span
        def sub(m):
            a = int(m.group(1), 16) + shift
            b = int(m.group(2), 16) + shift
            return b"%0*x-%0*x " % (width, a, width, b)
        out.write(header.sub(sub, text))
    out.write(b"".join(kernel))
