// SPDX-License-Identifier: GPL-3.0-or-later
// The one memory interface everything above the target layer uses: read N bytes at an address
// in an address space, from whatever the user opened (a dump file, /proc/kcore).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kdive/result.hpp"

namespace kdive {

enum class AddressSpace {
    KernelVirtual,  // kernel virtual addresses, translated through the kernel's page tables
    Physical,       // (kernel) physical addresses
};

// One page-table level of a translation, as crash's vtop shows it.
struct PageTableEntry {
    std::string level;       // "PGD", "P4D", "PUD", "PMD", "PTE"
    std::uint64_t entry = 0; // physical address of the entry
    std::uint64_t value = 0; // the entry as read
};

// A kernel virtual address walked through the page tables, level by level. A walk that stops
// at a non-present entry keeps the levels it read and says why in `fault`.
struct PageWalk {
    std::uint64_t vaddr = 0;
    std::uint64_t root = 0;           // physical address of the top-level table
    unsigned levels = 0;              // 4 or 5
    std::vector<PageTableEntry> entries;
    bool mapped = false;
    std::uint64_t paddr = 0;          // when mapped
    std::uint64_t page_size = 0;      // 4 KiB, 2 MiB or 1 GiB, when mapped
    std::string fault;                // why not mapped
};

// A range of addresses [start, end).
struct AddressRange {
    std::uint64_t start = 0, end = 0;
};

// The ranges sorted by start, overlapping or touching ones merged.
std::vector<AddressRange> merge_ranges(std::vector<AddressRange> ranges);

// Kernel virtual [vaddr, vaddr+size) mapped onto physical [paddr, paddr+size).
struct KernelMapping {
    std::uint64_t vaddr = 0, paddr = 0, size = 0;
    bool has_paddr = true;  // false: only readable by its virtual address (/proc/kcore vmalloc)
};

// The x86-64 general registers in struct pt_regs order: what NT_PRSTATUS notes carry and
// what the kernel's entry code saves on the stack.
struct X86Registers {
    std::uint64_t r15 = 0, r14 = 0, r13 = 0, r12 = 0, rbp = 0, rbx = 0, r11 = 0, r10 = 0, r9 = 0,
                  r8 = 0, rax = 0, rcx = 0, rdx = 0, rsi = 0, rdi = 0, orig_rax = 0, rip = 0, cs = 0,
                  rflags = 0, rsp = 0, ss = 0;
};
static_assert(sizeof(X86Registers) == 21 * 8);

// One CPU's registers as the dump saved them (kdump: where the CPU stopped for the crash;
// QEMU: the CPU state at the dump).
struct SavedCpuRegisters {
    X86Registers regs;
    std::optional<std::int32_t> pid;  // the note's pr_pid (kdump: the task that was running)
};

class Target {
public:
    virtual ~Target() = default;

    // Fill `out` entirely from `addr` in `space`, or fail naming the first unreadable address.
    virtual Result<void> read(AddressSpace space, std::uint64_t addr, std::span<std::byte> out) = 0;

    // A NUL-terminated string of at most `max` bytes.
    Result<std::string> read_string(AddressSpace space, std::uint64_t addr, std::size_t max = 4096);

    template <typename T>
    Result<T> read_value(AddressSpace space, std::uint64_t addr) {
        T v{};
        auto r = read(space, addr, std::as_writable_bytes(std::span{&v, 1}));
        if (!r) return r.failure();
        return v;
    }

    // The kernel page-table walk for `vaddr` (crash's vtop); fails if the target has no page
    // tables to walk.
    virtual Result<PageWalk> walk(std::uint64_t vaddr) {
        return fail("page-table walks are not available for this target", hex_address(vaddr));
    }
    // The kernel virtual address of a physical one in the direct map (crash's ptov).
    virtual Result<std::uint64_t> phys_to_virt(std::uint64_t paddr) {
        return fail("the direct map is not known for this target", hex_address(paddr));
    }

    // The physical memory the target has data for, sorted, adjacent ranges merged: what a scan
    // of all memory reads (pages excluded from a dump or never captured left out, so a scan
    // does not fail on them one by one). nullopt: not known, every address has to be tried.
    virtual std::optional<std::vector<AddressRange>> present_physical() { return std::nullopt; }
    // The kernel's mappings of virtual [start, end), in address order, physically contiguous
    // neighbours merged: for scans of sparse regions (vmalloc, modules). The default walks the
    // x86-64 page tables found through walk(); fails if there are none.
    virtual Result<std::vector<KernelMapping>> kernel_mappings(std::uint64_t start,
                                                               std::uint64_t end);

    // The registers the dump saved for CPU `cpu` (its NT_PRSTATUS note), the starting point
    // for unwinding the task that CPU was running.
    virtual Result<SavedCpuRegisters> cpu_registers(unsigned cpu) {
        return fail("this target has no saved CPU registers (a running kernel's active tasks "
                    "cannot be unwound)", "CPU " + std::to_string(cpu));
    }

    // What was opened, for banners and errors: e.g. "kdump-compressed (zlib)" or "ELF vmcore".
    virtual std::string format_name() const = 0;
    virtual std::string path() const = 0;
};

// The mappings of virtual [start, end) in the x86-64 page tables rooted at physical `root`,
// `levels` (4 or 5) deep, read through `target`'s physical memory: Target::kernel_mappings for
// the kernel's tables, a process's mm->pgd for its user memory.
Result<std::vector<KernelMapping>> page_table_mappings(Target& target, std::uint64_t root,
                                                       unsigned levels, std::uint64_t start,
                                                       std::uint64_t end);

}  // namespace kdive
