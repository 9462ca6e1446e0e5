// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <array>
#include <functional>

#include "kdive/interrupt.hpp"
#include "kdive/target.hpp"

namespace kdive {

Result<std::string> Target::read_string(AddressSpace space, std::uint64_t addr, std::size_t max) {
    std::string s;
    std::array<std::byte, 64> chunk{};
    while (s.size() < max) {
        // Small chunks that never cross a page: the next page may be unreadable.
        std::size_t n = std::min<std::size_t>({chunk.size(), max - s.size(),
                                               0x1000 - ((addr + s.size()) & 0xfff)});
        auto r = read(space, addr + s.size(), std::span{chunk.data(), n});
        if (!r) {
            // The chunk may run past the end of what can be read (a segment ending inside a
            // page) while the string ends before it: the next byte alone decides.
            n = 1;
            if (auto one = read(space, addr + s.size(), std::span{chunk.data(), n}); !one) return r.failure();
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (chunk[i] == std::byte{0}) return s;
            s.push_back(static_cast<char>(chunk[i]));
        }
    }
    return s;
}

namespace {

constexpr std::uint64_t kPresent = 1, kLargePage = 0x80;
constexpr std::uint64_t kFrameMask = 0x000ffffffffff000;  // bits 12-51: the next table or page

}  // namespace

Result<std::vector<KernelMapping>> Target::kernel_mappings(std::uint64_t start, std::uint64_t end) {
    auto w = walk(start);
    if (!w) return w.failure();
    return page_table_mappings(*this, w->root, w->levels, start, end);
}

Result<std::vector<KernelMapping>> page_table_mappings(Target& target, std::uint64_t root,
                                                       unsigned levels, std::uint64_t start,
                                                       std::uint64_t end) {
    if (levels != 4 && levels != 5)
        return fail("page tables of an unknown depth", hex_address(start));
    const unsigned va_bits = 12 + 9 * levels;  // 48 or 57
    std::vector<KernelMapping> out;
    const auto emit = [&](std::uint64_t va, std::uint64_t pa, std::uint64_t size) {
        // Clip the leaf to [start, end); merge with the previous one when both addresses follow.
        const std::uint64_t lo = std::max(va, start);
        const std::uint64_t hi = std::min(va + (size - 1), end - 1);
        if (lo > hi) return;
        pa += lo - va;
        if (!out.empty() && out.back().vaddr + out.back().size == lo &&
            out.back().paddr + out.back().size == pa)
            out.back().size += hi - lo + 1;
        else
            out.push_back({lo, pa, hi - lo + 1});
    };
    // Depth-first over the tables, in address order; a table that cannot be read (cut from a
    // truncated dump) hides only what it maps.
    std::function<Result<void>(std::uint64_t, unsigned, std::uint64_t)> visit =
        [&](std::uint64_t table, unsigned level, std::uint64_t base) -> Result<void> {
        if (auto r = check_interrupted(); !r) return r;
        std::array<std::uint64_t, 512> e{};
        if (!target.read(AddressSpace::Physical, table, std::as_writable_bytes(std::span{e})))
            return {};
        const unsigned shift = 12 + 9 * (level - 1);
        const std::uint64_t span = std::uint64_t{1} << shift;
        for (unsigned i = 0; i < 512; ++i) {
            std::uint64_t va = base + std::uint64_t{i} * span;
            if (level == levels && (va >> (va_bits - 1)) & 1) va |= ~((std::uint64_t{1} << va_bits) - 1);
            if (va + (span - 1) < start || va >= end || !(e[i] & kPresent)) continue;
            const std::uint64_t next = e[i] & kFrameMask;
            if (level == 1 || ((level == 2 || level == 3) && (e[i] & kLargePage))) {
                emit(va, next & ~(span - 1), span);
            } else if (auto r = visit(next, level - 1, va); !r) {
                return r;
            }
        }
        return {};
    };
    if (end <= start) return out;
    if (auto r = visit(root & kFrameMask, levels, 0); !r) return r.failure();
    return out;
}

std::vector<AddressRange> merge_ranges(std::vector<AddressRange> r) {
    std::sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    std::vector<AddressRange> merged;
    for (const auto& x : r) {
        if (!merged.empty() && x.start <= merged.back().end)
            merged.back().end = std::max(merged.back().end, x.end);
        else
            merged.push_back(x);
    }
    return merged;
}

}  // namespace kdive
