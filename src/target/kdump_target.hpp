// SPDX-License-Identifier: GPL-3.0-or-later
// A Target over a dump file opened with libkdumpfile: kdump-compressed (makedumpfile), ELF
// vmcores (/proc/vmcore copies, makedumpfile -E, QEMU dump-guest-memory). Kernel virtual
// addresses are translated by libaddrxlat through the dumped kernel's own page tables.
#pragma once

#include <libkdumpfile/kdumpfile.h>

#include <memory>
#include <string>

#include "kdive/target.hpp"
#include "target/vmcoreinfo.hpp"
#include "util/unique_fd.hpp"

namespace kdive {

class KdumpTarget final : public Target {
public:
    static Result<std::unique_ptr<KdumpTarget>> open(const std::string& path);

    Result<void> read(AddressSpace space, std::uint64_t addr, std::span<std::byte> out) override;
    std::string format_name() const override { return format_; }
    std::string path() const override { return path_; }

    // Empty for dumps that carry none (QEMU's dump-guest-memory).
    const VmcoreInfo& vmcoreinfo() const { return vmcoreinfo_; }
    unsigned num_cpus() const { return num_cpus_; }
    const std::string& arch() const { return arch_; }

private:
    struct CtxFree {
        void operator()(kdump_ctx_t* c) const { kdump_free(c); }
    };
    KdumpTarget() = default;
    Error last_error(kdump_status st, std::uint64_t addr) const;

    UniqueFd fd_;  // declared before ctx_: the context is freed first
    std::unique_ptr<kdump_ctx_t, CtxFree> ctx_;
    std::string path_, format_, arch_;
    VmcoreInfo vmcoreinfo_;
    unsigned num_cpus_ = 0;
    std::string kvaddr_unavailable_;  // why kernel virtual reads cannot work, if they cannot
};

}  // namespace kdive
