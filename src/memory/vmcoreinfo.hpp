// SPDX-License-Identifier: GPL-3.0-or-later
// VMCOREINFO: the KEY=VALUE note the kernel leaves for dump tools (release, KASLR offset,
// symbol addresses, struct sizes and offsets, paging depth).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kdive {

class VmcoreInfo {
public:
    VmcoreInfo() = default;
    static VmcoreInfo parse(std::string_view text);

    bool empty() const { return entries_.empty(); }
    std::optional<std::string> get(std::string_view key) const;

    std::optional<std::string> osrelease() const { return get("OSRELEASE"); }
    std::optional<std::string> build_id() const { return get("BUILD-ID"); }
    // KERNELOFFSET: the KASLR slide, printed by the kernel in hex without 0x.
    std::optional<std::uint64_t> kernel_offset() const;
    // SYMBOL(name)=hex, already relocated by KASLR.
    std::optional<std::uint64_t> symbol(std::string_view name) const;
    // NUMBER(name)=decimal (may be negative in principle; kernel prints %ld).
    std::optional<std::int64_t> number(std::string_view name) const;
    std::optional<std::uint64_t> size(std::string_view type) const;      // SIZE(type)
    std::optional<std::uint64_t> offset(std::string_view member) const;  // OFFSET(type.member)

    const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

private:
    std::map<std::string, std::string, std::less<>> entries_;
};

// Parse an unsigned number in the given base; nullopt unless the whole string is a number.
std::optional<std::uint64_t> parse_unsigned(std::string_view s, int base);

}  // namespace kdive
