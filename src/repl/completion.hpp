// SPDX-License-Identifier: GPL-3.0-or-later
// Tab completion, readline-free so tests can ask for candidates: command names and aliases,
// options from the command's table, values by their ValueKind (symbols, files, commands; types
// and struct members once the DWARF engine registers completers), and Command::complete().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kdive/shell.hpp"

namespace kdive {

struct Completion {
    std::size_t start = 0;                // where the word being completed begins
    std::vector<std::string> candidates;  // sorted, unique, each starting with that word
    bool files = false;                   // a file name: let readline complete it
};

// `line` is the input up to the cursor.
Completion complete_line(Shell& shell, std::string_view line);

// The characters that end a word for completion (readline's word-break characters).
inline constexpr const char* kCompletionBreaks = " \t\n|>";

}  // namespace kdive
