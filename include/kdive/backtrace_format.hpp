// SPDX-License-Identifier: GPL-3.0-or-later
// crash's `bt` text (and bt's JSON) for a task's Backtrace. The kernel layer unwinds
// (kdive/unwind.hpp: frames as data); printing them through the Output is the shell's part.
#pragma once

#include "kdive/output.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "kdive/tasks.hpp"
#include "kdive/unwind.hpp"

namespace kdive {

// crash's bt text for one task. Options as bt takes them.
struct BacktraceFormat {
    bool symbol_offsets = false;  // -s: function+offset
    bool frame_words = false;     // -f: each frame's stack words
    bool frame_symbols = false;   // -F: the same, symbolically
    bool line_numbers = false;    // -l: file:line of each pc (and the inline frames)
    bool inline_frames = false;   // -I: a frame for each inlined call, as drgn shows them
};
// The header line and the frames (or `bt -r`'s raw stack when raw is set).
Result<void> print_backtrace(Session& session, const Task& task, const BacktraceFormat& format,
                             Output& out);
// bt -r: the task's whole kernel stack, two words a line, symbols for text addresses.
Result<void> print_raw_stack(Session& session, const Task& task, Output& out);

}  // namespace kdive
