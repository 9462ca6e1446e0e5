// SPDX-License-Identifier: GPL-3.0-or-later
// Splitting a command line into words: whitespace-separated, with "double" and 'single' quotes,
// and a # starting a comment outside quotes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kdive/result.hpp"

namespace kdive {

Result<std::vector<std::string>> split_command_line(std::string_view line);

}  // namespace kdive
