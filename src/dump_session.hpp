// SPDX-License-Identifier: GPL-3.0-or-later
// What one kdive session has open: the dump (a Target), the vmlinux with its symbols, and the
// KASLR slide that ties the two together. Opening checks that they belong together.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "debuginfo/elf_file.hpp"
#include "debuginfo/kernel_debuginfo.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "target/kdump_target.hpp"

namespace kdive {

struct SessionOptions {
    std::optional<std::uint64_t> kaslr;  // --kaslr=OFFSET: the slide, overriding detection
    bool force = false;                   // --force: go on with a mismatched or truncated dump
};

class DumpSession final : public Session {
public:
    // Files in either order: the vmlinux is told from the dump by content.
    static Result<std::unique_ptr<DumpSession>> open(const std::string& a, const std::string& b,
                                                     const SessionOptions& options = {});

    KdumpTarget& target() override { return *target_; }
    std::string vmlinux_path() const override { return vmlinux_->path(); }
    Result<std::uint64_t> symbol_address(std::string_view name) const override;
    std::uint64_t kaslr_offset() const override { return kaslr_offset_; }
    std::string kaslr_source() const override { return kaslr_source_; }
    std::optional<std::string> vmcoreinfo(std::string_view key) const override {
        return target_->vmcoreinfo().get(key);
    }
    unsigned num_cpus() const override { return target_->num_cpus(); }
    std::optional<SymbolOffset> symbolize(std::uint64_t addr) const override;
    Result<DebugInfo*> debuginfo() override;

    const ElfFile& vmlinux() const { return *vmlinux_; }
    // phys_base as VMCOREINFO states it or as found in a dump without VMCOREINFO.
    std::optional<std::uint64_t> phys_base() const { return phys_base_; }
    // Things the user should know about this session (printed once at start).
    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    DumpSession() = default;
    // Mismatch between vmlinux and dump: an error, or with --force a warning.
    Result<void> mismatch(const std::string& what, bool force);
    Result<void> locate_kernel(const SessionOptions& options);

    std::unique_ptr<ElfFile> vmlinux_;
    std::unique_ptr<KdumpTarget> target_;
    std::uint64_t kaslr_offset_ = 0;
    std::optional<std::uint64_t> phys_base_;
    std::string kaslr_source_;
    std::vector<std::string> warnings_;
    std::unique_ptr<KernelDebugInfo> debuginfo_;  // after vmlinux_: it refers to it
};

}  // namespace kdive
