// SPDX-License-Identifier: GPL-3.0-or-later
// Command lines as crash reads them: words separated by blanks, "double" and 'single' quotes, a
// # comment outside quotes; `cmd args | shell pipeline`, `cmd > file`, `cmd >> file`, and
// `!shell command`. Quoted | > # are plain characters.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/result.hpp"

namespace kdive {

// Words only (no | or > handling).
Result<std::vector<std::string>> split_command_line(std::string_view line);

struct CommandLine {
    std::vector<std::string> words;  // the command and its arguments; empty: nothing to run
    std::string pipe;                // after an unquoted '|': given to sh -c as is
    std::string redirect;            // after '>' or '>>': the file
    bool append = false;             // '>>'
    bool shell_escape = false;       // the line was `!command`: `shell` is run by sh -c
    std::string shell;               // empty with shell_escape: an interactive shell
};

Result<CommandLine> parse_command_line(std::string_view line);

// Where the first word of `line` is (for alias expansion): [begin, end) or begin == end.
std::pair<std::size_t, std::size_t> first_word(std::string_view line);

// Words back into one line that split_command_line() splits the same way.
std::string join_words(const std::vector<std::string>& words);

// crash's aliases, the one place they expand: while the first word of `line` names an alias it
// is replaced by the alias's text, the rest of the line following it (so an alias may hold a
// pipe). Each alias expands once: `alias a b` with `alias b a` stops.
std::string expand_aliases(std::string_view line, const std::map<std::string, std::string>& aliases);
// The same for words (Shell::execute, completion): joined, expanded, split again.
std::vector<std::string> expand_aliases(std::vector<std::string> words,
                                        const std::map<std::string, std::string>& aliases);

}  // namespace kdive
