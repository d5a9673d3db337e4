#!/usr/bin/env python3
"""The functions of BINARY on the pages of its code that process PID has resident, in address order, one per
line (for lld's --symbol-ordering-file; see scripts/orderfile). Usage: resident-functions.py PID BINARY"""
import bisect
import os
import struct
import subprocess
import sys

pid, binary = int(sys.argv[1]), os.path.realpath(sys.argv[2])
PAGE = os.sysconf("SC_PAGE_SIZE")

# The loadable segments (file offset, address), to turn a mapped address back into an address of the file.
segments = []
for line in subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    fields = line.split()
    if fields[:1] == ["LOAD"]:
        segments.append((int(fields[1], 16), int(fields[2], 16)))

resident = set()
with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
    for line in open(f"/proc/{pid}/maps"):
        fields = line.split()
        if len(fields) < 6 or os.path.realpath(fields[5]) != binary or "x" not in fields[1]:
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        offset = int(fields[2], 16)
        segment = next((s for s in segments if s[0] // PAGE * PAGE == offset), None)
        if segment is None:
            sys.exit(f"no segment of {binary} at offset {offset:#x}")
        bias = start - segment[1] // PAGE * PAGE
        for page in range(start, end, PAGE):
            pagemap.seek(page // PAGE * 8)
            if struct.unpack("Q", pagemap.read(8))[0] >> 63:
                resident.add(page - bias)

symbols = []
nm = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
for line in nm.splitlines():
    fields = line.split()
    if len(fields) == 4 and fields[2] in "tTwW":
        symbols.append((int(fields[0], 16), int(fields[1], 16), fields[3]))
symbols.sort()
starts = [s[0] for s in symbols]

seen = set()
for page in sorted(resident):
    index = max(0, bisect.bisect_left(starts, page) - 1)
    while index < len(symbols) and symbols[index][0] < page + PAGE:
        address, size, name = symbols[index]
        if address + size > page and name not in seen:
            seen.add(name)
            print(name)
        index += 1
