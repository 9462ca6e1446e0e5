// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/utsname.hpp"

#include <array>
#include <cstring>

namespace kdive {

namespace {
// struct new_utsname is UAPI: six char[65] fields. It is the first member of uts_namespace
// since 5.11 dropped the kref before it (checked with pahole on Debian's 6.1 vmlinux).
// TODO(issue 3): take the member offset from DWARF once the type engine lands.
constexpr std::size_t kFieldLen = 65;
constexpr std::size_t kFields = 6;
}  // namespace

Result<Utsname> read_utsname(Session& session) {
    auto addr = session.symbol_address("init_uts_ns");
    if (!addr) return addr.failure();
    std::array<char, kFieldLen * kFields> raw{};
    auto r = session.target().read(AddressSpace::KernelVirtual, *addr,
                                   std::as_writable_bytes(std::span{raw}));
    if (!r) return Failure{Error{"cannot read init_uts_ns: " + r.error().what, r.error().where}};
    auto field = [&](std::size_t i) {
        const char* p = raw.data() + i * kFieldLen;
        return std::string(p, strnlen(p, kFieldLen));
    };
    return Utsname{field(0), field(1), field(2), field(3), field(4), field(5)};
}

}  // namespace kdive
