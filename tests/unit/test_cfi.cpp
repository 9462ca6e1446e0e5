// SPDX-License-Identifier: GPL-3.0-or-later
// The .debug_frame reader on a section built here byte by byte: a CIE with the x86-64 entry
// rules and an FDE whose prologue pushes rbp and moves the CFA to it, as GCC emits for a
// frame-pointer function; rows looked up at each step, with the KASLR slide applied.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "kernel/unwind_cfi.hpp"

using namespace kdive;

namespace {

struct Section {
    std::vector<std::uint8_t> bytes;
    void u8(std::uint8_t v) { bytes.push_back(v); }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    // An entry: its length, then what `body` adds, padded with DW_CFA_nop to 8 bytes.
    template <typename F>
    void entry(F body) {
        const std::size_t at = bytes.size();
        u32(0);
        body();
        while ((bytes.size() - at) % 8) u8(0);
        const auto len = static_cast<std::uint32_t>(bytes.size() - at - 4);
        for (int i = 0; i < 4; ++i) bytes[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(len >> (8 * i));
    }
};

Section frame_section(std::uint64_t func, std::uint64_t size) {
    Section s;
    s.entry([&] {  // CIE at offset 0
        s.u32(0xffffffff);
        s.u8(1);       // version
        s.u8(0);       // augmentation ""
        s.u8(1);       // code alignment 1
        s.u8(0x78);    // data alignment -8
        s.u8(16);      // return address: DWARF register 16
        s.u8(0x0c), s.u8(7), s.u8(8);  // DW_CFA_def_cfa rsp+8
        s.u8(0x80 | 16), s.u8(1);      // DW_CFA_offset ra at cfa-8
    });
    s.entry([&] {  // FDE
        s.u32(0);  // its CIE
        s.u64(func);
        s.u64(size);
        s.u8(0x40 | 1);                // advance 1: after push %rbp
        s.u8(0x0e), s.u8(16);          // DW_CFA_def_cfa_offset 16
        s.u8(0x80 | 6), s.u8(2);       // DW_CFA_offset rbp at cfa-16
        s.u8(0x40 | 3);                // advance 3: after mov %rsp,%rbp
        s.u8(0x0d), s.u8(6);           // DW_CFA_def_cfa_register rbp
    });
    return s;
}

}  // namespace

TEST_CASE("CFI rows follow a frame-pointer prologue", "[cfi]") {
    const std::uint64_t func = 0xffffffff81000000, slide = 0x2000000;
    const Section s = frame_section(func, 0x40);
    auto t = cfi::Table::parse(s.bytes, slide);
    REQUIRE(t);
    CHECK(t->size() == 1);
    const std::uint64_t at = func + slide;
    CHECK_FALSE(t->find(func));  // link-time address: not where the code runs
    CHECK_FALSE(t->find(at + 0x40));

    auto entry = t->find(at);
    REQUIRE(entry);
    CHECK(entry->cfa_reg == cfi::kRsp);
    CHECK(entry->cfa_offset == 8);
    CHECK(entry->regs[cfi::kRa].kind == cfi::Rule::Offset);
    CHECK(entry->regs[cfi::kRa].value == -8);
    CHECK(entry->regs[cfi::kRbp].kind == cfi::Rule::SameValue);

    auto pushed = t->find(at + 1);
    REQUIRE(pushed);
    CHECK(pushed->cfa_reg == cfi::kRsp);
    CHECK(pushed->cfa_offset == 16);
    CHECK(pushed->regs[cfi::kRbp].kind == cfi::Rule::Offset);
    CHECK(pushed->regs[cfi::kRbp].value == -16);

    auto body = t->find(at + 0x20);
    REQUIRE(body);
    CHECK(body->cfa_reg == cfi::kRbp);
    CHECK(body->cfa_offset == 16);
    CHECK(body->regs[cfi::kRa].value == -8);
}

TEST_CASE("a cut or corrupt .debug_frame gives fewer entries, not a crash", "[cfi]") {
    const Section s = frame_section(0xffffffff81000000, 0x40);
    for (std::size_t n = 0; n < s.bytes.size(); ++n) {
        std::vector<std::uint8_t> cut(s.bytes.begin(), s.bytes.begin() + static_cast<std::ptrdiff_t>(n));
        auto t = cfi::Table::parse(cut, 0);
        if (t) CHECK(t->size() <= 1);
    }
    std::vector<std::uint8_t> bad = s.bytes;
    bad[4] = 0x12;  // the CIE id no longer says CIE: the FDE has no CIE to use
    auto t = cfi::Table::parse(bad, 0);
    if (t) CHECK(t->size() == 0);
}
