// SPDX-License-Identifier: GPL-3.0-or-later
#include <fmt/format.h>

#include "kdive/result.hpp"

namespace kdive {

std::string hex_address(std::uint64_t addr) { return fmt::format("{:#x}", addr); }

}  // namespace kdive
