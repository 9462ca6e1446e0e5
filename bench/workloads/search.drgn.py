# SPDX-License-Identifier: GPL-3.0-or-later
"""The `search` workload in drgn, which has no search command: the direct map (all of RAM, the
bulk of what `search -k` reads) scanned for init_task's address (8-byte aligned) and for the
string "kdive-lab", printed as crash prints matches. Physical memory is read in 1 MiB chunks;
a chunk that faults (pages excluded from the dump) is retried page by page, skipping the
pages that fault, as crash and kdive skip them.

Run by compare.py through the drgn CLI, which has already opened the dump and loaded the
vmlinux debug info into `prog`.
"""
import struct

from drgn import FaultError

PAGE = 4096
CHUNK = 1 << 20
target = prog["init_task"].address_  # noqa: F821 (prog is provided by the drgn CLI)
page_offset = prog["page_offset_base"].value_()  # noqa: F821
end = prog["max_pfn"].value_() * PAGE  # noqa: F821
needle = struct.pack("<Q", target)
word = b"kdive-lab"
values, strings = [], []


def scan(paddr, data):
    at = data.find(needle)
    while at != -1:
        if at % 8 == 0:
            values.append(page_offset + paddr + at)
        at = data.find(needle, at + 1)
    at = data.find(word)
    while at != -1:
        strings.append((page_offset + paddr + at, data[at:at + 56]))
        at = data.find(word, at + 1)


for base in range(0, end, CHUNK):
    size = min(CHUNK, end - base)
    try:
        scan(base, prog.read(base, size, True))  # noqa: F821
    except FaultError:
        for p in range(base, base + size, PAGE):
            try:
                scan(p, prog.read(p, PAGE, True))  # noqa: F821
            except FaultError:
                pass

for a in values:
    print(f"{a:x}: {target:x} (init_task)")
for a, ctx in strings:
    print(f"{a:x}: " + "".join(chr(c) if 0x20 <= c < 0x7f else "." for c in ctx))
