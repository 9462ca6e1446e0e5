// SPDX-License-Identifier: GPL-3.0-or-later
// bt -l: the source file and line of a vmlinux code address, from the DWARF line tables.
// Lazy: .debug_aranges says which unit holds the address, and only that unit's line program is
// decoded (once; kept for the session).
#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "debuginfo/dwarf_sections.hpp"
#include "debuginfo/elf_file.hpp"
#include "kdive/unwind.hpp"

namespace kdive {

namespace {

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

struct LineData {
    std::unique_ptr<ElfFile> elf;  // before secs: they refer to it
    std::unique_ptr<DwarfSections> secs;
    std::shared_ptr<std::remove_pointer_t<Dwarf_Debug>> dbg;
    struct Range {
        std::uint64_t start = 0, end = 0;  // link time
        std::uint64_t unit = 0;            // the unit's DIE offset
    };
    std::vector<Range> ranges;  // sorted
    mutable std::map<std::uint64_t, std::shared_ptr<UnitLines>> units;
};

Result<LineData> load(Session& session) {
    LineData d;
    auto elf = ElfFile::open(session.vmlinux_path());
    if (!elf) return elf.failure();
    d.elf = std::move(*elf);
    auto secs = DwarfSections::collect(*d.elf);
    if (!secs) return secs.failure();
    d.secs = std::move(*secs);
    auto dbg = d.secs->open_libdwarf();
    if (!dbg) return dbg.failure();
    d.dbg = std::shared_ptr<std::remove_pointer_t<Dwarf_Debug>>(dbg->release(), DwarfSections::DebugFree{});
    Dwarf_Arange* aranges = nullptr;
    Dwarf_Signed count = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_get_aranges(d.dbg.get(), &aranges, &count, &err) != DW_DLV_OK)
        return fail("the vmlinux has no .debug_aranges", session.vmlinux_path());
    for (Dwarf_Signed i = 0; i < count; ++i) {
        Dwarf_Unsigned segment = 0, seg_size = 0, length = 0;
        Dwarf_Addr start = 0;
        Dwarf_Off unit = 0;
        if (dwarf_get_arange_info_b(aranges[i], &segment, &seg_size, &start, &length, &unit, &err) ==
                DW_DLV_OK &&
            length)
            d.ranges.push_back({start, start + length, unit});
        dwarf_dealloc(d.dbg.get(), aranges[i], DW_DLA_ARANGE);
    }
    dwarf_dealloc(d.dbg.get(), aranges, DW_DLA_LIST);
    std::sort(d.ranges.begin(), d.ranges.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    return d;
}

std::shared_ptr<UnitLines> decode(Dwarf_Debug dbg, std::uint64_t unit) {
    auto out = std::make_shared<UnitLines>();
    Dwarf_Error err = nullptr;
    Dwarf_Die die = nullptr;
    if (dwarf_offdie_b(dbg, unit, true, &die, &err) != DW_DLV_OK) return out;
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
    dwarf_dealloc_die(die);
    // Sequences may come in any order; ties keep the program's order (the last row at an
    // address is the one that describes it).
    std::stable_sort(out->rows.begin(), out->rows.end(),
                     [](const auto& a, const auto& b) { return a.address < b.address; });
    return out;
}

}  // namespace

std::optional<SourceLine> source_line(Session& session, std::uint64_t addr) {
    auto d = session.cache().get<LineData>([&] { return load(session); });
    if (!d) return std::nullopt;
    const LineData& ld = **d;
    const std::uint64_t link = addr - session.kaslr_offset();
    auto it = std::upper_bound(ld.ranges.begin(), ld.ranges.end(), link,
                               [](std::uint64_t a, const LineData::Range& r) { return a < r.start; });
    if (it == ld.ranges.begin()) return std::nullopt;
    --it;
    if (link >= it->end) return std::nullopt;
    auto& unit = ld.units[it->unit];
    if (!unit) unit = decode(ld.dbg.get(), it->unit);
    const auto& rows = unit->rows;
    auto row = std::upper_bound(rows.begin(), rows.end(), link,
                                [](std::uint64_t a, const UnitLines::Row& r) { return a < r.address; });
    if (row == rows.begin()) return std::nullopt;
    --row;
    if (row->end || row->file >= unit->files.size()) return std::nullopt;
    return SourceLine{unit->files[row->file], row->line};
}

}  // namespace kdive
