// SPDX-License-Identifier: GPL-3.0-or-later
// A Target over the running kernel's /proc/kcore, read-only: an ELF core whose PT_LOAD segments
// carry kernel virtual addresses (p_vaddr); the direct map and the kernel text also state their
// physical addresses (p_paddr), the others have p_paddr = -1. The kernel itself fills each read,
// so no page tables are needed: a kernel virtual address is found in its segment and pread().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/target.hpp"
#include "memory/vmcoreinfo.hpp"
#include "util/unique_fd.hpp"

namespace kdive {

class KcoreTarget final : public Target {
public:
    // `path` is /proc/kcore except in tests (any ELF core laid out the same way).
    static Result<std::unique_ptr<KcoreTarget>> open(const std::string& path = "/proc/kcore");

    Result<void> read(AddressSpace space, std::uint64_t addr, std::span<std::byte> out) override;
    // Through the direct-map segment that holds `paddr`.
    Result<std::uint64_t> phys_to_virt(std::uint64_t paddr) override;
    // The segments with a physical address (the direct map and the kernel text map RAM).
    std::optional<std::vector<AddressRange>> present_physical() override;
    // The segments themselves: the kernel put in /proc/kcore what it has mapped.
    Result<std::vector<KernelMapping>> kernel_mappings(std::uint64_t start,
                                                       std::uint64_t end) override;
    std::string format_name() const override { return "live /proc/kcore"; }
    std::string path() const override { return path_; }

    // The VMCOREINFO note /proc/kcore has carried since Linux 4.19; empty before.
    const VmcoreInfo& vmcoreinfo() const { return vmcoreinfo_; }

    struct Segment {
        std::uint64_t vaddr = 0, paddr = 0, size = 0, offset = 0;
        bool has_paddr() const { return paddr != ~std::uint64_t{0}; }
    };
    const std::vector<Segment>& segments() const { return segments_; }

private:
    KcoreTarget() = default;
    // The segment holding `addr` in `space`, or nullptr.
    const Segment* find(AddressSpace space, std::uint64_t addr) const;

    UniqueFd fd_;
    std::string path_;
    std::vector<Segment> segments_;
    VmcoreInfo vmcoreinfo_;
};

// The descriptor of the first ELF note called `name` with type `type` in a note stream (a
// PT_NOTE segment, /sys/kernel/notes); nullopt if there is none.
std::optional<std::span<const std::byte>> find_elf_note(std::span<const std::byte> notes,
                                                        std::string_view name, std::uint32_t type);

}  // namespace kdive
