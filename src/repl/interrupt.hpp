// SPDX-License-Identifier: GPL-3.0-or-later
// The shell's side of Ctrl-C (the commands' side is include/kdive/interrupt.hpp).
#pragma once

namespace kdive {

// SIGINT raises the interrupt flag (no SA_RESTART: a blocking read or sleep returns EINTR);
// SIGPIPE is ignored so a closed `| pipe` is a write error, not the end of kdive.
void install_signal_handlers();

// Ctrl-C since the last clear_interrupt() (kdive::interrupted() also covers a closed pipe).
bool sigint_received();

}  // namespace kdive
