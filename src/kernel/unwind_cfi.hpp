// SPDX-License-Identifier: GPL-3.0-or-later
// DWARF call frame information from the vmlinux's .debug_frame: the unwinder's fallback where
// ORC has no entry for the code (functions objtool was told to skip, like __crash_kexec with
// crash_setup_regs()'s inline assembly). Only what x86-64 kernel code uses: CFA as a register
// plus offset (or a register-based expression), registers saved at CFA offsets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive::cfi {

// DWARF register numbers on x86-64 (0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp,
// 8-15 r8-r15, 16 the return address).
inline constexpr unsigned kRbp = 6, kRsp = 7, kRa = 16, kNumRegs = 17;

struct Rule {
    enum Kind : std::uint8_t { Undefined, SameValue, Offset, ValOffset, Register, Unsupported };
    Kind kind = SameValue;
    std::int64_t value = 0;  // Offset/ValOffset: from the CFA; Register: the register
};

struct Row {
    // The CFA: register + offset; or, for deref_cfa, *(register + offset) (the realigned-stack
    // expression GCC emits: DW_OP_breg6 -N; DW_OP_deref).
    unsigned cfa_reg = kRsp;
    std::int64_t cfa_offset = 8;
    bool deref_cfa = false;
    bool cfa_supported = true;
    Rule regs[kNumRegs];
};

class Table {
public:
    // Parses the section's FDEs (their instructions are run on lookup). `slide`: the KASLR
    // offset added to the link-time addresses.
    static Result<Table> parse(std::span<const std::uint8_t> section, std::uint64_t slide);
    // The row for code address `pc` (run time); nullopt when no FDE covers it.
    std::optional<Row> find(std::uint64_t pc) const;
    std::size_t size() const { return fdes_.size(); }

private:
    struct Fde {
        std::uint64_t start = 0, end = 0;  // run time
        std::size_t cie = 0;               // index into cies_
        std::size_t insns = 0, insns_end = 0;  // offsets into the section
    };
    struct Cie {
        std::uint64_t code_align = 1;
        std::int64_t data_align = -8;
        unsigned ra_reg = kRa;
        std::size_t insns = 0, insns_end = 0;
    };
    bool run(std::size_t from, std::size_t to, const Cie& cie, std::uint64_t loc, std::uint64_t pc,
             Row& row, const Row& initial) const;

    std::vector<std::uint8_t> data_;  // a copy of .debug_frame
    std::vector<Cie> cies_;
    std::vector<Fde> fdes_;  // sorted by start
    std::uint64_t slide_ = 0;
};

// The vmlinux's table (kept in the session cache by the unwinder).
Result<Table> vmlinux_table(Session& session);

}  // namespace kdive::cfi
