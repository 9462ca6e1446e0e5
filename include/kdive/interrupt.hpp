// SPDX-License-Identifier: GPL-3.0-or-later
// Ctrl-C: the shell's SIGINT handler only raises a flag; long commands and walkers poll it and
// return, so the shell goes back to its prompt with every C handle released normally.
#pragma once

#include "kdive/result.hpp"

namespace kdive {

// True once Ctrl-C was pressed (or the output's reader went away) during the current command.
bool interrupted();
// fail("interrupted") when interrupted(): `if (auto r = check_interrupted(); !r) return r;`
Result<void> check_interrupted();
// Raise the flag (the SIGINT handler, a closed output pipe).
void request_interrupt();
// The shell clears the flag before each command.
void clear_interrupt();

}  // namespace kdive
