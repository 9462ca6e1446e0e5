// SPDX-License-Identifier: GPL-3.0-or-later
// The interrupt flag itself, in the utility layer: the dump reader and the walkers of every
// layer poll it, and only the shell raises it (src/repl/interrupt.cpp installs the handler).
#include "kdive/interrupt.hpp"

#include <csignal>

#include "util/sigint_flag.hpp"

namespace kdive {

namespace {

volatile std::sig_atomic_t interrupt_flag = 0;
volatile std::sig_atomic_t sigint_flag = 0;  // Ctrl-C itself, not a reader that went away

}  // namespace

bool interrupted() { return interrupt_flag != 0; }

Result<void> check_interrupted() {
    if (interrupted()) return fail("interrupted");
    return {};
}

void request_interrupt() { interrupt_flag = 1; }
void clear_interrupt() {
    interrupt_flag = 0;
    sigint_flag = 0;
}

void note_sigint() noexcept {
    interrupt_flag = 1;
    sigint_flag = 1;
}

bool sigint_received() { return sigint_flag != 0; }

}  // namespace kdive
