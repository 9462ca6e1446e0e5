// SPDX-License-Identifier: GPL-3.0-or-later
// kdive(1), generated from the same tables as `kdive --help` and `help NAME`.
#pragma once

#include <string>
#include <vector>

#include "kdive/command.hpp"

namespace kdive {

// troff (man macros): the program's table, then one subsection per command.
std::string man_page(const CommandSpec& program, const std::vector<Command*>& commands);

}  // namespace kdive
