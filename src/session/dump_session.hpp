// SPDX-License-Identifier: GPL-3.0-or-later
// What one kdive session has open: the memory (a dump file, or /proc/kcore in LiveSession), the
// vmlinux with its symbols, and the KASLR slide that ties the two together. Opening checks that
// they belong together.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "debuginfo/dwarf_sections.hpp"
#include "debuginfo/elf_file.hpp"
#include "debuginfo/kernel_debuginfo.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "memory/kdump_target.hpp"

namespace kdive {

struct SessionOptions {
    std::optional<std::uint64_t> kaslr;  // --kaslr=OFFSET: the slide, overriding detection
    bool force = false;                   // --force: go on with a mismatched or truncated dump
};

// The vmlinux side of a session, shared by dump files (DumpSession) and the running kernel
// (LiveSession): symbols placed by the KASLR slide, the checks that the vmlinux belongs to the
// memory, and its debug info.
class KernelSession : public Session {
public:
    std::string vmlinux_path() const override { return vmlinux_->path(); }
    Result<std::uint64_t> symbol_address(std::string_view name) const override;
    std::uint64_t kaslr_offset() const override { return kaslr_offset_; }
    std::string kaslr_source() const override { return kaslr_source_; }
    std::optional<CodeSymbol> symbolize_any(std::uint64_t addr, SymbolRule rule) override;
    Result<std::uint64_t> per_cpu_offset(unsigned cpu) override;
    Result<DebugInfo*> debuginfo() override;
    Result<const ElfFile*> vmlinux_elf() override { return vmlinux_.get(); }
    Result<const DwarfSections*> vmlinux_sections() override;

    const ElfFile& vmlinux() const { return *vmlinux_; }
    // phys_base as VMCOREINFO states it or as found in a dump without VMCOREINFO.
    std::optional<std::uint64_t> phys_base() const { return phys_base_; }
    // Things the user should know about this session (printed once at start).
    const std::vector<std::string>& warnings() const { return warnings_; }

protected:
    // `memory` names the other side in mismatch messages: "dump", "running kernel".
    explicit KernelSession(std::string memory) : memory_(std::move(memory)) {}
    Result<void> open_vmlinux(const std::string& path);
    // The same with the file already open (DumpSession told it from the dump by opening it).
    Result<void> open_vmlinux(std::unique_ptr<ElfFile> elf);
    // Mismatch between vmlinux and memory: an error, or with --force a warning.
    Result<void> mismatch(const std::string& what, bool force);
    // What the vmlinux says it is: its linux_banner, release and build-id.
    struct VmlinuxIdentity {
        std::string banner, release;
        std::optional<std::string> build_id;
        std::string described;  // "vmlinux is 6.1.0-56-amd64 build-id ..."
    };
    VmlinuxIdentity identity() const;
    // The memory's VMCOREINFO (non-empty): check release and build-id, take the slide.
    Result<void> use_vmcoreinfo(const VmcoreInfo& vi, const SessionOptions& options);
    // linux_banner in memory at the slid address must be the vmlinux's.
    Result<void> check_banner(const SessionOptions& options);

    std::string memory_;
    std::unique_ptr<ElfFile> vmlinux_;
    std::uint64_t kaslr_offset_ = 0;
    std::optional<std::uint64_t> phys_base_;
    std::string kaslr_source_;
    std::vector<std::string> warnings_;
    // After vmlinux_, which both refer to; debuginfo_ after sections_, which it borrows.
    std::unique_ptr<DwarfSections> sections_;
    std::unique_ptr<KernelDebugInfo> debuginfo_;
};

class DumpSession final : public KernelSession {
public:
    // Files in either order: the vmlinux is told from the dump by content.
    static Result<std::unique_ptr<DumpSession>> open(const std::string& a, const std::string& b,
                                                     const SessionOptions& options = {});

    KdumpTarget& target() override { return *target_; }
    std::optional<std::string> vmcoreinfo(std::string_view key) const override {
        return target_->vmcoreinfo().get(key);
    }
    unsigned num_cpus() const override { return target_->num_cpus(); }

private:
    DumpSession() : KernelSession("dump") {}
    Result<void> locate_kernel(const SessionOptions& options);

    std::unique_ptr<KdumpTarget> target_;
};

}  // namespace kdive
