// SPDX-License-Identifier: GPL-3.0-or-later
// Loaded kernel modules, walked from the dump (the `modules` list), and their symbols from the
// module's own kallsyms in memory: names for module addresses even without debug .ko files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct ModuleSymbol {
    std::string name;
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    char letter = '?';  // kallsyms' type letter (t, T, d, ...)
};

struct LoadedModule {
    std::string name;
    std::uint64_t module = 0;  // the struct module
    std::uint64_t base = 0;    // core_layout.base: where /proc/modules says it is
    std::uint64_t size = 0;    // core_layout.size
    bool readable = true;      // false: its struct module is not (wholly) in the dump
};

// The module list as read once per session, with what its walk had to read around.
struct ModuleList {
    std::vector<LoadedModule> all;  // list order
    std::vector<Error> problems;
    std::size_t unreadable = 0;     // modules whose name or extent is not in the dump
};
Result<const ModuleList*> modules(Session& session);

// Every module on the `modules` list, in list order (most recently loaded first); a copy of
// modules()->all.
Result<std::vector<LoadedModule>> loaded_modules(Session& session);
// The module's symbols from its kallsyms (mod->kallsyms) that lie in its memory, by address.
Result<std::vector<ModuleSymbol>> module_symbols(Session& session, const LoadedModule& mod);

}  // namespace kdive
