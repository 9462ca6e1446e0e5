// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/line.hpp"

#include <cctype>

namespace kdive {

Result<std::vector<std::string>> split_command_line(std::string_view line) {
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (char c : line) {
        if (quote) {
            if (c == quote) quote = 0;
            else cur += c;
        } else if (c == '"' || c == '\'') {
            quote = c;
            in_word = true;
        } else if (c == '#') {
            break;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            if (in_word) words.push_back(std::move(cur));
            cur.clear();
            in_word = false;
        } else {
            cur += c;
            in_word = true;
        }
    }
    if (quote) return fail(std::string("unterminated ") + quote + " quote");
    if (in_word) words.push_back(std::move(cur));
    return words;
}

}  // namespace kdive
