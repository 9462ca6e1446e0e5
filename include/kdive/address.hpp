// SPDX-License-Identifier: GPL-3.0-or-later
// Addresses as users type them in crash: hex with or without 0x, a vmlinux symbol, or
// symbol+offset (offset in hex with 0x, else decimal as crash reads it); failing those, a C
// expression: its value if a number or pointer, else where the object lives.
#pragma once

#include <cstdint>
#include <string_view>

#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

Result<std::uint64_t> parse_address(Session& session, std::string_view text);

}  // namespace kdive
