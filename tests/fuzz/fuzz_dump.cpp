// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any bytes as a dump file, opened as `kdive VMLINUX DUMP` opens its dump
// (KdumpTarget::open: the file's own headers, libkdumpfile, VMCOREINFO, the Linux address
// translation), plain and with --force's allow_truncated, then read: physical pages, kernel
// virtual addresses VMCOREINFO names, page-table walks, saved registers, the page map. Seeds
// (tests/fuzz/corpus/dump, made by make_dump_seeds.py): tiny ELF and kdump-compressed vmcores
// with page tables, VMCOREINFO and NT_PRSTATUS.
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "memfd_input.hpp"
#include "memory/kdump_target.hpp"

namespace {

const kdive::fuzz::MemfdInput& input() {
    static const kdive::fuzz::MemfdInput in("kdive-fuzz-dump");
    return in;
}

void exercise(kdive::KdumpTarget& t) {
    using kdive::AddressSpace;
    std::array<std::byte, 256> buf{};
    for (std::uint64_t pa : {0x0ULL, 0x1000ULL, 0x2ff0ULL, 0x5000ULL, 0x7000ULL, 1ULL << 40})
        (void)t.read(AddressSpace::Physical, pa, buf);
    const auto& vi = t.vmcoreinfo();
    (void)vi.kernel_offset();
    (void)vi.number("phys_base");
    for (const char* sym : {"init_top_pgt", "swapper_pg_dir", "_stext", "init_uts_ns"}) {
        if (auto a = vi.symbol(sym)) {
            (void)t.read(AddressSpace::KernelVirtual, *a, buf);
            (void)t.walk(*a);
        }
    }
    (void)t.read(AddressSpace::KernelVirtual, 0xffffffff81000000ULL, buf);
    (void)t.walk(0xffff888000001000ULL);
    (void)t.phys_to_virt(0x1000);
    (void)t.read_string(AddressSpace::KernelVirtual, 0xffffffff81000000ULL, 64);
    for (unsigned cpu = 0; cpu < std::min(t.num_cpus(), 4u); ++cpu) (void)t.cpu_registers(cpu);
    (void)t.present_physical();
    (void)t.format_name();
    if (!t.has_page_tables() && !t.qemu_cpus().empty()) (void)t.use_page_tables(0x1000, 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (!input().write(data, size)) return 0;
    const std::string& path = input().path();
    for (bool force : {false, true}) {
        auto t = kdive::KdumpTarget::open(path, {.allow_truncated = force});
        if (!t) {
            if (t.error().message().find('\n') != std::string::npos) __builtin_trap();
            continue;
        }
        exercise(**t);
        if (!(*t)->layout().truncated()) break;  // --force opens the same way
    }
    return 0;
}
