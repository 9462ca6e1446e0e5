// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/interrupt.hpp"

#include <signal.h>

#include "util/sigint_flag.hpp"

namespace kdive {

namespace {

extern "C" void on_sigint(int) { note_sigint(); }

}  // namespace

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
