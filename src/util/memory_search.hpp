// SPDX-License-Identifier: GPL-3.0-or-later
// The matcher behind `search`: finds 16-, 32- or 64-bit values under a "don't care" mask, or
// strings, in memory handed over in pieces. Kept apart from the command so its rules (sizes,
// alignment, masks, strings crossing from one piece into the next) are unit-tested alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace kdive {

class MemoryMatcher {
public:
    struct Match {
        std::uint64_t address = 0;
        std::size_t pattern = 0;   // index of the value or string that matched
        std::uint64_t value = 0;   // value search: the memory as found (mask not applied)
        std::string context;       // string search: what crash shows, see below
    };
    using Sink = std::function<void(const Match&)>;

    // Values of `size` bytes (2, 4, 8) at addresses aligned to `size`; bits set in `mask` are
    // ignored in the comparison (crash's -m).
    static MemoryMatcher values(unsigned size, std::uint64_t mask, std::vector<std::uint64_t> values);
    // Byte strings, at any address. A match's context is crash's: up to 56 characters from its
    // start, unprintable ones as '.', cut at the end of its 4 KiB page unless the match itself
    // crosses into the next page.
    static MemoryMatcher strings(std::vector<std::string> strings);

    // Scan `data`, the memory at `addr` (value search: `addr` aligned to the value size; a tail
    // shorter than a value is ignored). A scan starting where the previous one ended continues
    // it: strings crossing the boundary are found. Matches come in address order.
    void scan(std::uint64_t addr, std::span<const std::byte> data, const Sink& sink);
    // Memory does not continue from the last scan (a hole): forget its tail.
    void reset() { carry_.clear(); }

    unsigned size() const { return size_; }  // 0 for strings
    static constexpr std::size_t kContext = 56;  // crash's CHARS_CTX

private:
    MemoryMatcher() = default;
    template <typename T>
    void scan_values(std::uint64_t addr, std::span<const std::byte> data, const Sink& sink) const;
    void scan_strings(std::uint64_t addr, std::span<const std::byte> data, const Sink& sink);

    unsigned size_ = 0;
    std::uint64_t mask_ = 0;
    std::vector<std::uint64_t> values_;
    std::vector<std::string> strings_;
    std::size_t longest_ = 0;
    // String search: the last bytes of the previous scan, for matches that cross into this one.
    std::vector<std::byte> carry_;
    std::uint64_t carry_addr_ = 0;
};

}  // namespace kdive
