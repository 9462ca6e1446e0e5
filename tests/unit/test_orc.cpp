// SPDX-License-Identifier: GPL-3.0-or-later
// ORC tables without a dump: the three orc_entry layouts (as the debug info describes them
// and as their formats are defined), decoding, and the kernel's __orc_find lookup rule.
#include <catch2/catch.hpp>

#include <array>

#include "kernel/unwind_orc.hpp"

using namespace kdive;
using orc::Format;

namespace {

// struct orc_entry as a compiler describes it: s16 sp_offset, s16 bp_offset (fp_offset in
// newer headers), then bit-fields in declaration order.
Type make(TypeKind kind, std::string name, std::uint64_t size, IntEncoding enc = IntEncoding::Signed) {
    Type t;
    t.kind = kind;
    t.name = std::move(name);
    t.size = size;
    t.encoding = enc;
    return t;
}

struct OrcType {
    Type s16 = make(TypeKind::Int, "s16", 2);
    Type u32 = make(TypeKind::Int, "unsigned int", 4, IntEncoding::Unsigned);
    Type entry = make(TypeKind::Struct, "orc_entry", 6);
    OrcType(std::string_view fp, std::vector<std::pair<std::string, unsigned>> bitfields) {
        entry.members.push_back({"sp_offset", TypeRef(&s16), 0, 0});
        entry.members.push_back({std::string(fp) + "_offset", TypeRef(&s16), 16, 0});
        unsigned at = 32;
        for (auto& [name, bits] : bitfields) {
            entry.members.push_back({name, TypeRef(&u32), at, bits});
            at += bits;
        }
    }
};

std::array<std::uint8_t, 6> raw(std::int16_t sp, std::int16_t bp, unsigned bits) {
    return {static_cast<std::uint8_t>(sp), static_cast<std::uint8_t>(static_cast<std::uint16_t>(sp) >> 8),
            static_cast<std::uint8_t>(bp), static_cast<std::uint8_t>(static_cast<std::uint16_t>(bp) >> 8),
            static_cast<std::uint8_t>(bits), static_cast<std::uint8_t>(bits >> 8)};
}

}  // namespace

TEST_CASE("orc_entry layouts from the debug info match the three formats", "[orc]") {
    OrcType v1("bp", {{"sp_reg", 4}, {"bp_reg", 4}, {"type", 2}, {"end", 1}});
    OrcType v2("bp", {{"sp_reg", 4}, {"bp_reg", 4}, {"type", 2}, {"signal", 1}, {"end", 1}});
    OrcType v3("bp", {{"sp_reg", 4}, {"bp_reg", 4}, {"type", 3}, {"signal", 1}});
    OrcType renamed("fp", {{"sp_reg", 4}, {"fp_reg", 4}, {"type", 3}, {"signal", 1}});
    for (auto [t, f] : {std::pair{&v1, Format::V1}, {&v2, Format::V2}, {&v3, Format::V3}, {&renamed, Format::V3}}) {
        auto l = orc::layout_from_type(&t->entry);
        REQUIRE(l);
        CHECK(l->format == f);
        const orc::Layout def = orc::layout_for(f);
        CHECK(l->type.offset == def.type.offset);
        CHECK(l->type.size == def.type.size);
        CHECK(l->end.size == def.end.size);
        if (def.end.size) CHECK(l->end.offset == def.end.offset);
        CHECK(l->signal.size == def.signal.size);
    }
    OrcType broken("bp", {{"sp_reg", 4}, {"type", 3}});
    CHECK_FALSE(orc::layout_from_type(&broken.entry));
    CHECK_FALSE(orc::layout_from_type(nullptr));
}

TEST_CASE("orc entries decode by their format", "[orc]") {
    // sp = sp + 16 (RegSp 5), bp at prev_sp - 16 (RegPrevSp 1): a CALL frame in every format.
    const unsigned regs = orc::RegSp | orc::RegPrevSp << 4;
    auto v1 = orc::decode(raw(16, -16, regs | 0u << 8).data(), Format::V1);
    CHECK(v1.sp_offset == 16);
    CHECK(v1.bp_offset == -16);
    CHECK(v1.sp_reg == orc::RegSp);
    CHECK(v1.bp_reg == orc::RegPrevSp);
    CHECK(v1.type == orc::Type::Call);
    CHECK(orc::decode(raw(16, -16, regs | 2u << 8).data(), Format::V3).type == orc::Type::Call);
    CHECK(orc::decode(raw(0, 0, orc::RegSp | 1u << 8).data(), Format::V1).type == orc::Type::Regs);
    CHECK(orc::decode(raw(0, 0, orc::RegSp | 3u << 8).data(), Format::V3).type == orc::Type::Regs);
    CHECK(orc::decode(raw(0, 0, orc::RegSp | 4u << 8).data(), Format::V3).type == orc::Type::RegsPartial);
    // The bottom of a stack: v1/v2 say it with an undefined sp and the end bit, v3 with a type.
    CHECK(orc::decode(raw(0, 0, 1u << 10).data(), Format::V1).type == orc::Type::EndOfStack);
    CHECK(orc::decode(raw(0, 0, 1u << 11).data(), Format::V2).type == orc::Type::EndOfStack);
    CHECK(orc::decode(raw(0, 0, 0).data(), Format::V1).type == orc::Type::Undefined);
    CHECK(orc::decode(raw(0, 0, 1u << 8).data(), Format::V3).type == orc::Type::EndOfStack);
    CHECK(orc::decode(raw(0, 0, 0).data(), Format::V3).type == orc::Type::Undefined);
}

TEST_CASE("orc lookup takes the rightmost entry at or below the address", "[orc]") {
    // Three entries at 0x1000, 0x1010, 0x1010 (the later one wins, as in __orc_find), each ip
    // stored as an offset from its own slot at ip_base + 4 * i.
    const std::uint64_t base = 0x800;
    std::vector<std::int32_t> ips = {0x1000 - 0x800, 0x1010 - 0x804, 0x1010 - 0x808};
    std::vector<std::uint8_t> entries;
    for (std::int16_t sp : {8, 16, 24}) {
        auto r = raw(sp, 0, orc::RegSp);
        entries.insert(entries.end(), r.begin(), r.end());
    }
    const auto t = orc::Table::build(base, ips, entries, orc::layout_for(Format::V1), 0x100000);
    CHECK_FALSE(t.find(0x100fff));
    REQUIRE(t.find(0x101000));
    CHECK(t.find(0x101000)->sp_offset == 8);
    CHECK(t.find(0x10100f)->sp_offset == 8);
    CHECK(t.find(0x101010)->sp_offset == 24);
    CHECK(t.find(0x1fffff)->sp_offset == 24);
    CHECK(t.first() == 0x101000);
    CHECK(t.last() == 0x101010);
}

TEST_CASE("the register numbering is told by what the table says most", "[orc]") {
    orc::RegisterEvidence classic;
    classic.sp_at_entry[orc::RegSp] = 390000, classic.sp_at_entry[orc::RegBp] = 4000;
    classic.bp_saved[orc::RegPrevSp] = 150000, classic.bp_saved[orc::RegBp] = 400;
    auto id = orc::registers_from_entries(classic);
    REQUIRE(id);
    for (std::size_t i = 0; i < id->size(); ++i) CHECK((*id)[i] == i);

    // Debian's 7.2 table: SP is 3, PREV_SP 8, BP_INDIRECT 10.
    orc::RegisterEvidence renumbered;
    renumbered.sp_at_entry[3] = 340000, renumbered.sp_at_entry[4] = 4700;
    renumbered.bp_saved[8] = 118000, renumbered.bp_saved[4] = 440;
    auto m = orc::registers_from_entries(renumbered);
    REQUIRE(m);
    CHECK((*m)[3] == orc::RegSp);
    CHECK((*m)[8] == orc::RegPrevSp);
    CHECK((*m)[10] == orc::RegBpIndirect);
    CHECK((*m)[4] == orc::RegBp);
    CHECK((*m)[1] == orc::RegUndefined);  // not seen: an entry using it stops the trace

    // Decoding applies the map: a 7.2 CALL entry at a function start reads as sp = SP + 8.
    orc::Layout l = orc::layout_for(orc::Format::V3);
    l.regs = *m;
    const auto e = orc::decode(raw(8, 0, 3 | 2u << 8), l);
    CHECK(e.sp_reg == orc::RegSp);
    CHECK(e.type == orc::Type::Call);

    orc::RegisterEvidence unknown;
    unknown.sp_at_entry[7] = 10, unknown.bp_saved[2] = 10;
    CHECK_FALSE(orc::registers_from_entries(unknown));
}
