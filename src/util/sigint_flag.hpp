// SPDX-License-Identifier: GPL-3.0-or-later
// The Ctrl-C half of the interrupt flag (include/kdive/interrupt.hpp is the half every layer
// polls). Only the shell's SIGINT handler raises it.
#pragma once

namespace kdive {

// Raises the interrupt flag and records that it was Ctrl-C. Async-signal-safe.
void note_sigint() noexcept;

// Ctrl-C since the last clear_interrupt() (kdive::interrupted() also covers a closed pipe).
bool sigint_received();

}  // namespace kdive
