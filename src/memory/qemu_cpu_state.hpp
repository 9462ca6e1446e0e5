// SPDX-License-Identifier: GPL-3.0-or-later
// The CPU state QEMU's dump-guest-memory stores in "QEMU" ELF notes (QEMUCPUState, one per
// CPU): the control registers say where the page tables are (CR3) and how deep (CR4.LA57),
// which is what a dump without VMCOREINFO lacks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kdive {

struct QemuCpuState {
    unsigned cpu = 0;  // index in note order
    std::uint64_t rip = 0, cr0 = 0, cr3 = 0, cr4 = 0;
    bool la57() const { return cr4 & (std::uint64_t{1} << 12); }
    // The root page table's physical address: CR3 without PCID/flag bits.
    std::uint64_t root_table() const { return cr3 & 0x000ffffffffff000ULL; }
};

// Every QEMU CPU-state note of the ELF file open on `fd`; empty for other files.
std::vector<QemuCpuState> read_qemu_cpu_states(int fd);

}  // namespace kdive
