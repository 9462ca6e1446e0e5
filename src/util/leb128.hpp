#pragma once
// LEB128 as DWARF and .eh_frame/.debug_frame encode it. One decoder for every reader in kdive:
// these values come from files and dumps, so overlong encodings (more than 64 bits of payload)
// must not shift or negate past the width of the result, which is undefined behaviour in C++.
#include <cstddef>
#include <cstdint>
#include <optional>

namespace kdive::leb128 {

// Decodes an unsigned LEB128 at p (not past end) and advances p past it. Bits beyond 64 are
// dropped. nullopt when the encoding runs off the end (p is then end).
inline std::optional<std::uint64_t> read_unsigned(const std::uint8_t*& p, const std::uint8_t* end) {
    std::uint64_t v = 0;
    for (unsigned shift = 0; p < end; shift += 7) {
        const std::uint8_t b = *p++;
        if (shift < 64) v |= std::uint64_t{b & 0x7fu} << shift;
        if (!(b & 0x80)) return v;
    }
    return std::nullopt;
}

// Signed LEB128: the sign bit of the last byte extends to the left. Computed in unsigned
// arithmetic so a 64-bit value (shift 63) sign-extends without negating INT64_MIN.
inline std::optional<std::int64_t> read_signed(const std::uint8_t*& p, const std::uint8_t* end) {
    std::uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        if (p >= end) return std::nullopt;
        const std::uint8_t b = *p++;
        if (shift < 64) v |= std::uint64_t{b & 0x7fu} << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (shift < 64 && (b & 0x40)) v |= ~std::uint64_t{0} << shift;
            return static_cast<std::int64_t>(v);
        }
    }
}

}  // namespace kdive::leb128
