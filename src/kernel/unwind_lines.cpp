// SPDX-License-Identifier: GPL-3.0-or-later
// bt -l: the source file and line of a vmlinux code address, from the DWARF line tables.
// Lazy: only the line program of the unit holding the address is decoded (vmlinux_dwarf.hpp).
#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "kdive/unwind.hpp"
#include "kernel/vmlinux_dwarf.hpp"

namespace kdive {

struct UnitLines {
    struct Row {
        std::uint64_t address = 0;
        std::uint32_t line = 0;
        std::uint32_t file = 0;  // index into files
        bool end = false;        // end of a sequence: no code from here
    };
    std::vector<Row> rows;  // sorted by address
    std::vector<std::string> files;
};

namespace {

std::shared_ptr<UnitLines> decode(Dwarf_Debug dbg, std::uint64_t unit) {
    auto out = std::make_shared<UnitLines>();
    Dwarf_Error err = nullptr;
    Dwarf_Die die = nullptr;
    if (dwarf_offdie_b(dbg, unit, true, &die, &err) != DW_DLV_OK) return out;
    const DieHandle unit_die(die);
    Dwarf_Unsigned version = 0;
    Dwarf_Small tables = 0;
    Dwarf_Line_Context ctx = nullptr;
    if (dwarf_srclines_b(die, &version, &tables, &ctx, &err) == DW_DLV_OK) {
        Dwarf_Line* lines = nullptr;
        Dwarf_Signed n = 0;
        if (dwarf_srclines_from_linecontext(ctx, &lines, &n, &err) == DW_DLV_OK) {
            std::map<std::string, std::uint32_t> file_index;
            for (Dwarf_Signed i = 0; i < n; ++i) {
                UnitLines::Row r;
                Dwarf_Addr addr = 0;
                Dwarf_Unsigned line = 0;
                Dwarf_Bool end = false;
                char* src = nullptr;
                if (dwarf_lineaddr(lines[i], &addr, &err) != DW_DLV_OK) continue;
                (void)dwarf_lineno(lines[i], &line, &err);
                (void)dwarf_lineendsequence(lines[i], &end, &err);
                r.address = addr;
                r.line = static_cast<std::uint32_t>(line);
                r.end = end;
                if (dwarf_linesrc(lines[i], &src, &err) == DW_DLV_OK && src) {
                    auto [it, added] = file_index.emplace(src, out->files.size());
                    if (added) out->files.emplace_back(src);
                    r.file = it->second;
                    dwarf_dealloc(dbg, src, DW_DLA_STRING);
                } else {
                    r.file = ~0u;
                }
                out->rows.push_back(r);
            }
        }
        dwarf_srclines_dealloc_b(ctx);
    }
    // Sequences may come in any order; ties keep the program's order (the last row at an
    // address is the one that describes it).
    std::stable_sort(out->rows.begin(), out->rows.end(),
                     [](const auto& a, const auto& b) { return a.address < b.address; });
    return out;
}

}  // namespace

std::optional<SourceLine> source_line(Session& session, std::uint64_t addr) {
    auto d = vmlinux_dwarf(session);
    if (!d) return std::nullopt;
    const VmlinuxDwarf& vd = **d;
    const std::uint64_t link = addr - session.kaslr_offset();
    auto unit_off = vd.unit_at(link);
    if (!unit_off) return std::nullopt;
    auto unit = vd.lines.get(*unit_off, [&] { return decode(vd.dbg, *unit_off); });
    const auto& rows = unit->rows;
    auto row = std::upper_bound(rows.begin(), rows.end(), link,
                                [](std::uint64_t a, const UnitLines::Row& r) { return a < r.address; });
    if (row == rows.begin()) return std::nullopt;
    --row;
    if (row->end || row->file >= unit->files.size()) return std::nullopt;
    return SourceLine{unit->files[row->file], row->line};
}

}  // namespace kdive
