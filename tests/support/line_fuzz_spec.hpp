// SPDX-License-Identifier: GPL-3.0-or-later
// The command table random lines are parsed against, by the line fuzz target and the unit
// test that does the same with a fixed seed: every option form and value kind the parser has.
#pragma once

#include "kdive/command.hpp"

namespace kdive::testing {

inline const CommandSpec& line_fuzz_spec() {
    static const CommandSpec spec{
        .name = "f",
        .options = {{.short_name = "a"}, {.short_name = "i", .long_name = "in", .argument = "X"},
                    {.short_name = "64"}, {.long_name = "n", .argument = "N", .number = true},
                    {.short_name = "c", .argument = "C", .kind = ValueKind::Number, .group = "g"},
                    {.short_name = "m", .argument = "M", .kind = ValueKind::Hex, .group = "g"}},
        .arguments = {{.name = "x", .optional = true},
                      {.name = "k", .kind = ValueKind::Integer, .optional = true},
                      {.name = "rest", .optional = true, .repeated = true}},
    };
    return spec;
}

}  // namespace kdive::testing
