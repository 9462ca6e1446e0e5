// SPDX-License-Identifier: GPL-3.0-or-later
#include "kernel/vmlinux_dwarf.hpp"

#include <algorithm>

namespace kdive {

namespace {

Result<VmlinuxDwarf> load(Session& session) {
    VmlinuxDwarf d;
    auto secs = session.vmlinux_sections();
    if (!secs) return secs.failure();
    d.secs = *secs;
    auto dbg = d.secs->libdwarf();  // the handle the type loader uses too
    if (!dbg) return dbg.failure();
    d.dbg = *dbg;
    Dwarf_Arange* aranges = nullptr;
    Dwarf_Signed count = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_get_aranges(d.dbg, &aranges, &count, &err) != DW_DLV_OK)
        return fail("the vmlinux has no .debug_aranges", session.vmlinux_path());
    for (Dwarf_Signed i = 0; i < count; ++i) {
        Dwarf_Unsigned segment = 0, seg_size = 0, length = 0;
        Dwarf_Addr start = 0;
        Dwarf_Off unit = 0;
        if (dwarf_get_arange_info_b(aranges[i], &segment, &seg_size, &start, &length, &unit, &err) ==
                DW_DLV_OK &&
            length)
            d.ranges.push_back({start, start + length, unit});
        dwarf_dealloc(d.dbg, aranges[i], DW_DLA_ARANGE);
    }
    dwarf_dealloc(d.dbg, aranges, DW_DLA_LIST);
    std::sort(d.ranges.begin(), d.ranges.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    return d;
}

}  // namespace

std::optional<std::uint64_t> VmlinuxDwarf::unit_at(std::uint64_t link) const {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), link,
                               [](std::uint64_t a, const Range& r) { return a < r.start; });
    if (it == ranges.begin()) return std::nullopt;
    --it;
    if (link >= it->end) return std::nullopt;
    return it->unit;
}

Result<const VmlinuxDwarf*> vmlinux_dwarf(Session& session) {
    return session.cache().get<VmlinuxDwarf>([&] { return load(session); });
}

}  // namespace kdive
