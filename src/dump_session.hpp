// SPDX-License-Identifier: GPL-3.0-or-later
// What one kdive session has open: the dump (a Target), the vmlinux with its symbols, and the
// KASLR slide that ties the two together.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "debuginfo/elf_file.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "target/kdump_target.hpp"

namespace kdive {

class DumpSession final : public Session {
public:
    // Files in either order: the vmlinux is told from the dump by content.
    static Result<std::unique_ptr<DumpSession>> open(const std::string& a, const std::string& b);

    KdumpTarget& target() override { return *target_; }
    std::string vmlinux_path() const override { return vmlinux_->path(); }
    Result<std::uint64_t> symbol_address(std::string_view name) const override;
    std::uint64_t kaslr_offset() const override { return kaslr_offset_; }
    std::string kaslr_source() const override { return kaslr_source_; }
    std::optional<std::string> vmcoreinfo(std::string_view key) const override {
        return target_->vmcoreinfo().get(key);
    }
    unsigned num_cpus() const override { return target_->num_cpus(); }

    const ElfFile& vmlinux() const { return *vmlinux_; }
    // Things the user should know about this session (printed once at start).
    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    DumpSession() = default;

    std::unique_ptr<ElfFile> vmlinux_;
    std::unique_ptr<KdumpTarget> target_;
    std::uint64_t kaslr_offset_ = 0;
    std::string kaslr_source_;
    std::vector<std::string> warnings_;
};

}  // namespace kdive
