// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/layout.hpp"

#include <cstring>

#include "kdive/type.hpp"

namespace kdive {

Result<Field> field_of(DebugInfo& di, std::string_view type, std::string_view path) {
    auto t = di.find_type(type);
    if (!t) return t.failure();
    const Type* cur = *t;
    Field f;
    std::string_view rest = path;
    while (!rest.empty()) {
        const auto dot = rest.find('.');
        const std::string_view name = rest.substr(0, dot);
        rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
        auto m = find_member(strip_typedefs(cur), name);
        if (!m) return fail("no such member", std::string(type) + "." + std::string(path));
        f.offset += m->bit_offset / 8;
        cur = m->member->type.get();
    }
    const Type* leaf = strip_typedefs(cur);
    f.size = type_size(cur);
    f.is_signed = leaf && leaf->is_integer() && leaf->is_signed();
    return f;
}

Result<Field> field_of_any(DebugInfo& di, std::string_view type,
                           std::initializer_list<std::string_view> paths) {
    for (std::string_view p : paths)
        if (auto f = field_of(di, type, p)) return f;
    return fail("no such member", std::string(type) + "." + std::string(*paths.begin()));
}

std::uint64_t load_field(std::span<const std::byte> bytes, const Field& f) {
    if (f.size == 0 || f.size > 8 || f.offset + f.size > bytes.size()) return 0;
    std::uint64_t v = 0;
    std::memcpy(&v, bytes.data() + f.offset, f.size);  // little-endian host and target
    if (f.is_signed && f.size < 8 && (v >> (f.size * 8 - 1)) & 1) v |= ~0ULL << (f.size * 8);
    return v;
}

}  // namespace kdive
