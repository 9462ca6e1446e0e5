// SPDX-License-Identifier: GPL-3.0-or-later
// Inline frames (bt -I, bt -l, JSON): the inlined calls a vmlinux code address is in, from the
// DWARF scope tree of the unit holding it, as drgn finds them. A unit's tree is reduced once to
// its inlined-subroutine instances (address ranges, name, call site, nesting depth) and kept.
#include <algorithm>
#include <map>
#include <unordered_map>

#include <libdwarf/dwarf.h>

#include "kdive/unwind.hpp"
#include "kernel/vmlinux_dwarf.hpp"

namespace kdive {

struct UnitScopes {
    struct Call {
        std::uint32_t name = 0;  // index into names
        std::uint32_t file = ~0u;  // index into files; ~0u: unknown
        std::uint32_t line = 0;
        std::uint32_t depth = 0;  // how many inlined calls contain this one
    };
    struct Span {
        std::uint64_t start = 0, end = 0;  // link time
        std::uint32_t call = 0;
    };
    std::vector<Call> calls;
    std::vector<Span> spans;
    std::vector<std::string> names;
    std::vector<std::string> files;  // the line table's, by DW_AT_call_file's numbering
};

namespace {

using Ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

std::uint64_t read_uleb(std::span<const std::byte> d, std::size_t& pos) {
    std::uint64_t v = 0;
    for (unsigned shift = 0; pos < d.size(); shift += 7) {
        const auto b = static_cast<std::uint8_t>(d[pos++]);
        if (shift < 64) v |= std::uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
    }
    return v;
}

std::optional<std::uint64_t> read_u64(std::span<const std::byte> d, std::size_t& pos) {
    if (pos + 8 > d.size()) return std::nullopt;
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(d[pos + i]);
    pos += 8;
    return v;
}

class ScopeReader {
public:
    ScopeReader(const VmlinuxDwarf& vd, UnitScopes& out) : vd_(vd), dbg_(vd.dbg), out_(out) {}

    void read_unit(std::uint64_t unit_offset) {
        Dwarf_Die die = nullptr;
        if (!ok(dwarf_offdie_b(dbg_, unit_offset, true, &die, &err_))) return;
        const DieHandle unit(die);
        Dwarf_Half version = 0, offset_size = 0;
        if (dwarf_get_version_of_die(die, &version, &offset_size) == DW_DLV_OK) version_ = version;
        Dwarf_Addr low = 0;
        if (ok(dwarf_lowpc(die, &low, &err_))) base_ = low;
        char** files = nullptr;
        Dwarf_Signed count = 0;
        if (ok(dwarf_srcfiles(die, &files, &count, &err_))) {
            for (Dwarf_Signed i = 0; i < count; ++i) {
                out_.files.emplace_back(files[i]);
                dwarf_dealloc(dbg_, files[i], DW_DLA_STRING);
            }
            dwarf_dealloc(dbg_, files, DW_DLA_LIST);
        }
        walk_children(die, 0);
        std::sort(out_.spans.begin(), out_.spans.end(),
                  [](const auto& a, const auto& b) { return a.start < b.start; });
    }

private:
    struct Attrs {
        std::optional<std::uint64_t> low, high, high_offset, ranges, origin;
        std::optional<std::uint64_t> call_file, call_line;
    };

    bool ok(int rc) {
        if (rc == DW_DLV_ERROR) {
            dwarf_dealloc_error(dbg_, err_);
            err_ = nullptr;
        }
        return rc == DW_DLV_OK;
    }

    std::optional<std::uint64_t> unsigned_value(Dwarf_Attribute a) {
        Dwarf_Unsigned u = 0;
        if (ok(dwarf_formudata(a, &u, &err_))) return u;
        Dwarf_Signed s = 0;  // DW_FORM_implicit_const is signed
        if (ok(dwarf_formsdata(a, &s, &err_)) && s >= 0) return static_cast<std::uint64_t>(s);
        return std::nullopt;
    }

    Attrs attrs(Dwarf_Die die) {
        Attrs r;
        Dwarf_Attribute* list = nullptr;
        Dwarf_Signed n = 0;
        if (!ok(dwarf_attrlist(die, &list, &n, &err_))) return r;
        for (Dwarf_Signed i = 0; i < n; ++i) {
            Dwarf_Half at = 0, form = 0;
            if (ok(dwarf_whatattr(list[i], &at, &err_)) && ok(dwarf_whatform(list[i], &form, &err_))) {
                Dwarf_Addr addr = 0;
                Dwarf_Off off = 0;
                switch (at) {
                case DW_AT_low_pc:
                    if (ok(dwarf_formaddr(list[i], &addr, &err_))) r.low = addr;
                    break;
                case DW_AT_high_pc:
                    // Class address: the end; class constant (DWARF 4+): the size.
                    if (form == DW_FORM_addr) {
                        if (ok(dwarf_formaddr(list[i], &addr, &err_))) r.high = addr;
                    } else {
                        r.high_offset = unsigned_value(list[i]);
                    }
                    break;
                case DW_AT_ranges:
                    // DW_FORM_sec_offset (what GCC emits without split DWARF): an offset into
                    // .debug_rnglists / .debug_ranges. DW_FORM_rnglistx is not handled.
                    if (form == DW_FORM_sec_offset || form == DW_FORM_data4 || form == DW_FORM_data8) {
                        if (ok(dwarf_global_formref(list[i], &off, &err_))) r.ranges = off;
                        else r.ranges = unsigned_value(list[i]);
                    }
                    break;
                case DW_AT_abstract_origin:
                    if (ok(dwarf_global_formref(list[i], &off, &err_))) r.origin = off;
                    break;
                case DW_AT_call_file: r.call_file = unsigned_value(list[i]); break;
                case DW_AT_call_line: r.call_line = unsigned_value(list[i]); break;
                default: break;
                }
            }
            dwarf_dealloc_attribute(list[i]);
        }
        dwarf_dealloc(dbg_, list, DW_DLA_LIST);
        return r;
    }

    Ranges ranges(const Attrs& a) {
        Ranges r;
        if (a.low && (a.high || a.high_offset)) {
            const std::uint64_t end = a.high ? *a.high : *a.low + *a.high_offset;
            if (end > *a.low) r.emplace_back(*a.low, end);
        } else if (a.ranges) {
            if (version_ >= 5) read_rnglist(*a.ranges, r);
            else read_ranges(*a.ranges, r);
        }
        return r;
    }

    // DWARF 5 .debug_rnglists entries (DW_RLE_*). The *x kinds index .debug_addr, which only
    // split DWARF uses: the list is dropped there.
    void read_rnglist(std::uint64_t offset, Ranges& r) {
        const auto d = vd_.secs->section(".debug_rnglists");
        std::size_t pos = offset;
        std::uint64_t base = base_;
        while (pos < d.size()) {
            const auto kind = static_cast<std::uint8_t>(d[pos++]);
            switch (kind) {
            case DW_RLE_end_of_list: return;
            case DW_RLE_offset_pair: {
                const auto a = read_uleb(d, pos), b = read_uleb(d, pos);
                if (b > a) r.emplace_back(base + a, base + b);
                break;
            }
            case DW_RLE_base_address: {
                auto a = read_u64(d, pos);
                if (!a) return;
                base = *a;
                break;
            }
            case DW_RLE_start_end: {
                auto a = read_u64(d, pos), b = read_u64(d, pos);
                if (!a || !b) return;
                if (*b > *a) r.emplace_back(*a, *b);
                break;
            }
            case DW_RLE_start_length: {
                auto a = read_u64(d, pos);
                if (!a) return;
                const auto len = read_uleb(d, pos);
                if (len) r.emplace_back(*a, *a + len);
                break;
            }
            default: r.clear(); return;
            }
        }
    }

    // DWARF 2-4 .debug_ranges: address pairs, (0, 0) ends the list, (~0, a) sets the base.
    void read_ranges(std::uint64_t offset, Ranges& r) {
        const auto d = vd_.secs->section(".debug_ranges");
        std::size_t pos = offset;
        std::uint64_t base = base_;
        while (true) {
            auto a = read_u64(d, pos), b = read_u64(d, pos);
            if (!a || !b || (*a == 0 && *b == 0)) return;
            if (*a == ~0ULL) base = *b;
            else if (*b > *a) r.emplace_back(base + *a, base + *b);
        }
    }

    // The name of the function an inlined instance is of: its abstract origin's DW_AT_name,
    // through further origins or the declaration it specifies.
    std::uint32_t name_index(std::uint64_t origin) {
        if (auto it = origin_names_.find(origin); it != origin_names_.end()) return it->second;
        std::string name;
        std::uint64_t off = origin;
        for (int hops = 0; hops < 8 && name.empty(); ++hops) {
            Dwarf_Die die = nullptr;
            if (!ok(dwarf_offdie_b(dbg_, off, true, &die, &err_))) break;
            const DieHandle h(die);
            char* n = nullptr;
            if (ok(dwarf_diename(die, &n, &err_)) && n) {
                name = n;
                break;
            }
            Dwarf_Attribute a = nullptr;
            Dwarf_Off next = 0;
            bool found = false;
            for (Dwarf_Half at : {Dwarf_Half{DW_AT_abstract_origin}, Dwarf_Half{DW_AT_specification}}) {
                if (ok(dwarf_attr(die, at, &a, &err_))) {
                    found = ok(dwarf_global_formref(a, &next, &err_));
                    dwarf_dealloc_attribute(a);
                    if (found) break;
                }
            }
            if (!found) break;
            off = next;
        }
        auto [it, added] = names_.emplace(name, out_.names.size());
        if (added) out_.names.push_back(name);
        origin_names_.emplace(origin, it->second);
        return it->second;
    }

    // Only scopes can hold inlined code: subprograms with code, inlined calls, lexical blocks.
    void walk_children(Dwarf_Die parent, std::uint32_t depth) {
        Dwarf_Die raw = nullptr;
        if (!ok(dwarf_child(parent, &raw, &err_))) return;
        DieHandle child(raw);
        while (child) {
            Dwarf_Half tag = 0;
            if (ok(dwarf_tag(child.get(), &tag, &err_)) &&
                (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block)) {
                const Attrs a = attrs(child.get());
                const Ranges r = ranges(a);
                if (tag == DW_TAG_inlined_subroutine && !r.empty() && a.origin) {
                    UnitScopes::Call call;
                    call.name = name_index(*a.origin);
                    call.depth = depth;
                    call.line = static_cast<std::uint32_t>(a.call_line.value_or(0));
                    if (a.call_file) {
                        // DWARF 5 numbers the line table's files from 0, earlier versions from 1.
                        const std::uint64_t i = version_ >= 5 ? *a.call_file : *a.call_file - 1;
                        if (i < out_.files.size()) call.file = static_cast<std::uint32_t>(i);
                    }
                    const auto index = static_cast<std::uint32_t>(out_.calls.size());
                    out_.calls.push_back(call);
                    for (const auto& [s, e] : r) out_.spans.push_back({s, e, index});
                    walk_children(child.get(), depth + 1);
                } else if (tag != DW_TAG_subprogram || !r.empty()) {
                    // A subprogram without code is a declaration or an abstract instance.
                    walk_children(child.get(), depth);
                }
            }
            Dwarf_Die next = nullptr;
            if (!ok(dwarf_siblingof_b(dbg_, child.get(), true, &next, &err_))) next = nullptr;
            child.reset(next);
        }
    }

    const VmlinuxDwarf& vd_;
    Dwarf_Debug dbg_;
    UnitScopes& out_;
    Dwarf_Error err_ = nullptr;
    unsigned version_ = 5;
    std::uint64_t base_ = 0;
    std::unordered_map<std::uint64_t, std::uint32_t> origin_names_;
    std::map<std::string, std::uint32_t> names_;
};

}  // namespace

std::vector<InlinedCall> inlined_calls(Session& session, std::uint64_t addr) {
    auto d = vmlinux_dwarf(session);
    if (!d) return {};
    const VmlinuxDwarf& vd = **d;
    const std::uint64_t link = addr - session.kaslr_offset();
    auto unit_off = vd.unit_at(link);
    if (!unit_off) return {};
    auto unit = vd.scopes.get(*unit_off, [&] {
        auto s = std::make_shared<UnitScopes>();
        ScopeReader(vd, *s).read_unit(*unit_off);
        return s;
    });
    std::vector<const UnitScopes::Call*> found;
    for (const auto& span : unit->spans) {
        if (span.start > link) break;
        if (link < span.end) found.push_back(&unit->calls[span.call]);
    }
    // Innermost first; a call with several ranges counts once.
    std::sort(found.begin(), found.end(),
              [](auto a, auto b) { return a->depth != b->depth ? a->depth > b->depth : a < b; });
    found.erase(std::unique(found.begin(), found.end()), found.end());
    std::vector<InlinedCall> out;
    for (const auto* c : found)
        out.push_back({unit->names[c->name], c->file < unit->files.size() ? unit->files[c->file] : std::string(),
                       c->line});
    return out;
}

void find_inlined_calls(Session& session, Backtrace& bt) {
    for (auto& f : bt.frames)
        if (f.module.empty())
            // A return address may be past the end of the call's inlined code: look at the call.
            f.inlined = inlined_calls(session, f.interrupted ? f.pc : f.pc - 1);
}

}  // namespace kdive
