// SPDX-License-Identifier: GPL-3.0-or-later
// Tab completion of names the kernel's debug info knows: vmlinux symbols (ValueKind::Symbol and
// Address, from the ELF symbol table), type names (ValueKind::Type, from the DWARF index) and
// STRUCT.member paths (ValueKind::Member, from the types themselves).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/elf_file.hpp"
#include "kdive/debuginfo.hpp"

namespace kdive {

// Function and object names of the symbol table, sorted and unique.
std::vector<std::string> elf_symbol_names(const ElfFile& elf);

// "task_struct.se.lo" -> "task_struct.se.load", ...: members of the (nested) struct named
// before the last dot; without a dot, struct and union names.
std::vector<std::string> member_path_candidates(DebugInfo& di, std::string_view prefix);

// Registers the completers; names are read on the first completion, not at start-up.
void register_name_completers(const ElfFile& vmlinux);

}  // namespace kdive
