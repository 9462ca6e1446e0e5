// SPDX-License-Identifier: GPL-3.0-or-later
// Help text generated from the tables (synopsis() and help_page() are in kdive/command.hpp).
#pragma once

#include <string>

#include "kdive/command.hpp"

namespace kdive {

// "-i, --input FILE", "--count N", "-seconds": how help and the man page show an option.
std::string option_form(const OptionSpec& option);

}  // namespace kdive
