// SPDX-License-Identifier: GPL-3.0-or-later
// ORC unwind tables (x86-64): the vmlinux's .orc_unwind_ip/.orc_unwind sections and a module's
// copies in the dump (struct module's arch.orc_unwind_ip/orc_unwind/num_orcs). Each .orc_unwind_ip
// entry is an s32 offset from its own address; the table is searched as the kernel's __orc_find
// does (rightmost entry at or below the address).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "kdive/type.hpp"

namespace kdive::orc {

enum Reg : std::uint8_t {
    RegUndefined = 0, RegPrevSp = 1, RegDx = 2, RegDi = 3, RegBp = 4, RegSp = 5, RegR10 = 6,
    RegR13 = 7, RegBpIndirect = 8, RegSpIndirect = 9,
};
enum class Type : std::uint8_t { Undefined, EndOfStack, Call, Regs, RegsPartial };

struct Entry {
    std::int16_t sp_offset = 0, bp_offset = 0;
    std::uint8_t sp_reg = RegUndefined, bp_reg = RegUndefined;
    Type type = Type::Call;
};

// The orc_entry bit layout changed twice:
//   v1 (< 6.3): sp_reg:4 bp_reg:4 type:2 end:1         (type CALL=0 REGS=1 REGS_PARTIAL=2)
//   v2 (6.3):   sp_reg:4 bp_reg:4 type:2 signal:1 end:1
//   v3 (6.4+):  sp_reg:4 bp_reg:4 type:3 signal:1      (UNDEFINED=0 END_OF_STACK=1 CALL=2 ...)
// The debug info's struct orc_entry says which (layout_from_type); the release is the fallback
// for a vmlinux without it.
enum class Format { V1, V2, V3 };
Format format_for_release(const std::string& release);

// Where each field of an orc_entry lies, in bits from its start (size 0: absent).
struct Layout {
    struct Bits {
        unsigned offset = 0, size = 0;
    };
    Format format = Format::V1;
    unsigned size = 6;  // bytes per entry
    Bits sp_offset{0, 16}, bp_offset{16, 16}, sp_reg{32, 4}, bp_reg{36, 4}, type{40, 2}, signal{},
        end{42, 1};
    // The table's register numbers to the ones above (Reg): the ORC_REG_* numbers are
    // #defines, in no debug info, and a kernel may number them otherwise (see
    // registers_from_entries). Identity by default.
    std::array<std::uint8_t, 16> regs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
};
Layout layout_for(Format f);
// From struct orc_entry as the debug info describes it (the frame-pointer fields spelled bp_*
// or fp_*): the format follows from the width of `type` and whether `signal` and `end` exist.
// nullopt if it lacks a field the unwinder needs.
std::optional<Layout> layout_from_type(const kdive::Type* orc_entry);

Entry decode(std::span<const std::uint8_t> raw, const Layout& layout);

// The register numbering a table uses, told by what it says most: a CALL frame whose sp is 8
// above a register is sp-based (every function entry), and a frame pointer saved below a
// register is saved below PREV_SP. The numbering of 4.14 to 6.x (SP 5, PREV_SP 1), or the one
// Debian's 7.2 uses (SP 3, PREV_SP 8, BP_INDIRECT 10), as a map for Layout::regs; nullopt when
// neither fits.
struct RegisterEvidence {
    std::array<std::size_t, 16> sp_at_entry{};  // raw sp_reg of CALL entries with sp_offset 8
    std::array<std::size_t, 16> bp_saved{};     // raw bp_reg of entries with bp_offset < 0
};
std::optional<std::array<std::uint8_t, 16>> registers_from_entries(const RegisterEvidence& e);
Entry decode(const std::uint8_t raw[6], Format f);

// The kernel's orc_fp_entry: what a frame-pointer frame looks like, for code without ORC (BPF).
Entry frame_pointer_entry();

class Table {
public:
    // From the two arrays as they lie in memory at `ip_base` (run-time addresses).
    static Table build(std::uint64_t ip_base, std::span<const std::int32_t> ips,
                       std::span<const std::uint8_t> entries, const Layout& layout,
                       std::int64_t slide = 0);
    std::optional<Entry> find(std::uint64_t ip) const;
    // The same with the raw register numbers mapped through `regs` (Layout::regs).
    void remap_registers(const std::array<std::uint8_t, 16>& regs);
    // What the entries say about their register numbering (registers_from_entries).
    RegisterEvidence evidence() const;
    bool empty() const { return ips_.empty(); }
    std::uint64_t first() const { return ips_.empty() ? 0 : ips_.front(); }
    std::uint64_t last() const { return ips_.empty() ? 0 : ips_.back(); }

private:
    std::vector<std::uint64_t> ips_;  // sorted
    std::vector<Entry> entries_;
};

// The vmlinux's table at run-time addresses (the KASLR slide applied).
Result<Table> vmlinux_table(Session& session, const Layout& layout);
// A module's table from the dump.
Result<Table> module_table(Session& session, std::uint64_t module, const Layout& layout);

}  // namespace kdive::orc
