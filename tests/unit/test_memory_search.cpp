// SPDX-License-Identifier: GPL-3.0-or-later
// The matcher behind `search`: value sizes, alignment and masks; strings, their crash-style
// context, and matches that cross from one scanned piece into the next.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "util/memory_search.hpp"

using kdive::MemoryMatcher;

namespace {

std::vector<MemoryMatcher::Match> scan_all(MemoryMatcher& m, std::uint64_t addr,
                                           const std::vector<std::byte>& data,
                                           std::vector<std::size_t> cuts = {}) {
    std::vector<MemoryMatcher::Match> got;
    const auto sink = [&](const MemoryMatcher::Match& x) { got.push_back(x); };
    std::size_t at = 0;
    cuts.push_back(data.size());
    for (std::size_t cut : cuts) {
        m.scan(addr + at, std::span(data).subspan(at, cut - at), sink);
        at = cut;
    }
    return got;
}

template <typename T>
void put(std::vector<std::byte>& b, std::size_t at, T v) {
    std::memcpy(b.data() + at, &v, sizeof v);
}

void put_string(std::vector<std::byte>& b, std::size_t at, std::string_view s) {
    std::memcpy(b.data() + at, s.data(), s.size());
}

}  // namespace

TEST_CASE("search matcher: 64-bit values, aligned, several at once", "[search]") {
    std::vector<std::byte> b(8192);
    put<std::uint64_t>(b, 16, 0xffffffffb381aa40);
    put<std::uint64_t>(b, 4096, 0xdeadbeef);
    put<std::uint64_t>(b, 8184, 0xffffffffb381aa40);
    put<std::uint64_t>(b, 33, 0xdeadbeef);  // unaligned: not a 64-bit value of the search
    auto m = MemoryMatcher::values(8, 0, {0xffffffffb381aa40, 0xdeadbeef});
    auto got = scan_all(m, 0xffff888000000000, b);
    REQUIRE(got.size() == 3);
    CHECK(got[0].address == 0xffff888000000010);
    CHECK(got[0].pattern == 0);
    CHECK(got[1].address == 0xffff888000001000);
    CHECK(got[1].pattern == 1);
    CHECK(got[1].value == 0xdeadbeef);
    CHECK(got[2].address == 0xffff888000001ff8);
}

TEST_CASE("search matcher: masks ignore bits, the value is shown as found", "[search]") {
    std::vector<std::byte> b(64);
    put<std::uint32_t>(b, 0, 0x0804abcd);
    put<std::uint32_t>(b, 4, 0x3dbeabcd);
    put<std::uint32_t>(b, 8, 0x3dbeabce);
    auto m = MemoryMatcher::values(4, 0xffff0000, {0xabcd});
    auto got = scan_all(m, 0x1000, b);
    REQUIRE(got.size() == 2);
    CHECK(got[0].address == 0x1000);
    CHECK(got[0].value == 0x0804abcd);
    CHECK(got[1].address == 0x1004);
    CHECK(got[1].value == 0x3dbeabcd);
}

TEST_CASE("search matcher: 32- and 16-bit values at every aligned offset", "[search]") {
    std::vector<std::byte> b(32);
    put<std::uint16_t>(b, 2, 0xbabe);
    put<std::uint16_t>(b, 6, 0xbabe);
    put<std::uint16_t>(b, 11, 0xbabe);  // odd address: not a 16-bit value
    auto h = MemoryMatcher::values(2, 0, {0xbabe});
    auto got = scan_all(h, 0, b);
    REQUIRE(got.size() == 2);
    CHECK(got[0].address == 2);
    CHECK(got[1].address == 6);
    // As 32-bit values the upper halves of words 0 and 4 hold it: a mask for the lower half.
    auto w = MemoryMatcher::values(4, 0xffff, {0xbabe0000});
    got = scan_all(w, 0, b);
    REQUIRE(got.size() == 2);
    CHECK(got[0].address == 0);
    CHECK(got[0].value == 0xbabe0000);
    CHECK(got[1].address == 4);
}

TEST_CASE("search matcher: a trailing piece shorter than a value is ignored", "[search]") {
    std::vector<std::byte> b(12);
    put<std::uint32_t>(b, 8, 0x11223344);
    auto m = MemoryMatcher::values(8, 0, {0x11223344});
    CHECK(scan_all(m, 0, b).empty());
}

TEST_CASE("search matcher: strings and crash's 56-character context", "[search]") {
    std::vector<std::byte> b(8192, std::byte{0});
    put_string(b, 100, "kdive-lab\nwhile read");
    put_string(b, 4090, "kdive");  // the last 6 bytes of the page: context stops at its end
    auto m = MemoryMatcher::strings({"kdive"});
    auto got = scan_all(m, 0xffff888000000000, b);
    REQUIRE(got.size() == 2);
    CHECK(got[0].address == 0xffff888000000064);
    CHECK(got[0].context.size() == 56);
    CHECK(got[0].context.starts_with("kdive-lab.while read...."));
    CHECK(got[1].address == 0xffff888000000ffa);
    CHECK(got[1].context == "kdive.");
}

TEST_CASE("search matcher: strings crossing pages and scanned pieces", "[search]") {
    std::vector<std::byte> b(3 * 4096, std::byte{'x'});
    put_string(b, 4093, "needle");       // crosses the page boundary inside one piece
    put_string(b, 2 * 4096 - 2, "needle");  // crosses the boundary between two pieces
    SECTION("contiguous pieces: both found, with context into the next page") {
        auto m = MemoryMatcher::strings({"needle", "zz"});
        auto got = scan_all(m, 0x10000, b, {4096 * 2});
        REQUIRE(got.size() == 2);
        CHECK(got[0].address == 0x10000 + 4093);
        CHECK(got[0].context.size() == 56);
        CHECK(got[1].address == 0x10000 + 2 * 4096 - 2);
        CHECK(got[1].context == "needle" + std::string(50, 'x'));
    }
    SECTION("a hole between pieces: no match across it") {
        auto m = MemoryMatcher::strings({"needle"});
        std::vector<MemoryMatcher::Match> got;
        const auto sink = [&](const MemoryMatcher::Match& x) { got.push_back(x); };
        m.scan(0x10000, std::span(b).first(2 * 4096), sink);
        m.reset();
        m.scan(0x10000 + 2 * 4096, std::span(b).subspan(2 * 4096), sink);
        REQUIRE(got.size() == 1);
        CHECK(got[0].address == 0x10000 + 4093);
    }
    SECTION("pieces a few bytes long still carry a match through") {
        auto m = MemoryMatcher::strings({"needle"});
        auto got = scan_all(m, 0x10000, b, {4094, 4095, 4096, 4097});
        REQUIRE(got.size() == 2);
        CHECK(got[0].address == 0x10000 + 4093);
        CHECK(got[1].address == 0x10000 + 2 * 4096 - 2);
    }
}

TEST_CASE("search matcher: unprintable bytes show as dots, several strings in order", "[search]") {
    std::vector<std::byte> b(256, std::byte{0x80});
    put_string(b, 10, "abc");
    put_string(b, 11, "bcd");
    auto m = MemoryMatcher::strings({"bcd", "abc"});
    auto got = scan_all(m, 0, b);
    REQUIRE(got.size() == 2);
    CHECK(got[0].address == 10);
    CHECK(got[0].pattern == 1);
    CHECK(got[0].context.substr(0, 6) == "abcd..");
    CHECK(got[1].address == 11);
    CHECK(got[1].pattern == 0);
}
