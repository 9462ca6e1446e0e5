// SPDX-License-Identifier: GPL-3.0-or-later
// The command loop: read a line (readline on a terminal, plain lines from a batch file or a
// pipe), run the command, print its error on one line, go on.
#pragma once

#include <cstdio>
#include <string>

#include "kdive/session.hpp"

namespace kdive {

// Runs one line. Returns false when the line asks to leave (q, quit, exit).
bool run_line(Session& session, const std::string& line, std::FILE* out);

// Interactive loop with history in ~/.kdive_history.
void interactive_loop(Session& session);

// Every line of `in`, in order; returns the number of commands that failed.
int batch_loop(Session& session, std::FILE* in);

}  // namespace kdive
