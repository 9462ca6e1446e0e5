// SPDX-License-Identifier: GPL-3.0-or-later
// The shell's side of Ctrl-C (the commands' side is include/kdive/interrupt.hpp; the flag lives
// in the utility layer, src/util/interrupt.cpp).
#pragma once

#include "util/sigint_flag.hpp"  // sigint_received()

namespace kdive {

// SIGINT raises the interrupt flag (no SA_RESTART: a blocking read or sleep returns EINTR);
// SIGPIPE is ignored so a closed `| pipe` is a write error, not the end of kdive.
void install_signal_handlers();

}  // namespace kdive
