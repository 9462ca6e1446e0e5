// SPDX-License-Identifier: GPL-3.0-or-later
// JSON string literals. In the utility layer because every layer that prints JSON needs it:
// the Output's JSON printer (the shell) and the value printer's JSON form (the debug info).
#pragma once

#include <string>
#include <string_view>

namespace kdive {

// JSON string literal for s (quotes included). Bytes that are not UTF-8 become \u00XX.
std::string json_quote(std::string_view s);

}  // namespace kdive
