// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/xarray.hpp"

#include <bit>
#include <cstring>
#include <unordered_set>

#include <fmt/format.h>

#include "kdive/type.hpp"

namespace kdive {

namespace {

std::uint64_t load_u64(std::span<const std::byte> b, std::uint64_t off) {
    std::uint64_t v = 0;
    if (off + 8 <= b.size()) std::memcpy(&v, b.data() + off, 8);
    return v;
}

// Sibling entries (multi-index entries) point back at their canonical slot: internal entries
// below xa_mk_sibling(XA_CHUNK_SIZE - 1).
bool is_sibling(std::uint64_t e, unsigned chunk) {
    return xa_is_internal(e) && e < ((std::uint64_t{chunk} - 1) << 2 | 2);
}

class Walker {
public:
    Walker(const MemoryReader& read, const XaNodeLayout& l,
           const std::function<bool(const XaEntry&)>& visit, std::size_t max)
        : read_(read), l_(l), visit_(visit), max_(max) {}

    // Returns false when the visitor asked to stop.
    Result<bool> node(std::uint64_t addr, std::uint64_t parent, unsigned slot, int want_shift,
                      std::uint64_t base) {
        if (!seen_.insert(addr).second) return fail("xarray node met twice (a loop)", hex_address(addr));
        std::vector<std::byte> bytes(l_.size);
        if (auto r = read_(addr, bytes); !r) return r.failure();
        const unsigned shift = static_cast<unsigned>(bytes[l_.shift]);
        const unsigned offset = static_cast<unsigned>(bytes[l_.offset]);
        const std::uint64_t up = load_u64(bytes, l_.parent);
        if (shift % l_.chunk_shift != 0 || shift >= 64 ||
            (want_shift >= 0 && shift != static_cast<unsigned>(want_shift)))
            return fail(fmt::format("corrupt xarray node: shift {}", shift), hex_address(addr));
        if (up != parent || (parent != 0 && offset != slot))
            return fail("corrupt xarray node: parent or offset does not match", hex_address(addr));
        const unsigned chunk = 1u << l_.chunk_shift;
        for (unsigned i = 0; i < chunk; ++i) {
            const std::uint64_t e = load_u64(bytes, l_.slots + 8ull * i);
            if (e == 0) continue;
            const std::uint64_t index = base + (std::uint64_t{i} << shift);
            if (xa_is_node(e)) {
                if (shift == 0)
                    return fail("corrupt xarray node: a node below the last level", hex_address(addr));
                auto more = node(xa_to_node(e), addr, i, static_cast<int>(shift - l_.chunk_shift), index);
                if (!more) return more.failure();
                if (!*more) return false;
                continue;
            }
            // Retry, zero (reserved) and sibling entries hold nothing of their own.
            if (xa_is_internal(e) || is_sibling(e, chunk)) continue;
            if (++found_ > max_) return fail(fmt::format("more than {} entries in the xarray", max_));
            if (!visit_(XaEntry{index, e})) return false;
        }
        return true;
    }

private:
    const MemoryReader& read_;
    const XaNodeLayout& l_;
    const std::function<bool(const XaEntry&)>& visit_;
    std::size_t max_;
    std::size_t found_ = 0;
    std::unordered_set<std::uint64_t> seen_;
};

Result<std::uint64_t> member_offset(const Type* t, std::string_view name) {
    auto m = find_member(t, name);
    if (!m) return fail(fmt::format("{} has no member {}", type_name(t), name));
    return m->bit_offset / 8;
}

Result<const Type*> struct_type(DebugInfo& di, std::string_view name) {
    auto t = di.find_type(name);
    if (!t) return t.failure();
    return di.complete(*t);
}

}  // namespace

Result<void> xa_walk(const MemoryReader& read, std::uint64_t head, const XaNodeLayout& layout,
                     const std::function<bool(const XaEntry&)>& visit, std::size_t max_entries) {
    if (layout.chunk_shift == 0 || layout.chunk_shift > 8 ||
        layout.slots + (8ull << layout.chunk_shift) > layout.size)
        return fail("implausible struct xa_node layout");
    if (head == 0) return {};
    if (!xa_is_node(head)) {
        // A lone entry at index 0 lives in xa_head itself.
        if (!xa_is_internal(head) && max_entries > 0) visit(XaEntry{0, head});
        return {};
    }
    Walker w(read, layout, visit, max_entries);
    auto r = w.node(xa_to_node(head), 0, 0, -1, 0);
    if (!r) return r.failure();
    return {};
}

Result<XaNodeLayout> xa_node_layout(DebugInfo& di) {
    auto t = struct_type(di, "struct xa_node");
    if (!t) return fail("no struct xa_node in the debug info (a kernel before 4.20?)");
    XaNodeLayout l;
    l.size = (*t)->size;
    auto shift = member_offset(*t, "shift");
    auto offset = member_offset(*t, "offset");
    auto parent = member_offset(*t, "parent");
    auto slots = find_member(*t, "slots");
    if (!shift || !offset || !parent || !slots) return fail("unexpected struct xa_node layout");
    l.shift = *shift;
    l.offset = *offset;
    l.parent = *parent;
    l.slots = slots->bit_offset / 8;
    const Type* at = strip_typedefs(slots->member->type.get());
    if (!at || at->kind != TypeKind::Array || !at->count || !std::has_single_bit(*at->count))
        return fail("unexpected struct xa_node slots array");
    l.chunk_shift = static_cast<unsigned>(std::countr_zero(*at->count));
    return l;
}

Result<std::vector<XaEntry>> xa_entries(Session& s, std::uint64_t xarray) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto layout = xa_node_layout(**di);
    if (!layout) return layout.failure();
    auto xt = struct_type(**di, "struct xarray");
    if (!xt) return xt.failure();
    auto head_off = member_offset(*xt, "xa_head");
    if (!head_off) return head_off.failure();
    auto head = s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, xarray + *head_off);
    if (!head) return head.failure();
    std::vector<XaEntry> out;
    MemoryReader read = [&s](std::uint64_t a, std::span<std::byte> b) {
        return s.target().read(AddressSpace::KernelVirtual, a, b);
    };
    auto r = xa_walk(read, *head, *layout, [&](const XaEntry& e) {
        out.push_back(e);
        return true;
    });
    if (!r) return r.failure();
    return out;
}

Result<std::vector<XaEntry>> idr_entries(Session& s, std::uint64_t idr) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto it = struct_type(**di, "struct idr");
    if (!it) return it.failure();
    auto rt = member_offset(*it, "idr_rt");
    if (!rt) return rt.failure();
    std::uint32_t base = 0;
    if (auto b = member_offset(*it, "idr_base")) {
        auto v = s.target().read_value<std::uint32_t>(AddressSpace::KernelVirtual, idr + *b);
        if (!v) return v.failure();
        base = *v;
    }
    auto entries = xa_entries(s, idr + *rt);
    if (!entries) return entries.failure();
    for (auto& e : *entries) e.index += base;
    return entries;
}

}  // namespace kdive
