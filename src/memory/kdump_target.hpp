// SPDX-License-Identifier: GPL-3.0-or-later
// A Target over a dump file opened with libkdumpfile: kdump-compressed (makedumpfile), ELF
// vmcores (/proc/vmcore copies, makedumpfile -E, QEMU dump-guest-memory). Kernel virtual
// addresses are translated by libaddrxlat through the dumped kernel's own page tables.
#pragma once

#include <libkdumpfile/kdumpfile.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kdive/target.hpp"
#include "memory/dump_file_layout.hpp"
#include "memory/qemu_cpu_state.hpp"
#include "memory/vmcoreinfo.hpp"
#include "util/unique_fd.hpp"

namespace kdive {

struct TargetOptions {
    // Open a dump whose file is shorter than its headers say (reads of what is missing fail).
    bool allow_truncated = false;
};

class KdumpTarget final : public Target {
public:
    static Result<std::unique_ptr<KdumpTarget>> open(const std::string& path,
                                                     TargetOptions options = {});

    Result<void> read(AddressSpace space, std::uint64_t addr, std::span<std::byte> out) override;
    Result<PageWalk> walk(std::uint64_t vaddr) override;
    Result<std::uint64_t> phys_to_virt(std::uint64_t paddr) override;
    // From libkdumpfile's cpu.N.reg.* attributes (NT_PRSTATUS notes, in note order).
    Result<SavedCpuRegisters> cpu_registers(unsigned cpu) override;
    std::optional<std::vector<AddressRange>> present_physical() override;
    std::string format_name() const override { return format_; }
    std::string path() const override { return path_; }

    // Empty for dumps that carry none (QEMU's dump-guest-memory).
    const VmcoreInfo& vmcoreinfo() const { return vmcoreinfo_; }
    unsigned num_cpus() const { return num_cpus_; }
    const std::string& arch() const { return arch_; }
    // kdump-compressed: "zlib", "lzo", ...; empty for ELF files.
    const std::string& compression() const { return layout_.compression(); }
    const DumpFileLayout& layout() const { return layout_; }
    // QEMU dump-guest-memory: each CPU's control registers; empty for other dumps.
    const std::vector<QemuCpuState>& qemu_cpus() const { return qemu_cpus_; }

    // Kernel virtual reads work (VMCOREINFO located the page tables, or use_page_tables did).
    bool has_page_tables() const { return kvaddr_unavailable_.empty(); }
    // For dumps without VMCOREINFO: translate kernel virtual addresses through the page tables
    // rooted at physical `root`, `levels` deep (4 or 5). May be called again to try others.
    Result<void> use_page_tables(std::uint64_t root, unsigned levels);
    unsigned paging_levels() const { return levels_; }
    // One past the highest physical address the dump describes.
    std::uint64_t max_phys() const { return max_phys_; }

private:
    struct CtxFree {
        void operator()(kdump_ctx_t* c) const { kdump_free(c); }
    };
    KdumpTarget() = default;
    Error last_error(kdump_status st, std::uint64_t addr, std::uint64_t size) const;
    void settle_translation();
    // A truncated file: fail if the data of [addr, addr+len) lies past its end.
    Result<void> check_in_file(AddressSpace space, std::uint64_t addr, std::size_t len);

    UniqueFd fd_;  // declared before ctx_: the context is freed first
    std::unique_ptr<kdump_ctx_t, CtxFree> ctx_;
    std::string path_, format_, arch_;
    VmcoreInfo vmcoreinfo_;
    DumpFileLayout layout_;
    std::vector<QemuCpuState> qemu_cpus_;
    unsigned num_cpus_ = 0;
    unsigned levels_ = 0;
    std::uint64_t max_phys_ = 0;
    std::string kvaddr_unavailable_;  // why kernel virtual reads cannot work, if they cannot
    std::optional<std::vector<AddressRange>> present_;  // file.pagemap as ranges, once read
};

}  // namespace kdive
