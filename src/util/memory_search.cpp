// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/memory_search.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace kdive {

namespace {

// Items per block of the value scan: the block is tested for any match without branches (the
// compiler vectorises it), and only a block with one is looked at item by item.
constexpr std::size_t kBlockBytes = 256;

std::string context_text(const std::byte* p, std::size_t n) {
    std::string s(n, '.');
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c >= 0x20 && c < 0x7f) s[i] = static_cast<char>(c);
    }
    return s;
}

// crash's context: 56 characters from the match, but not past the end of the match's page
// unless the match itself crosses into the next one; never past the bytes at hand.
std::size_t context_length(std::uint64_t at, std::size_t len, std::size_t available) {
    const std::uint64_t page_end = (at | 0xfff) + 1;
    std::size_t n = MemoryMatcher::kContext;
    if (at + len <= page_end) n = static_cast<std::size_t>(std::min<std::uint64_t>(n, page_end - at));
    return std::min(n, available);
}

}  // namespace

MemoryMatcher MemoryMatcher::values(unsigned size, std::uint64_t mask,
                                    std::vector<std::uint64_t> values) {
    MemoryMatcher m;
    m.size_ = size;
    const std::uint64_t width = size == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1;
    m.mask_ = mask & width;
    m.values_ = std::move(values);
    return m;
}

MemoryMatcher MemoryMatcher::strings(std::vector<std::string> strings) {
    MemoryMatcher m;
    for (const auto& s : strings) m.longest_ = std::max(m.longest_, s.size());
    m.strings_ = std::move(strings);
    return m;
}

void MemoryMatcher::scan(std::uint64_t addr, std::span<const std::byte> data, const Sink& sink) {
    switch (size_) {
        case 2: return scan_values<std::uint16_t>(addr, data, sink);
        case 4: return scan_values<std::uint32_t>(addr, data, sink);
        case 8: return scan_values<std::uint64_t>(addr, data, sink);
        default: return scan_strings(addr, data, sink);
    }
}

template <typename T>
void MemoryMatcher::scan_values(std::uint64_t addr, std::span<const std::byte> data,
                                const Sink& sink) const {
    const T mask = static_cast<T>(mask_);
    std::vector<T> want;
    for (auto v : values_) want.push_back(static_cast<T>(v) | mask);
    const std::size_t n = data.size() / sizeof(T);
    const std::byte* p = data.data();
    const auto load = [p](std::size_t i) {
        T v;
        std::memcpy(&v, p + i * sizeof(T), sizeof v);  // little-endian dump, little-endian host
        return v;
    };
    constexpr std::size_t block = kBlockBytes / sizeof(T);
    for (std::size_t b = 0; b < n; b += block) {
        const std::size_t e = std::min(n, b + block);
        bool any = false;
        for (const T w : want) {
            unsigned hit = 0;
            for (std::size_t i = b; i < e; ++i) hit |= static_cast<unsigned>((load(i) | mask) == w);
            any |= hit != 0;
        }
        if (!any) continue;
        for (std::size_t i = b; i < e; ++i) {
            const T v = load(i);
            for (std::size_t k = 0; k < want.size(); ++k)
                if ((v | mask) == want[k]) sink(Match{addr + i * sizeof(T), k, v, {}});
        }
    }
}

void MemoryMatcher::scan_strings(std::uint64_t addr, std::span<const std::byte> data,
                                 const Sink& sink) {
    std::vector<Match> found;
    // Matches that start in the previous scan's tail and end in this one.
    if (!carry_.empty() && carry_addr_ + carry_.size() == addr) {
        std::vector<std::byte> joined(carry_);
        joined.insert(joined.end(), data.begin(),
                      data.begin() + static_cast<std::ptrdiff_t>(
                                         std::min(data.size(), kContext + longest_)));
        const std::string_view hay(reinterpret_cast<const char*>(joined.data()), joined.size());
        for (std::size_t k = 0; k < strings_.size(); ++k) {
            const std::string& s = strings_[k];
            if (s.empty() || s.size() < 2) continue;
            const std::size_t first = carry_.size() >= s.size() - 1 ? carry_.size() - (s.size() - 1) : 0;
            for (std::size_t at = first; at < carry_.size(); ++at) {
                if (at + s.size() > hay.size() || hay.compare(at, s.size(), s) != 0) continue;
                const std::uint64_t a = carry_addr_ + at;
                found.push_back({a, k, 0,
                                 context_text(joined.data() + at,
                                              context_length(a, s.size(), joined.size() - at))});
            }
        }
    }
    const std::string_view hay(reinterpret_cast<const char*>(data.data()), data.size());
    for (std::size_t k = 0; k < strings_.size(); ++k) {
        const std::string& s = strings_[k];
        if (s.empty()) continue;
        for (std::size_t at = hay.find(s); at != std::string_view::npos; at = hay.find(s, at + 1)) {
            const std::uint64_t a = addr + at;
            found.push_back({a, k, 0,
                             context_text(data.data() + at,
                                          context_length(a, s.size(), data.size() - at))});
        }
    }
    // Keep the tail for the next scan: joined to the old one if this scan continued it.
    const std::size_t keep = longest_ ? longest_ - 1 : 0;
    if (keep) {
        std::vector<std::byte> tail;
        if (!carry_.empty() && carry_addr_ + carry_.size() == addr && data.size() < keep)
            tail = carry_;
        else
            tail.clear();
        const std::uint64_t tail_addr = tail.empty() ? addr : carry_addr_;
        tail.insert(tail.end(), data.begin(), data.end());
        const std::size_t drop = tail.size() > keep ? tail.size() - keep : 0;
        carry_.assign(tail.begin() + static_cast<std::ptrdiff_t>(drop), tail.end());
        carry_addr_ = tail_addr + drop;
    }
    std::sort(found.begin(), found.end(), [](const Match& a, const Match& b) {
        return a.address != b.address ? a.address < b.address : a.pattern < b.pattern;
    });
    for (const auto& m : found) sink(m);
}

}  // namespace kdive
