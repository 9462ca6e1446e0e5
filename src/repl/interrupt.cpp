// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/interrupt.hpp"

#include <signal.h>

#include <csignal>

#include "kdive/interrupt.hpp"

namespace kdive {

namespace {

volatile std::sig_atomic_t interrupt_flag = 0;
volatile std::sig_atomic_t sigint_flag = 0;  // Ctrl-C itself, not a reader that went away

extern "C" void on_sigint(int) {
    interrupt_flag = 1;
    sigint_flag = 1;
}

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

bool sigint_received() { return sigint_flag != 0; }

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART, on purpose
    sigaction(SIGINT, &sa, nullptr);
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, nullptr);
}

}  // namespace kdive
