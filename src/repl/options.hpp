// SPDX-License-Identifier: GPL-3.0-or-later
// kdive's own command line, declared in one table (a CommandSpec, as the commands' are): the
// parser, `kdive --help` and the man page's SYNOPSIS/OPTIONS come from it. To add an option,
// add a row to the table in options.cpp and a field here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdive/command.hpp"
#include "kdive/result.hpp"

namespace kdive {

struct StartupOptions {
    std::vector<std::string> files;    // VMLINUX and VMCORE, either order
    std::string input_file;            // -i: run it, then exit
    std::vector<std::string> plugins;  // -x/--plugin, in order
    std::optional<std::uint64_t> kaslr;  // --kaslr=OFFSET (hex): the KASLR slide, not detected
    bool force = false;                // --force: go on with a mismatched or truncated dump
    bool silent = false;               // -s
    bool json = false;                 // --json
    bool help = false;                 // -h/--help
    bool version = false;              // --version
    bool man = false;                  // --man: print the man page (troff)
};

const CommandSpec& startup_spec();
// "usage: ..." with the options, for --help and errors.
std::string usage();
// argv as given to main. Fails with one line (unknown option, missing value).
Result<StartupOptions> parse_startup_options(int argc, char** argv);

}  // namespace kdive
