// SPDX-License-Identifier: GPL-3.0-or-later
#include "kernel/unwind_cfi.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>

#include "debuginfo/dwarf_sections.hpp"
#include "util/leb128.hpp"

namespace kdive::cfi {

namespace {

// Factor times data alignment, wrapping as the unwinder's address arithmetic does: a corrupt
// .debug_frame must give a wrong offset (which the unwinder then rejects), never signed overflow.
std::int64_t scaled(std::uint64_t factor, std::int64_t align) {
    return static_cast<std::int64_t>(factor * static_cast<std::uint64_t>(align));
}

// Bounds-checked reading of the section; a read past the end sets `bad`.
struct Reader {
    const std::vector<std::uint8_t>& d;
    std::size_t pos;
    std::size_t end;
    bool bad = false;

    template <typename T>
    T fixed() {
        T v{};
        if (pos + sizeof(T) > end) {
            bad = true;
            pos = end;
            return v;
        }
        std::memcpy(&v, d.data() + pos, sizeof(T));
        pos += sizeof(T);
        return v;
    }
    // LEB128 through the shared decoder; running off the end marks the reader bad.
    template <typename Decode>
    auto leb(Decode decode) {
        const std::uint8_t* p = d.data() + pos;
        const auto v = decode(p, d.data() + end);
        pos = static_cast<std::size_t>(p - d.data());
        if (!v) bad = true;
        return v.value_or(0);
    }
    std::uint64_t uleb() { return leb(leb128::read_unsigned); }
    std::int64_t sleb() { return leb(leb128::read_signed); }
    void skip(std::uint64_t n) {
        if (n > end - pos) {
            bad = true;
            pos = end;
        } else {
            pos += n;
        }
    }
};

}  // namespace

Result<Table> Table::parse(std::span<const std::uint8_t> section, std::uint64_t slide) {
    Table t;
    t.data_.assign(section.begin(), section.end());
    t.slide_ = slide;
    const auto& d = t.data_;
    // Section offset -> cies_ index: GCC emits a CIE per unit, thousands in a vmlinux, so the
    // FDEs look theirs up by hash rather than by a scan.
    std::unordered_map<std::size_t, std::size_t> cie_at;
    std::size_t pos = 0;
    while (pos + 4 <= d.size()) {
        Reader r{d, pos, d.size()};
        std::uint64_t length = r.fixed<std::uint32_t>();
        bool is64 = false;
        if (length == 0xffffffff) {
            length = r.fixed<std::uint64_t>();
            is64 = true;
        }
        if (length == 0) {  // padding
            pos = r.pos;
            continue;
        }
        if (r.bad || length > d.size() - r.pos) break;
        const std::size_t entry_end = r.pos + length;
        r.end = entry_end;
        const std::uint64_t id = is64 ? r.fixed<std::uint64_t>() : r.fixed<std::uint32_t>();
        const bool is_cie = is64 ? id == ~std::uint64_t{0} : id == 0xffffffff;
        if (is_cie) {
            Cie c;
            const std::uint8_t version = r.fixed<std::uint8_t>();
            std::string aug;
            while (r.pos < r.end && d[r.pos]) aug += static_cast<char>(d[r.pos++]);
            r.skip(1);
            if (version >= 4) r.skip(2);  // address_size, segment_selector_size
            c.code_align = r.uleb();
            c.data_align = r.sleb();
            c.ra_reg = version == 1 ? r.fixed<std::uint8_t>() : static_cast<unsigned>(r.uleb());
            if (!aug.empty() && aug[0] == 'z') r.skip(r.uleb());
            c.insns = r.pos;
            c.insns_end = entry_end;
            if (!r.bad && aug.find_first_not_of("z") == std::string::npos) {
                cie_at.emplace(pos, t.cies_.size());
                t.cies_.push_back(c);
            }
        } else {
            Fde f;
            auto it = cie_at.find(static_cast<std::size_t>(id));
            const std::uint64_t start = r.fixed<std::uint64_t>();
            const std::uint64_t range = r.fixed<std::uint64_t>();
            if (it != cie_at.end() && !r.bad && start && range) {
                f.cie = it->second;
                f.start = start + slide;
                f.end = f.start + range;
                f.insns = r.pos;
                f.insns_end = entry_end;
                t.fdes_.push_back(f);
            }
        }
        pos = entry_end;
    }
    std::sort(t.fdes_.begin(), t.fdes_.end(), [](const Fde& a, const Fde& b) { return a.start < b.start; });
    return t;
}

bool Table::run(std::size_t from, std::size_t to, const Cie& cie, std::uint64_t loc,
                std::uint64_t pc, Row& row, const Row& initial) const {
    Reader r{data_, from, to};
    std::vector<Row> saved;
    auto reg_ok = [](std::uint64_t reg) { return reg < kNumRegs; };
    while (r.pos < r.end && !r.bad) {
        const std::uint8_t op = r.fixed<std::uint8_t>();
        const std::uint8_t low = op & 0x3f;
        switch (op >> 6) {
        case 1:  // advance_loc
            loc += low * cie.code_align;
            if (loc > pc) return true;
            continue;
        case 2: {  // offset
            const std::int64_t off = scaled(r.uleb(), cie.data_align);
            if (reg_ok(low)) row.regs[low] = {Rule::Offset, off};
            continue;
        }
        case 3:  // restore
            if (reg_ok(low)) row.regs[low] = initial.regs[low];
            continue;
        default: break;
        }
        switch (op) {
        case 0x00: break;  // nop
        case 0x01: loc = r.fixed<std::uint64_t>() + slide_; if (loc > pc) return true; break;
        case 0x02: loc += r.fixed<std::uint8_t>() * cie.code_align; if (loc > pc) return true; break;
        case 0x03: loc += r.fixed<std::uint16_t>() * cie.code_align; if (loc > pc) return true; break;
        case 0x04: loc += r.fixed<std::uint32_t>() * cie.code_align; if (loc > pc) return true; break;
        case 0x05: case 0x11: {  // offset_extended(_sf)
            const std::uint64_t reg = r.uleb();
            const std::int64_t off = scaled(op == 0x05 ? r.uleb() : static_cast<std::uint64_t>(r.sleb()), cie.data_align);
            if (reg_ok(reg)) row.regs[reg] = {Rule::Offset, off};
            break;
        }
        case 0x14: case 0x15: {  // val_offset(_sf)
            const std::uint64_t reg = r.uleb();
            const std::int64_t off = scaled(op == 0x14 ? r.uleb() : static_cast<std::uint64_t>(r.sleb()), cie.data_align);
            if (reg_ok(reg)) row.regs[reg] = {Rule::ValOffset, off};
            break;
        }
        case 0x06: { const auto reg = r.uleb(); if (reg_ok(reg)) row.regs[reg] = initial.regs[reg]; break; }
        case 0x07: { const auto reg = r.uleb(); if (reg_ok(reg)) row.regs[reg] = {Rule::Undefined, 0}; break; }
        case 0x08: { const auto reg = r.uleb(); if (reg_ok(reg)) row.regs[reg] = {Rule::SameValue, 0}; break; }
        case 0x09: {
            const auto reg = r.uleb();
            const auto other = r.uleb();
            if (reg_ok(reg)) row.regs[reg] = {Rule::Register, static_cast<std::int64_t>(other)};
            break;
        }
        case 0x0a: saved.push_back(row); break;
        case 0x0b:
            if (saved.empty()) return false;
            row = saved.back();  // the whole row, CFA included, as GCC's output expects
            saved.pop_back();
            break;
        case 0x0c: row.cfa_reg = static_cast<unsigned>(r.uleb()); row.cfa_offset = static_cast<std::int64_t>(r.uleb());
                   row.deref_cfa = false; row.cfa_supported = true; break;
        case 0x12: row.cfa_reg = static_cast<unsigned>(r.uleb()); row.cfa_offset = scaled(static_cast<std::uint64_t>(r.sleb()), cie.data_align);
                   row.deref_cfa = false; row.cfa_supported = true; break;
        case 0x0d: row.cfa_reg = static_cast<unsigned>(r.uleb()); break;
        case 0x0e: row.cfa_offset = static_cast<std::int64_t>(r.uleb()); break;
        case 0x13: row.cfa_offset = scaled(static_cast<std::uint64_t>(r.sleb()), cie.data_align); break;
        case 0x0f: {  // def_cfa_expression: only DW_OP_bregN off; DW_OP_deref
            const std::uint64_t len = r.uleb();
            const std::size_t end = r.pos + len;
            row.cfa_supported = false;
            if (len >= 2 && end <= r.end && data_[r.pos] >= 0x70 && data_[r.pos] <= 0x8f) {
                const unsigned reg = data_[r.pos] - 0x70;
                Reader e{data_, r.pos + 1, end};
                const std::int64_t off = e.sleb();
                if (!e.bad && e.pos + 1 == end && data_[e.pos] == 0x06) {
                    row.cfa_reg = reg;
                    row.cfa_offset = off;
                    row.deref_cfa = true;
                    row.cfa_supported = true;
                }
            }
            r.skip(len);
            break;
        }
        case 0x10: case 0x16: {  // (val_)expression for a register: not followed
            const auto reg = r.uleb();
            r.skip(r.uleb());
            if (reg_ok(reg)) row.regs[reg] = {Rule::Unsupported, 0};
            break;
        }
        case 0x2e: r.uleb(); break;  // GNU_args_size
        case 0x2f: {                 // GNU_negative_offset_extended
            const auto reg = r.uleb();
            const std::int64_t off = scaled(0 - r.uleb(), cie.data_align);
            if (reg_ok(reg)) row.regs[reg] = {Rule::Offset, off};
            break;
        }
        default: return false;  // an opcode this reader does not know: no row
        }
    }
    return !r.bad;
}

std::optional<Row> Table::find(std::uint64_t pc) const {
    auto it = std::upper_bound(fdes_.begin(), fdes_.end(), pc,
                               [](std::uint64_t a, const Fde& f) { return a < f.start; });
    if (it == fdes_.begin()) return std::nullopt;
    --it;
    if (pc >= it->end) return std::nullopt;
    const Cie& cie = cies_[it->cie];
    Row initial;
    for (auto& rule : initial.regs) rule = {Rule::SameValue, 0};
    if (!run(cie.insns, cie.insns_end, cie, 0, ~std::uint64_t{0}, initial, initial)) return std::nullopt;
    Row row = initial;
    if (!run(it->insns, it->insns_end, cie, it->start, pc, row, initial)) return std::nullopt;
    if (!row.cfa_supported) return std::nullopt;
    return row;
}

Result<Table> vmlinux_table(Session& session) {
    // .debug_frame is one of the session's .debug_* sections: no second mapping of the vmlinux.
    auto secs = session.vmlinux_sections();
    if (!secs) return secs.failure();
    const auto frame = (*secs)->section(".debug_frame");
    if (frame.empty()) return fail("no .debug_frame section", session.vmlinux_path());
    return Table::parse({reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size()},
                        session.kaslr_offset());
}

}  // namespace kdive::cfi
