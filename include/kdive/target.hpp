// SPDX-License-Identifier: GPL-3.0-or-later
// The one memory interface everything above the target layer uses: read N bytes at an address
// in an address space, from whatever the user opened (a dump file, /proc/kcore).
#pragma once

#include <cstddef>
#include <cstdint>
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

    // What was opened, for banners and errors: e.g. "kdump-compressed (zlib)" or "ELF vmcore".
    virtual std::string format_name() const = 0;
    virtual std::string path() const = 0;
};

}  // namespace kdive
