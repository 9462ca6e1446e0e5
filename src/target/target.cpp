// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <array>

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
        if (!r) return r.failure();
        for (std::size_t i = 0; i < n; ++i) {
            if (chunk[i] == std::byte{0}) return s;
            s.push_back(static_cast<char>(chunk[i]));
        }
    }
    return s;
}

}  // namespace kdive
