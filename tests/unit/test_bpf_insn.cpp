// SPDX-License-Identifier: GPL-3.0-or-later
// The eBPF decoder against what kernel/bpf/disasm.c prints for the same bytes (print_bpf_insn,
// as the verifier log and bpftool prog dump xlated show it).
#include <catch2/catch.hpp>

#include <initializer_list>
#include <vector>

#include "kdive/bpf_insn.hpp"

namespace {

using kdive::bpf::Callbacks;

std::vector<std::byte> bytes(std::initializer_list<unsigned> v) {
    std::vector<std::byte> b;
    for (unsigned x : v) b.push_back(static_cast<std::byte>(x));
    return b;
}

// The text of the one instruction (one or two slots) in `b`.
std::string one(std::initializer_list<unsigned> v, const Callbacks& cb = {}, bool xlated = false) {
    auto b = bytes(v);
    auto lines = kdive::bpf::disassemble(b, cb, xlated);
    REQUIRE(lines.size() == 1);
    return lines[0].text;
}

Callbacks helpers() {
    Callbacks cb;
    cb.helper = [](std::int32_t id) -> std::optional<std::string> {
        if (id == 1) return "bpf_map_lookup_elem";
        if (id == 5) return "bpf_ktime_get_ns";
        if (id == 12) return "bpf_tail_call";
        return std::nullopt;
    };
    return cb;
}

}  // namespace

TEST_CASE("bpf: ALU64 and ALU", "[bpf][unit]") {
    CHECK(one({0xbf, 0x16, 0, 0, 0, 0, 0, 0}) == "(bf) r6 = r1");
    CHECK(one({0xb7, 0x00, 0, 0, 0, 0, 0, 0}) == "(b7) r0 = 0");
    CHECK(one({0x07, 0x02, 0, 0, 0xfc, 0xff, 0xff, 0xff}) == "(07) r2 += -4");
    CHECK(one({0x67, 0x00, 0, 0, 3, 0, 0, 0}) == "(67) r0 <<= 3");
    CHECK(one({0x0f, 0x10, 0, 0, 0, 0, 0, 0}) == "(0f) r0 += r1");
    CHECK(one({0xc7, 0x01, 0, 0, 3, 0, 0, 0}) == "(c7) r1 s>>= 3");
    CHECK(one({0x04, 0x01, 0, 0, 5, 0, 0, 0}) == "(04) w1 += 5");
    CHECK(one({0x0c, 0x21, 0, 0, 0, 0, 0, 0}) == "(0c) w1 += w2");
    CHECK(one({0xbc, 0x21, 0, 0, 0, 0, 0, 0}) == "(bc) w1 = w2");
    CHECK(one({0x84, 0x03, 0, 0, 0, 0, 0, 0}) == "(84) w3 = -w3");
    CHECK(one({0x87, 0x03, 0, 0, 0, 0, 0, 0}) == "(87) r3 = -r3");
    CHECK(one({0xdc, 0x01, 0, 0, 16, 0, 0, 0}) == "(dc) r1 = be16 r1");
    CHECK(one({0xd4, 0x01, 0, 0, 32, 0, 0, 0}) == "(d4) r1 = le32 r1");
    CHECK(one({0xa4, 0x05, 0, 0, 0xff, 0, 0, 0}) == "(a4) w5 ^= 255");
    CHECK(one({0x97, 0x05, 0, 0, 7, 0, 0, 0}) == "(97) r5 %= 7");
}

TEST_CASE("bpf: loads and stores", "[bpf][unit]") {
    CHECK(one({0x61, 0x20, 0, 0, 0, 0, 0, 0}) == "(61) r0 = *(u32 *)(r2 +0)");
    CHECK(one({0x79, 0x00, 0, 0, 0, 0, 0, 0}) == "(79) r0 = *(u64 *)(r0 +0)");
    CHECK(one({0x71, 0x13, 0x0e, 0, 0, 0, 0, 0}) == "(71) r3 = *(u8 *)(r1 +14)");
    CHECK(one({0x69, 0x13, 0xfe, 0xff, 0, 0, 0, 0}) == "(69) r3 = *(u16 *)(r1 -2)");
    CHECK(one({0x62, 0x0a, 0xfc, 0xff, 1, 0, 0, 0}) == "(62) *(u32 *)(r10 -4) = 1");
    CHECK(one({0x7a, 0x0a, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff}) == "(7a) *(u64 *)(r10 -8) = -1");
    CHECK(one({0x7b, 0x1a, 0xf8, 0xff, 0, 0, 0, 0}) == "(7b) *(u64 *)(r10 -8) = r1");
    CHECK(one({0x73, 0x21, 0x02, 0, 0, 0, 0, 0}) == "(73) *(u8 *)(r1 +2) = r2");
    CHECK(one({0x30, 0x00, 0, 0, 12, 0, 0, 0}) == "(30) r0 = *(u8 *)skb[12]");
    CHECK(one({0x48, 0x50, 0, 0, 2, 0, 0, 0}) == "(48) r0 = *(u16 *)skb[r5 + 2]");
    CHECK(one({0x21, 0x00, 0, 0, 0, 0, 0, 0}) == "(21) BUG_ldx_21");
    CHECK(one({0xc2, 0x00, 0, 0, 0, 0, 0, 0}) == "(c2) nospec");
}

TEST_CASE("bpf: atomics", "[bpf][unit]") {
    CHECK(one({0xdb, 0x1a, 0xf8, 0xff, 0x00, 0, 0, 0}) == "(db) lock *(u64 *)(r10 -8) += r1");
    CHECK(one({0xc3, 0x1a, 0xf8, 0xff, 0x40, 0, 0, 0}) == "(c3) lock *(u32 *)(r10 -8) |= r1");
    CHECK(one({0xdb, 0x1a, 0xf8, 0xff, 0x01, 0, 0, 0}) == "(db) r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)");
    CHECK(one({0xc3, 0x1a, 0xf8, 0xff, 0x51, 0, 0, 0}) == "(c3) r1 = atomic_fetch_and((u32 *)(r10 -8), r1)");
    CHECK(one({0xdb, 0x1a, 0xf8, 0xff, 0xa1, 0, 0, 0}) == "(db) r1 = atomic64_fetch_xor((u64 *)(r10 -8), r1)");
    CHECK(one({0xdb, 0x1a, 0xf8, 0xff, 0xe1, 0, 0, 0}) == "(db) r1 = atomic64_xchg((u64 *)(r10 -8), r1)");
    CHECK(one({0xdb, 0x1a, 0xf8, 0xff, 0xf1, 0, 0, 0}) == "(db) r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)");
    CHECK(one({0xdb, 0x1a, 0xf8, 0xff, 0x10, 0, 0, 0}) == "(db) BUG_db");
}

TEST_CASE("bpf: jumps, calls and exit", "[bpf][unit]") {
    CHECK(one({0x35, 0x00, 3, 0, 0x10, 0, 0, 0}) == "(35) if r0 >= 0x10 goto pc+3");
    CHECK(one({0x15, 0x00, 1, 0, 0, 0, 0, 0}) == "(15) if r0 == 0x0 goto pc+1");
    CHECK(one({0x05, 0x00, 1, 0, 0, 0, 0, 0}) == "(05) goto pc+1");
    CHECK(one({0x5d, 0x21, 0xfe, 0xff, 0, 0, 0, 0}) == "(5d) if r1 != r2 goto pc-2");
    CHECK(one({0xa5, 0x01, 4, 0, 0xff, 0xff, 0xff, 0xff}) == "(a5) if r1 < 0xffffffff goto pc+4");
    CHECK(one({0x16, 0x01, 2, 0, 7, 0, 0, 0}) == "(16) if w1 == 0x7 goto pc+2");
    CHECK(one({0x6e, 0x21, 2, 0, 0, 0, 0, 0}) == "(6e) if w1 s> w2 goto pc+2");
    CHECK(one({0x06, 0x00, 0, 0, 9, 0, 0, 0}) == "(06) gotol pc+9");
    CHECK(one({0x95, 0, 0, 0, 0, 0, 0, 0}) == "(95) exit");
    CHECK(one({0x85, 0x00, 0, 0, 1, 0, 0, 0}, helpers()) == "(85) call bpf_map_lookup_elem#1");
    CHECK(one({0x85, 0x00, 0, 0, 1, 0, 0, 0}) == "(85) call unknown#1");
    CHECK(one({0x85, 0x10, 0, 0, 5, 0, 0, 0}) == "(85) call pc+5");
    CHECK(one({0x85, 0x20, 0, 0, 0x34, 0x12, 0, 0}) == "(85) call kernel-function#4660");
    // A loaded program's call: imm is the function's offset from __bpf_call_base.
    Callbacks cb = helpers();
    cb.call = [](const kdive::bpf::Insn& i) -> std::optional<std::string> {
        if (i.imm == 201840) return "__htab_map_lookup_elem";
        return std::nullopt;
    };
    CHECK(one({0x85, 0x00, 0, 0, 0x70, 0x14, 0x03, 0x00}, cb) == "(85) call __htab_map_lookup_elem#201840");
}

TEST_CASE("bpf: ld_imm64 takes two slots", "[bpf][unit]") {
    CHECK(one({0x18, 0x01, 0, 0, 0x00, 0xfc, 0x3c, 0x01, 0, 0, 0, 0, 0x5c, 0x8d, 0xff, 0xff}) ==
          "(18) r1 = 0xffff8d5c013cfc00");
    CHECK(one({0x18, 0x11, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) == "(18) r1 = map[id:1]");
    CHECK(one({0x18, 0x21, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0}) == "(18) r1 = map[id:3][0]+16");
    CHECK(one({0x18, 0x41, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0}) == "(18) r1 = subprog[-2]");
    Callbacks cb;
    cb.imm = [](const kdive::bpf::Insn&, std::uint64_t v) -> std::optional<std::string> {
        if (v == 0xffff8d5c011e9a00) return "map[id:1]";
        return std::nullopt;
    };
    CHECK(one({0x18, 0x01, 0, 0, 0x00, 0x9a, 0x1e, 0x01, 0, 0, 0, 0, 0x5c, 0x8d, 0xff, 0xff}, cb) ==
          "(18) r1 = map[id:1]");
    // Cut after the first half: said so, not read past the end.
    CHECK(one({0x18, 0x01, 0, 0, 1, 0, 0, 0}) == "(18) BUG_ld_imm64_truncated");

    // Slots are numbered as bpftool numbers them: the second half has no line of its own.
    auto prog = bytes({0x62, 0x0a, 0xfc, 0xff, 0, 0, 0, 0,                                   // 0
                       0x18, 0x11, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                 // 1-2
                       0x85, 0x00, 0, 0, 1, 0, 0, 0,                                         // 3
                       0x95, 0, 0, 0, 0, 0, 0, 0});                                          // 4
    auto lines = kdive::bpf::disassemble(prog, helpers());
    REQUIRE(lines.size() == 4);
    CHECK(lines[1].index == 1);
    CHECK(lines[1].slots == 2);
    CHECK(lines[2].index == 3);
    CHECK(lines[2].text == "(85) call bpf_map_lookup_elem#1");
    CHECK(lines[3].index == 4);
}

TEST_CASE("bpf: kernel-internal opcodes of loaded programs", "[bpf][unit]") {
    // BPF_JMP | BPF_TAIL_CALL, BPF_JMP | BPF_CALL_ARGS, BPF_LDX | BPF_PROBE_MEM | BPF_DW.
    CHECK(one({0xf5, 0, 0, 0, 0, 0, 0, 0}, helpers(), true) == "(85) call bpf_tail_call#12");
    CHECK(one({0xe5, 0, 0, 0, 5, 0, 0, 0}, helpers(), true) == "(85) call bpf_ktime_get_ns#5");
    CHECK(one({0x39, 0x21, 8, 0, 0, 0, 0, 0}, {}, true) == "(79) r1 = *(u64 *)(r2 +8)");
}

TEST_CASE("bpf: hex bytes as bpftool prints them", "[bpf][unit]") {
    auto b = bytes({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    CHECK(kdive::bpf::hex_bytes(b) == "00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n10");
}

TEST_CASE("bpf: any bytes decode without crashing", "[bpf][unit]") {
    // Every opcode with assorted register, offset and immediate bytes: a small exhaustive fuzz.
    for (unsigned code = 0; code < 256; ++code)
        for (unsigned regs : {0x00u, 0x1au, 0xffu})
            for (unsigned imm : {0x00u, 0x01u, 0x51u, 0xe1u, 0xf1u, 0xffu}) {
                auto b = bytes({code, regs, 0x08, 0x00, imm, 0, 0, 0, 0x18, 0, 0, 0, 0, 0, 0, 0});
                for (bool xlated : {false, true}) {
                    auto lines = kdive::bpf::disassemble(b, {}, xlated);
                    REQUIRE_FALSE(lines.empty());
                    CHECK(lines[0].text.size() > 5);
                    CHECK(lines[0].text.front() == '(');
                }
            }
}
