// SPDX-License-Identifier: GPL-3.0-or-later
// The strings follow kernel/bpf/disasm.c (print_bpf_insn) so that a listing reads as the
// verifier log and bpftool read; where disasm.c indexes a table with no entry, C's printf
// prints "(null)", and so do we.
#include "kdive/bpf_insn.hpp"

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace kdive::bpf {

namespace {

// Instruction classes, sizes, modes and operations (include/uapi/linux/bpf*.h).
constexpr std::uint8_t
    LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;
constexpr std::uint8_t W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
constexpr std::uint8_t IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, MEMSX = 0x80, ATOMIC = 0xc0;
constexpr std::uint8_t
    ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
    NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0;
constexpr std::uint8_t JA = 0x00, CALL = 0x80, EXIT = 0x90, JCOND = 0xe0;
constexpr std::uint8_t K = 0x00, X = 0x08;
constexpr std::int32_t FETCH = 0x01, XCHG = 0xe0 | FETCH, CMPXCHG = 0xf0 | FETCH;
// Kernel-internal opcodes (include/linux/filter.h) that bpf_insn_prepare_dump translates.
constexpr std::uint8_t CALL_ARGS = 0xe0, TAIL_CALL = 0xf0;
constexpr std::uint8_t PROBE_MEM = 0x20, PROBE_MEMSX = 0x40, PROBE_MEM32 = 0xa0;
constexpr std::int32_t kFuncTailCall = 12;  // BPF_FUNC_tail_call

constexpr std::uint8_t cls(std::uint8_t c) { return c & 0x07; }
constexpr std::uint8_t size(std::uint8_t c) { return c & 0x18; }
constexpr std::uint8_t mode(std::uint8_t c) { return c & 0xe0; }
constexpr std::uint8_t op(std::uint8_t c) { return c & 0xf0; }
constexpr std::uint8_t srcbit(std::uint8_t c) { return c & 0x08; }

const char* const kNull = "(null)";

const char* alu_string(unsigned i) {
    static constexpr std::array<const char*, 16> t = {
        "+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian",
        nullptr, nullptr};
    return t[i & 15] ? t[i & 15] : kNull;
}
const char* alu_sign_string(unsigned i) {
    if (i == (DIV >> 4)) return "s/=";
    if (i == (MOD >> 4)) return "s%=";
    return kNull;
}
const char* atomic_alu_string(unsigned i) {
    switch (i << 4) {
    case ADD: return "add";
    case AND: return "and";
    case OR: return "or";
    case XOR: return "xor";
    default: return kNull;
    }
}
const char* ldst_string(std::uint8_t code) {
    static constexpr std::array<const char*, 4> t = {"u32", "u16", "u8", "u64"};
    return t[size(code) >> 3];
}
const char* ldsx_string(std::uint8_t code) {
    static constexpr std::array<const char*, 4> t = {"s32", "s16", "s8", nullptr};
    return t[size(code) >> 3] ? t[size(code) >> 3] : kNull;
}
const char* jmp_string(unsigned i) {
    static constexpr std::array<const char*, 16> t = {
        "jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=",
        nullptr, nullptr};
    return t[i & 15] ? t[i & 15] : kNull;
}
const char* movsx_string(std::int16_t off) {
    switch (off) {
    case 8: return "(s8)";
    case 16: return "(s16)";
    case 32: return "(s32)";
    default: return kNull;
    }
}

bool is_sdiv_smod(const Insn& i) { return (op(i.code) == DIV || op(i.code) == MOD) && i.off == 1; }
bool is_movsx(const Insn& i) { return op(i.code) == MOV && (i.off == 8 || i.off == 16 || i.off == 32); }
bool is_addr_space_cast(const Insn& i) { return i.code == (ALU64 | MOV | X) && i.off == 1; }

// disasm.c's __func_get_name; `fallback` is what the caller left in its buffer.
std::string func_name(const Insn& i, const Callbacks& cb, std::string fallback) {
    if (i.src == 0 && i.imm >= 0 && cb.helper)
        if (auto n = cb.helper(i.imm)) return *n;
    if (cb.call)
        if (auto n = cb.call(i)) return *n;
    if (i.src == kPseudoCall) return fmt::format("{:+d}", i.imm);
    if (i.src == kPseudoKfuncCall) return "kernel-function";
    return fallback;
}

// How bpftool shows a 64-bit immediate of the kernel's prepared dump (print_imm).
std::string imm_name(const Insn* i, std::uint64_t full, const Callbacks& cb) {
    if (cb.imm)
        if (auto n = cb.imm(i[0], full)) return *n;
    const auto lo = static_cast<std::uint32_t>(i[0].imm), hi = static_cast<std::uint32_t>(i[1].imm);
    switch (i[0].src) {
    case kPseudoMapFd: return fmt::format("map[id:{}]", lo);
    case kPseudoMapValue: return fmt::format("map[id:{}][0]+{}", lo, hi);
    case kPseudoMapIdx: return fmt::format("map[idx:{}]", lo);
    case kPseudoMapIdxValue: return fmt::format("map[idx:{}]+{}", lo, hi);
    case kPseudoFunc: return fmt::format("subprog[{:+d}]", i[0].imm);
    default: return fmt::format("{:#x}", full);
    }
}

std::string body(std::span<const Insn> insns, const Callbacks& cb) {
    const Insn& i = insns[0];
    const std::uint8_t c = cls(i.code);
    const int dst = i.dst, src = i.src;
    if (c == ALU || c == ALU64) {
        const char r = c == ALU ? 'w' : 'r';
        if (op(i.code) == END) {
            if (c == ALU64) return fmt::format("r{} = bswap{} r{}", dst, i.imm, dst);
            return fmt::format("r{} = {}{} r{}", dst, srcbit(i.code) == X ? "be" : "le", i.imm, dst);
        }
        if (op(i.code) == NEG) return fmt::format("{}{} = -{}{}", r, dst, r, dst);
        if (is_addr_space_cast(i))
            return fmt::format("r{} = addr_space_cast(r{}, {}, {})", dst, src,
                               static_cast<std::uint32_t>(i.imm) >> 16, static_cast<std::uint16_t>(i.imm));
        const char* opstr = is_sdiv_smod(i) ? alu_sign_string(op(i.code) >> 4) : alu_string(op(i.code) >> 4);
        if (srcbit(i.code) == X)
            return fmt::format("{}{} {} {}{}{}", r, dst, opstr, is_movsx(i) ? movsx_string(i.off) : "", r, src);
        return fmt::format("{}{} {} {}", r, dst, opstr, i.imm);
    }
    if (c == STX) {
        const char* sz = ldst_string(i.code);
        const char* w64 = size(i.code) == DW ? "64" : "";
        if (mode(i.code) == MEM) return fmt::format("*({} *)(r{} {:+d}) = r{}", sz, dst, i.off, src);
        if (mode(i.code) == ATOMIC) {
            if (i.imm == ADD || i.imm == AND || i.imm == OR || i.imm == XOR)
                return fmt::format("lock *({} *)(r{} {:+d}) {} r{}", sz, dst, i.off,
                                   alu_string(static_cast<unsigned>(op(static_cast<std::uint8_t>(i.imm)) >> 4)), src);
            if (i.imm == (ADD | FETCH) || i.imm == (AND | FETCH) || i.imm == (OR | FETCH) || i.imm == (XOR | FETCH))
                return fmt::format("r{} = atomic{}_fetch_{}(({} *)(r{} {:+d}), r{})", src, w64,
                                   atomic_alu_string(static_cast<unsigned>(op(static_cast<std::uint8_t>(i.imm)) >> 4)),
                                   sz, dst, i.off, src);
            if (i.imm == CMPXCHG)
                return fmt::format("r0 = atomic{}_cmpxchg(({} *)(r{} {:+d}), r0, r{})", w64, sz, dst, i.off, src);
            if (i.imm == XCHG)
                return fmt::format("r{} = atomic{}_xchg(({} *)(r{} {:+d}), r{})", src, w64, sz, dst, i.off, src);
        }
        return fmt::format("BUG_{:02x}", i.code);
    }
    if (c == ST) {
        if (mode(i.code) == MEM) return fmt::format("*({} *)(r{} {:+d}) = {}", ldst_string(i.code), dst, i.off, i.imm);
        if (mode(i.code) == 0xc0) return "nospec";  // BPF_NOSPEC: kernel-internal, no UAPI name
        return fmt::format("BUG_st_{:02x}", i.code);
    }
    if (c == LDX) {
        if (mode(i.code) != MEM && mode(i.code) != MEMSX) return fmt::format("BUG_ldx_{:02x}", i.code);
        return fmt::format("r{} = *({} *)(r{} {:+d})", dst,
                           mode(i.code) == MEM ? ldst_string(i.code) : ldsx_string(i.code), src, i.off);
    }
    if (c == LD) {
        if (mode(i.code) == ABS) return fmt::format("r0 = *({} *)skb[{}]", ldst_string(i.code), i.imm);
        if (mode(i.code) == IND) return fmt::format("r0 = *({} *)skb[r{} + {}]", ldst_string(i.code), src, i.imm);
        if (mode(i.code) == IMM && size(i.code) == DW) {
            if (insns.size() < 2) return "BUG_ld_imm64_truncated";
            const std::uint64_t full = (std::uint64_t{static_cast<std::uint32_t>(insns[1].imm)} << 32) |
                                       static_cast<std::uint32_t>(i.imm);
            return fmt::format("r{} = {}", dst, imm_name(insns.data(), full, cb));
        }
        return fmt::format("BUG_ld_{:02x}", i.code);
    }
    // JMP and JMP32
    const char r = c == JMP32 ? 'w' : 'r';
    if (op(i.code) == CALL) {
        if (i.src == kPseudoCall) return fmt::format("call pc{}", func_name(i, cb, {}));
        return fmt::format("call {}#{}", func_name(i, cb, "unknown"), i.imm);
    }
    if (i.code == (JMP | JA)) return fmt::format("goto pc{:+d}", i.off);
    if (i.code == (JMP | JCOND) && i.src == 0) return fmt::format("may_goto pc{:+d}", i.off);
    if (i.code == (JMP32 | JA)) return fmt::format("gotol pc{:+d}", i.imm);
    if (i.code == (JMP | EXIT)) return "exit";
    if (srcbit(i.code) == X)
        return fmt::format("if {}{} {} {}{} goto pc{:+d}", r, dst, jmp_string(op(i.code) >> 4), r, src, i.off);
    return fmt::format("if {}{} {} {:#x} goto pc{:+d}", r, dst, jmp_string(op(i.code) >> 4),
                       static_cast<std::uint32_t>(i.imm), i.off);
}

}  // namespace

Insn decode(std::span<const std::byte, 8> b) {
    Insn i;
    i.code = static_cast<std::uint8_t>(b[0]);
    i.dst = static_cast<std::uint8_t>(b[1]) & 0x0f;
    i.src = static_cast<std::uint8_t>(b[1]) >> 4;
    std::uint16_t off = static_cast<std::uint16_t>(static_cast<unsigned>(b[2]) | static_cast<unsigned>(b[3]) << 8);
    std::uint32_t imm = static_cast<std::uint32_t>(b[4]) | static_cast<std::uint32_t>(b[5]) << 8 |
                        static_cast<std::uint32_t>(b[6]) << 16 | static_cast<std::uint32_t>(b[7]) << 24;
    std::memcpy(&i.off, &off, 2);
    std::memcpy(&i.imm, &imm, 4);
    return i;
}

std::string format_insn(std::span<const Insn> insns, const Callbacks& cb) {
    if (insns.empty()) return {};
    const Insn& i = insns[0];
    // disasm.c prints the class name alone for what it has no other form for; none remain
    // with eight classes, but the prefix is common to every line.
    return fmt::format("({:02x}) {}", i.code, body(insns, cb));
}

Insn normalize_xlated(const Insn& in) {
    Insn i = in;
    const std::uint8_t c = cls(i.code);
    if (i.code == (JMP | CALL_ARGS)) {
        i.code = JMP | CALL;
    } else if (i.code == (JMP | TAIL_CALL)) {
        i.code = JMP | CALL;
        i.imm = kFuncTailCall;
    } else if ((c == LDX || c == STX || c == ST) && mode(i.code) == PROBE_MEM32) {
        i.code = static_cast<std::uint8_t>(c | size(i.code) | MEM);
    } else if (c == LDX && mode(i.code) == PROBE_MEM) {
        i.code = static_cast<std::uint8_t>(LDX | size(i.code) | MEM);
    } else if (c == LDX && mode(i.code) == PROBE_MEMSX) {
        i.code = static_cast<std::uint8_t>(LDX | size(i.code) | MEMSX);
    }
    return i;
}

std::vector<Line> disassemble(std::span<const std::byte> bytes, const Callbacks& cb, bool xlated) {
    std::vector<Insn> insns;
    insns.reserve(bytes.size() / 8);
    for (std::size_t o = 0; o + 8 <= bytes.size(); o += 8) {
        Insn i = decode(std::span<const std::byte, 8>(bytes.data() + o, 8));
        insns.push_back(xlated ? normalize_xlated(i) : i);
    }
    std::vector<Line> out;
    for (std::size_t k = 0; k < insns.size();) {
        const bool dbl = insns[k].code == (LD | IMM | DW);
        const std::size_t n = dbl && k + 1 < insns.size() ? 2 : 1;
        out.push_back(Line{k, n, format_insn(std::span<const Insn>(insns.data() + k, n), cb)});
        k += dbl ? 2 : 1;
    }
    return out;
}

std::string hex_bytes(std::span<const std::byte> bytes, const char* sep) {
    std::string s;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i) {
            if (i % 16 == 0) s += '\n';
            else if (i % 8 == 0) s += "  ";
            else s += sep;
        }
        s += fmt::format("{:02x}", static_cast<unsigned>(bytes[i]));
    }
    return s;
}

}  // namespace kdive::bpf
