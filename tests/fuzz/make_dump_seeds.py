#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the seed dumps of tests/fuzz/corpus/dump: eight pages of "physical memory" holding
# x86-64 4-level page tables (init_top_pgt at 0x1000 mapping the kernel text 0xffffffff81000000
# and a 1 GiB direct map at 0xffff888000000000), a banner, and around them
#   elf-vmcore     an ELF vmcore as /proc/vmcore is: PT_NOTE (NT_PRSTATUS, VMCOREINFO), PT_LOAD
#   kdump-zlib     kdump-compressed (makedumpfile -c layout): header, sub-header, bitmaps, page
#                  descriptors, page 0 excluded, two pages zlib-compressed, VMCOREINFO, notes
#   qemu-elf       as QEMU's dump-guest-memory: no VMCOREINFO, a "QEMU" CPU-state note with CR3
# Run once and commit the output (the fuzzer mutates the files, not this script):
#   tests/fuzz/make_dump_seeds.py tests/fuzz/corpus/dump
import struct
import sys
import zlib
from pathlib import Path

PAGE = 4096
NPAGES = 8
TEXT = 0xFFFFFFFF81000000
DIRECT = 0xFFFF888000000000
PRESENT_RW = 0x63  # present, writable, accessed, dirty


def memory():
    pages = [bytearray(PAGE) for _ in range(NPAGES)]

    def entry(page, idx, value):
        struct.pack_into("<Q", pages[page], idx * 8, value)

    idx = lambda va, shift: (va >> shift) & 511
    entry(1, idx(TEXT, 39), 0x2000 | PRESENT_RW)    # PGD -> PUD
    entry(2, idx(TEXT, 30), 0x3000 | PRESENT_RW)    # PUD -> PMD
    entry(3, idx(TEXT, 21), 0x4000 | PRESENT_RW)    # PMD -> PTE
    entry(4, 0, 0x5000 | PRESENT_RW)                # text page 0
    entry(4, 1, 0x7000 | PRESENT_RW)                # text page 1
    entry(1, idx(DIRECT, 39), 0x6000 | PRESENT_RW)  # PGD -> PUD of the direct map
    entry(6, 0, 0x0 | PRESENT_RW | 0x80)            # 1 GiB page at physical 0
    banner = b"Linux version 6.1.0-fuzz (kdive@fuzz) #1 SMP PREEMPT_DYNAMIC\n\0"
    pages[5][0:len(banner)] = banner
    pages[7][0:16] = b"kdive fuzz data\0"
    # init_uts_ns (text + 0x100): struct new_utsname, six fields of 65 bytes; libkdumpfile's
    # Linux set-up checks its sysname.
    for i, field in enumerate([b"Linux", b"fuzz", b"6.1.0-fuzz", b"#1 SMP", b"x86_64", b"(none)"]):
        pages[5][0x100 + 65 * i:0x100 + 65 * i + len(field)] = field
    return [bytes(p) for p in pages]


VMCOREINFO = (
    "OSRELEASE=6.1.0-fuzz\n"
    "BUILD-ID=00112233445566778899aabbccddeeff00112233\n"
    "PAGESIZE=4096\n"
    f"SYMBOL(init_uts_ns)={TEXT + 0x100:x}\n"
    f"SYMBOL(_stext)={TEXT:x}\n"
    "SYMBOL(init_top_pgt)=ffffffff80001000\n"
    "SYMBOL(swapper_pg_dir)=ffffffff80001000\n"
    "OFFSET(uts_namespace.name)=0\n"
    "OFFSET(list_head.next)=0\n"
    "SIZE(page)=64\n"
    "NUMBER(pgtable_l5_enabled)=0\n"
    "NUMBER(phys_base)=0\n"
    "KERNELOFFSET=0\n"
).encode()


def note(name, ntype, desc):
    n = name + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), ntype) + pad(n) + pad(desc)


def prstatus(pid, rip):
    d = bytearray(336)
    struct.pack_into("<i", d, 32, pid)  # pr_pid
    regs = [0] * 27
    regs[16] = rip                      # pt_regs.ip
    regs[17] = 0x10                     # cs
    regs[19] = 0xFFFFC90000003F00       # sp
    struct.pack_into("<27Q", d, 112, *regs)
    return bytes(d)


def qemu_cpu_state(cr3):
    d = bytearray(8 + 16 * 8 + 2 * 8 + 10 * 24 + 5 * 8 + 8)
    struct.pack_into("<II", d, 0, 1, len(d))          # version, size
    struct.pack_into("<Q", d, 8 + 16 * 8, TEXT + 0x10)  # rip
    cr = 8 + 16 * 8 + 2 * 8 + 10 * 24
    struct.pack_into("<5Q", d, cr, 0x80050033, 0, 0, cr3, 0x3506F0)
    return bytes(d)


def elf(notes, pages):
    ehsize, phsize = 64, 56
    phnum = 2
    note_off = ehsize + phnum * phsize
    load_off = (note_off + len(notes) + PAGE - 1) // PAGE * PAGE
    eh = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, b"\0" * 7,
                     4, 62, 1, 0, ehsize, 0, 0, ehsize, phsize, phnum, 0, 0, 0)
    ph_note = struct.pack("<IIQQQQQQ", 4, 0, note_off, 0, 0, len(notes), 0, 0)
    ph_load = struct.pack("<IIQQQQQQ", 1, 7, load_off, DIRECT, 0, NPAGES * PAGE, NPAGES * PAGE, PAGE)
    out = bytearray(eh + ph_note + ph_load + notes)
    out += b"\0" * (load_off - len(out))
    for p in pages:
        out += p
    return bytes(out)


def kdump(pages):
    bs = PAGE
    header = bytearray(bs)
    header[0:8] = b"KDUMP   "
    struct.pack_into("<i", header, 8, 6)  # header_version
    for i, field in enumerate([b"Linux", b"fuzz", b"6.1.0-fuzz", b"#1 SMP", b"x86_64", b"(none)"]):
        header[12 + 65 * i:12 + 65 * i + len(field)] = field
    # status (zlib), block_size, sub_hdr_size, bitmap_blocks, max_mapnr, total_ram_blocks,
    # device_blocks, written_blocks, current_cpu, nr_cpus
    struct.pack_into("<IiiIIIIIii", header, 424, 0x1, bs, 1, 2, NPAGES, NPAGES, NPAGES, NPAGES, 0, 1)
    bitmap1 = bytearray(bs)
    bitmap1[0] = 0xFF
    bitmap2 = bytearray(bs)
    bitmap2[0] = 0xFE  # page 0 excluded (as -d 31 excludes zero pages)
    desc_off = 4 * bs
    dumped = [i for i in range(NPAGES) if bitmap2[0] >> i & 1]
    data_off = desc_off + 24 * len(dumped)
    descs, data = bytearray(), bytearray()
    for i in dumped:
        raw = pages[i]
        body, flags = (zlib.compress(raw), 0x1) if i in (5, 7) else (raw, 0)
        descs += struct.pack("<QIIQ", data_off + len(data), len(body), flags, 0)
        data += body
    vmci_off = data_off + len(data)
    notes = note(b"CORE", 1, prstatus(1, TEXT + 0x10)) + note(b"VMCOREINFO", 0, VMCOREINFO)
    note_off = vmci_off + len(VMCOREINFO)
    sub = bytearray(bs)
    struct.pack_into("<QiiQQQQQQQQQQQ", sub, 0, 0, 31, 0, 0, NPAGES, vmci_off, len(VMCOREINFO),
                     note_off, len(notes), 0, 0, 0, NPAGES, NPAGES)
    return bytes(header + sub + bitmap1 + bitmap2 + descs + data + VMCOREINFO + notes)


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    pages = memory()
    vmci = note(b"VMCOREINFO", 0, VMCOREINFO)
    (out / "elf-vmcore").write_bytes(elf(note(b"CORE", 1, prstatus(1, TEXT + 0x10)) + vmci, pages))
    (out / "kdump-zlib").write_bytes(kdump(pages))
    (out / "qemu-elf").write_bytes(elf(note(b"CORE", 1, prstatus(1, TEXT + 0x10)) +
                                       note(b"QEMU", 0, qemu_cpu_state(0x1000)), pages))


if __name__ == "__main__":
    main()
