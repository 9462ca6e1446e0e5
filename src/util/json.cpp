// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/json.hpp"

#include <fmt/format.h>

namespace kdive {

namespace {

// The length of the valid UTF-8 sequence starting s[i], or 0 if it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (c >= 0xf5 || n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
    // No overlong forms, no surrogates, nothing past U+10FFFF.
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) || (c == 0xf0 && c1 < 0x90) ||
        (c == 0xf4 && c1 >= 0x90))
        return 0;
    return n;
}

}  // namespace

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += fmt::format("\\u{:04x}", c);
            } else if (c < 0x80) {
                out += static_cast<char>(c);
            } else if (std::size_t n = utf8_length(s, i)) {
                out.append(s.substr(i, n));  // valid UTF-8 passes through
                i += n - 1;
            } else {
                // Kernel bytes need not be UTF-8 (a binary tag in a char array): a JSON text
                // must be, so a stray byte becomes the code point of the same value.
                out += fmt::format("\\u{:04x}", c);
            }
        }
    }
    return out + '"';
}

}  // namespace kdive
