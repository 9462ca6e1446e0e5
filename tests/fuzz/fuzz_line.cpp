// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any bytes as a command line, through the line parser and the option parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kdive/command.hpp"
#include "support/line_fuzz_spec.hpp"
#include "repl/line.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const kdive::CommandSpec& spec = kdive::testing::line_fuzz_spec();
    std::string_view line(reinterpret_cast<const char*>(data), size);
    auto l = kdive::parse_command_line(line);
    if (!l) return 0;
    auto again = kdive::split_command_line(kdive::join_words(l->words));
    if (!again || *again != l->words) __builtin_trap();  // join/split must round-trip
    auto words = l->words;
    words.insert(words.begin(), "f");
    (void)kdive::Arguments::parse(spec, words);
    (void)kdive::Arguments::parse_prefix(spec, words);
    (void)kdive::expand_aliases(line, {{"f", "f -a"}, {"g", "f|x"}});
    (void)kdive::first_word(line);
    return 0;
}
