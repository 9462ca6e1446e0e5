// SPDX-License-Identifier: GPL-3.0-or-later
#include "memory/vmcoreinfo.hpp"

#include <charconv>

namespace kdive {

std::optional<std::uint64_t> parse_unsigned(std::string_view s, int base) {
    if (base == 16 && (s.starts_with("0x") || s.starts_with("0X"))) s.remove_prefix(2);
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

VmcoreInfo VmcoreInfo::parse(std::string_view text) {
    VmcoreInfo info;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        auto eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;  // not KEY=VALUE: ignore
        info.entries_.insert_or_assign(std::string(line.substr(0, eq)),
                                       std::string(line.substr(eq + 1)));
    }
    return info;
}

std::optional<std::string> VmcoreInfo::get(std::string_view key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::uint64_t> VmcoreInfo::kernel_offset() const {
    auto v = get("KERNELOFFSET");
    return v ? parse_unsigned(*v, 16) : std::nullopt;
}

std::optional<std::uint64_t> VmcoreInfo::symbol(std::string_view name) const {
    auto v = get("SYMBOL(" + std::string(name) + ")");
    return v ? parse_unsigned(*v, 16) : std::nullopt;
}

std::optional<std::int64_t> VmcoreInfo::number(std::string_view name) const {
    auto v = get("NUMBER(" + std::string(name) + ")");
    if (!v) return std::nullopt;
    std::string_view s = *v;
    bool neg = s.starts_with('-');
    if (neg) s.remove_prefix(1);
    auto u = parse_unsigned(s, 10);
    if (!u) return std::nullopt;
    return neg ? -static_cast<std::int64_t>(*u) : static_cast<std::int64_t>(*u);
}

std::optional<std::uint64_t> VmcoreInfo::size(std::string_view type) const {
    auto v = get("SIZE(" + std::string(type) + ")");
    return v ? parse_unsigned(*v, 10) : std::nullopt;
}

std::optional<std::uint64_t> VmcoreInfo::offset(std::string_view member) const {
    auto v = get("OFFSET(" + std::string(member) + ")");
    return v ? parse_unsigned(*v, 10) : std::nullopt;
}

}  // namespace kdive
