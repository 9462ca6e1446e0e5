// SPDX-License-Identifier: GPL-3.0-or-later
// LEB128 as DWARF 5 (section 7.6) gives it, plus what corrupt files give: overlong and
// truncated encodings, and the 64-bit extremes (one of them crashed the DWARF fuzz target).
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <vector>

#include "util/leb128.hpp"

namespace {

template <typename Decode>
auto decode_all(Decode decode, const std::vector<std::uint8_t>& bytes, std::size_t* used = nullptr) {
    const std::uint8_t* p = bytes.data();
    auto v = decode(p, bytes.data() + bytes.size());
    if (used) *used = static_cast<std::size_t>(p - bytes.data());
    return v;
}

}  // namespace

TEST_CASE("unsigned LEB128: the DWARF standard's examples") {
    using kdive::leb128::read_unsigned;
    CHECK(decode_all(read_unsigned, {2}) == 2u);
    CHECK(decode_all(read_unsigned, {127}) == 127u);
    CHECK(decode_all(read_unsigned, {0x80, 1}) == 128u);
    CHECK(decode_all(read_unsigned, {0x81, 1}) == 129u);
    CHECK(decode_all(read_unsigned, {0x82, 1}) == 130u);
    CHECK(decode_all(read_unsigned, {0xb9, 0x64}) == 12857u);
    CHECK(decode_all(read_unsigned, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}) == UINT64_MAX);
}

TEST_CASE("signed LEB128: the DWARF standard's examples and the 64-bit extremes") {
    using kdive::leb128::read_signed;
    CHECK(decode_all(read_signed, {2}) == 2);
    CHECK(decode_all(read_signed, {0x7e}) == -2);
    CHECK(decode_all(read_signed, {0xff, 0x00}) == 127);
    CHECK(decode_all(read_signed, {0x81, 0x7f}) == -127);
    CHECK(decode_all(read_signed, {0x80, 0x01}) == 128);
    CHECK(decode_all(read_signed, {0x80, 0x7f}) == -128);
    CHECK(decode_all(read_signed, {0x81, 0x01}) == 129);
    CHECK(decode_all(read_signed, {0xff, 0x7e}) == -129);
    // INT64_MIN is ten bytes whose ninth sets bit 63 and whose tenth carries the sign (0x7f).
    CHECK(decode_all(read_signed, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}) == INT64_MIN);
    CHECK(decode_all(read_signed, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}) == INT64_MAX);
    // Nine bytes end at shift 63: the sign bit of the last byte is bit 62 of the value, and
    // extending it into bit 63 must not negate INT64_MIN (undefined behaviour the fuzzer found).
    CHECK(decode_all(read_signed, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40}) == -(std::int64_t{1} << 62));
}

TEST_CASE("LEB128: overlong encodings are consumed whole, truncated ones are refused") {
    using kdive::leb128::read_signed;
    using kdive::leb128::read_unsigned;
    std::size_t used = 0;
    // Twenty bytes of continuation: bits past 64 are dropped, every byte is consumed.
    std::vector<std::uint8_t> overlong(19, 0xff);
    overlong.push_back(0x00);
    CHECK(decode_all(read_unsigned, overlong, &used) == UINT64_MAX);
    CHECK(used == overlong.size());
    CHECK(decode_all(read_signed, overlong, &used) == -1);
    CHECK(used == overlong.size());
    // A trailing byte after the value is left for the next read.
    CHECK(decode_all(read_unsigned, {0x05, 0x99}, &used) == 5u);
    CHECK(used == 1);
    CHECK(decode_all(read_unsigned, {0x80, 0x80}) == std::nullopt);
    CHECK(decode_all(read_signed, {0xff}) == std::nullopt);
    CHECK(decode_all(read_unsigned, {}) == std::nullopt);
}
