// SPDX-License-Identifier: GPL-3.0-or-later
// Facts about the dumped kernel that many commands need, computed once per session (the
// session cache) from the debug info and the dump: CPUs and their per-CPU areas, THREAD_SIZE,
// the x86-64 memory map. Every walker and command asks here instead of working them out again.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "kdive/object.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

// Where the x86-64 kernel puts things (randomized by KASLR with CONFIG_RANDOMIZE_MEMORY).
struct MemoryMap {
    unsigned levels = 4;               // page-table depth: 4 or 5
    std::uint64_t page_offset = 0;     // the direct map of physical memory (page_offset_base)
    std::uint64_t high_memory = 0;     // its end
    std::uint64_t vmalloc_start = 0;   // vmalloc_base
    std::uint64_t vmemmap_start = 0;   // vmemmap_base: the struct page array
    std::uint64_t vmemmap_end = 0;     // the struct pages of memory up to high_memory
    std::uint64_t modules_start = 0;   // MODULES_VADDR
    std::uint64_t modules_end = 0;     // MODULES_END
    std::uint64_t kernel_start = 0;    // _text
    std::uint64_t kernel_end = 0;      // _end
    std::uint64_t phys_base = 0;       // physical address __START_KERNEL_map maps
    std::uint64_t struct_page_size = 64;
    // The lowest address of the kernel half (the canonical hole's top).
    std::uint64_t kernel_half() const { return levels == 5 ? 0xff00000000000000 : 0xffff800000000000; }
};

struct KernelFacts {
    unsigned nr_cpu_ids = 1;                    // CPU numbers are below this
    std::vector<std::uint64_t> per_cpu_offset;  // __per_cpu_offset[cpu], for cpu < nr_cpu_ids
    std::vector<unsigned> possible_cpus;        // cpu_possible_mask (per-CPU data exists)
    std::vector<unsigned> online_cpus;          // cpu_online_mask
    std::uint64_t thread_size = 16384;          // THREAD_SIZE: a task's kernel stack
    std::uint64_t page_size = 4096;
};

// The session's kernel facts (computed on first use).
Result<const KernelFacts*> kernel_facts(Session& session);

// A per-CPU variable's address on `cpu`: its offset plus the CPU's area.
Result<std::uint64_t> per_cpu_address(Session& session, std::uint64_t offset, unsigned cpu);
// The per-CPU variable `name` (or a member path inside it, "pcpu_hot.current_task") on `cpu`,
// as an object.
Result<Object> per_cpu(Session& session, std::string_view name, unsigned cpu);

// The memory map (computed on first use; needs the page tables).
Result<const MemoryMap*> memory_map(Session& session);

}  // namespace kdive
