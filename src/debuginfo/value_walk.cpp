// SPDX-License-Identifier: GPL-3.0-or-later
#include "debuginfo/value_walk.hpp"

#include <algorithm>
#include <cstring>

namespace kdive {

namespace {

// An integer (or bit-field) from its bytes, sign-extended if its type is signed.
std::uint64_t integer(const Type* t, std::span<const std::byte> b, std::uint32_t bit_offset,
                      std::uint32_t bit_size) {
    std::uint64_t raw = 0;
    std::memcpy(&raw, b.data(), std::min<std::size_t>(8, b.size()));
    const unsigned bits = bit_size ? bit_size : static_cast<unsigned>(std::min<std::size_t>(8, b.size()) * 8);
    if (bit_size) raw >>= bit_offset;
    if (bits > 0 && bits < 64) {
        raw &= (1ULL << bits) - 1;
        if (t->is_signed() && ((raw >> (bits - 1)) & 1)) raw |= ~((1ULL << bits) - 1);
    }
    return raw;
}

// The bytes of member m inside an aggregate's bytes (empty if beyond them).
std::span<const std::byte> member_bytes(const Member& m, std::span<const std::byte> b) {
    const std::uint64_t off = std::min<std::uint64_t>(m.bit_offset / 8, b.size());
    const std::uint64_t size = m.bit_size ? (m.bit_offset % 8 + m.bit_size + 7) / 8 : type_size(m.type.get());
    return b.subspan(off, std::min<std::uint64_t>(size, b.size() - off));
}

bool is_aggregate(const Type* t) { return t && (t->kind == TypeKind::Struct || t->kind == TypeKind::Union); }

class Walk {
public:
    Walk(DebugInfo& di, ValueVisitor& v) : di_(di), v_(v) {}

    void value(const Type* type, std::span<const std::byte> b, std::uint64_t address, int depth,
               std::uint32_t bit_offset, std::uint32_t bit_size) {
        const Type* t = di_.complete(strip_typedefs(type));
        if (!t) return v_.scalar({nullptr, b, 0});
        switch (t->kind) {
            case TypeKind::Struct:
            case TypeKind::Union:
                if (depth >= v_.max_depth()) return v_.too_deep();
                return aggregate(t, b, address, depth);
            case TypeKind::Array: return array(t, b, address, depth);
            case TypeKind::Pointer: {
                std::uint64_t p = 0;
                std::memcpy(&p, b.data(), std::min<std::size_t>(8, b.size()));
                return v_.scalar({t, b, p});
            }
            case TypeKind::Enum:
            case TypeKind::Int: return v_.scalar({t, b, integer(t, b, bit_offset, bit_size)});
            default: return v_.scalar({t, b, 0});
        }
    }

private:
    void aggregate(const Type* t, std::span<const std::byte> b, std::uint64_t address, int depth) {
        v_.struct_begin(t, depth);
        std::size_t n = 0;
        members(t, b, address, depth, n);
        v_.struct_end(t, n, depth);
    }

    void members(const Type* t, std::span<const std::byte> b, std::uint64_t address, int depth, std::size_t& n) {
        for (const Member& m : t->members) {
            if (m.name.empty() && v_.merge_anonymous() && is_aggregate(di_.complete(strip_typedefs(m.type.get())))) {
                // Offsets inside the anonymous member are from its own start.
                const std::uint64_t off = std::min<std::uint64_t>(m.bit_offset / 8, b.size());
                members(di_.complete(strip_typedefs(m.type.get())), b.subspan(off), address ? address + off : 0,
                        depth, n);
                continue;
            }
            v_.member(m, n++, depth);
            value(m.type.get(), member_bytes(m, b), address ? address + m.bit_offset / 8 : 0, depth + 1,
                  static_cast<std::uint32_t>(m.bit_offset % 8), m.bit_size);
        }
    }

    void array(const Type* t, std::span<const std::byte> b, std::uint64_t address, int depth) {
        const Type* elem = t->target.get();
        const Type* se = di_.complete(strip_typedefs(elem));
        const bool chars = se && se->is_char();
        if (!chars && depth >= v_.max_depth()) return v_.too_deep();
        const std::uint64_t esize = type_size(se);
        if (!t->count || *t->count == 0 || esize == 0) return v_.flexible_array(t, address);
        const std::uint64_t n = std::min<std::uint64_t>(*t->count, b.size() / esize);
        if (chars) return v_.char_array(t, b.first(n * esize));
        v_.array_begin(t, depth);
        const std::uint64_t shown = std::min(n, v_.max_elements());
        for (std::uint64_t i = 0; i < shown; ++i) {
            v_.element(i, depth);
            value(elem, b.subspan(i * esize, esize), address ? address + i * esize : 0, depth + 1, 0, 0);
        }
        v_.array_end(t, shown < n, depth);
    }

    DebugInfo& di_;
    ValueVisitor& v_;
};

}  // namespace

void walk_value(DebugInfo& di, ValueVisitor& v, const Type* type, std::span<const std::byte> bytes,
                std::uint64_t address, int depth, std::uint32_t bit_offset, std::uint32_t bit_size) {
    Walk(di, v).value(type, bytes, address, depth, bit_offset, bit_size);
}

}  // namespace kdive
