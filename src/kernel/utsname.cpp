// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/utsname.hpp"

#include <array>
#include <cstring>

#include "kdive/debuginfo.hpp"
#include "kdive/type.hpp"

namespace kdive {

namespace {
// struct new_utsname is UAPI: six char[65] fields.
constexpr std::size_t kFieldLen = 65;
constexpr std::size_t kFields = 6;

// Where `name` sits in struct uts_namespace: from the debug info (a kref preceded it before
// 5.11); without debug info, 0, as in every kernel since 5.11.
std::uint64_t name_offset(Session& session) {
    if (auto di = session.debuginfo())
        if (auto t = (*di)->find_type("struct uts_namespace"))
            if (auto m = find_member(*t, "name")) return m->bit_offset / 8;
    return 0;
}
}  // namespace

Result<Utsname> read_utsname(Session& session) {
    auto addr = session.symbol_address("init_uts_ns");
    if (!addr) return addr.failure();
    std::array<char, kFieldLen * kFields> raw{};
    auto r = session.target().read(AddressSpace::KernelVirtual, *addr + name_offset(session),
                                   std::as_writable_bytes(std::span{raw}));
    if (!r) return Failure{Error{"cannot read init_uts_ns: " + r.error().what, r.error().where}};
    auto field = [&](std::size_t i) {
        const char* p = raw.data() + i * kFieldLen;
        return std::string(p, strnlen(p, kFieldLen));
    };
    return Utsname{field(0), field(1), field(2), field(3), field(4), field(5)};
}

}  // namespace kdive
