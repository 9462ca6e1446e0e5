// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any bytes as VMCOREINFO text (the KEY=VALUE note), parsed and queried the
// way sessions and libaddrxlat's set-up ask it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "memory/vmcoreinfo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto vi = kdive::VmcoreInfo::parse(text);
    (void)vi.osrelease();
    (void)vi.build_id();
    (void)vi.kernel_offset();
    (void)vi.symbol("init_uts_ns");
    (void)vi.number("phys_base");
    (void)vi.number("pgtable_l5_enabled");
    (void)vi.size("page");
    (void)vi.offset("page.flags");
    for (const auto& [key, value] : vi.entries()) {
        if (key.empty() || key.find('\n') != std::string::npos || value.find('\n') != std::string::npos)
            __builtin_trap();  // one KEY=VALUE per line
        (void)kdive::parse_unsigned(value, 16);
        (void)kdive::parse_unsigned(value, 10);
    }
    return 0;
}
