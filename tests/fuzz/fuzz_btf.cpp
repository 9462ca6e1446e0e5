// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any bytes as a map's BTF blob (bpf -m reads it from struct btf's data in
// the dump). Btf::parse must refuse what it cannot check; what it accepts must convert to
// kdive Types whose names, declarations, sizes and members can all be walked.
#include <cstddef>
#include <cstdint>
#include <span>

#include "kdive/btf.hpp"
#include "kdive/type.hpp"

namespace {

// Walk what the printers walk: members and targets, a few levels deep (types may be cyclic
// through pointers; TypeRefs load lazily).
void walk(const kdive::Type* t, int depth) {
    if (!t || depth > 6) return;
    (void)kdive::type_name(t);
    (void)kdive::type_size(t);
    for (const auto& m : t->members) walk(m.type.get(), depth + 1);
    walk(t->target.get(), depth + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto btf = kdive::Btf::parse(std::as_bytes(std::span(data, size)));
    if (!btf) return 0;
    const std::uint32_t n = btf->count();
    for (std::uint32_t id = 0; id <= n + 1; ++id) {
        (void)btf->size_of(id);
        (void)btf->leaves_of(id);
    }
    const kdive::BtfTypes types(std::move(*btf));
    for (std::uint32_t id = 0; id <= n + 1; ++id) {
        auto t = types.get(id);
        if (!t) continue;
        walk(*t, 0);
        (void)kdive::declaration(*t, "x");
    }
    return 0;
}
