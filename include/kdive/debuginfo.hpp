// SPDX-License-Identifier: GPL-3.0-or-later
// Symbols and types of the dumped kernel, as commands see them: names to run-time addresses
// (KASLR applied) and types, C type names to types. (Addresses back to names: the
// kernel layer's symbolizer, symbolizer.hpp.)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/type.hpp"

namespace kdive {

struct SymbolInfo {
    std::string name;
    std::uint64_t address = 0;  // run-time (KASLR applied); for per-CPU variables, the offset
    std::uint64_t size = 0;
    const Type* type = nullptr;  // nullptr when the debug info does not describe it
    bool is_function = false;
    bool per_cpu = false;  // a per-CPU variable: address is its offset in each CPU's area
};

// A symbol table entry at its run-time address.
struct SymbolEntry {
    std::string_view name;
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    char letter = '?';  // nm's: T/t text, D/d data, B/b bss, R/r read-only, A/a absolute
};

// A vmlinux .symtab entry at its link-time address (no KASLR slide applied): the one copy of
// the vmlinux's symbols, loaded and sorted by address once (ElfFile); the symbolizer reads it.
struct ElfSymbol {
    std::string_view name;  // points into the mapped string table
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    unsigned char type = 0;  // STT_NOTYPE, STT_FUNC, STT_OBJECT, ...
    char letter = '?';  // nm's type letter: T text, D data, B bss, R read-only, A absolute; lower case: local
};

// The vmlinux's symbol table in address order and how its addresses move at run time: by the
// KASLR slide, except absolute symbols and zero-based per-CPU ones (offsets below per_cpu_end;
// 0 where per-CPU variables are linked at kernel addresses, as on x86-64 since 6.15).
struct LinkSymbols {
    std::span<const ElfSymbol> symbols;
    std::uint64_t slide = 0;
    std::uint64_t per_cpu_end = 0;
};

// What a name is for `whatis` and completion.
enum class NameClass { Type, Variable, Function, Enumerator };

class DebugInfo {
public:
    virtual ~DebugInfo() = default;

    // A C type name: "struct task_struct", "union u", "enum e", a typedef or base type
    // ("pid_t", "unsigned long"), with any trailing "*"s ("struct page *").
    virtual Result<const Type*> find_type(std::string_view name) = 0;
    // A global variable or function by name.
    virtual Result<SymbolInfo> find_symbol(std::string_view name) = 0;
    // An enumerator's value and its enum type.
    virtual std::optional<std::pair<const Type*, std::int64_t>> find_enumerator(std::string_view name) = 0;
    // A struct/union/enum only declared where it was met, replaced by its definition.
    virtual const Type* complete(const Type* t) = 0;
    // Types made on the fly (pointers for &x, literal types).
    virtual const Type* pointer_to(const Type* t) = 0;
    virtual const Type* base_type(std::string_view c_name) = 0;  // "int", "unsigned long", "char"
    // The vmlinux symbol table, at run-time addresses.
    virtual std::optional<SymbolEntry> symbol_entry(std::string_view name) = 0;
    // Every symbol in address order; stop early by returning false.
    virtual void for_each_symbol(const std::function<bool(const SymbolEntry&)>& f) = 0;
    // The same table as it is kept, for the kernel layer's symbolizer (addresses to names).
    virtual LinkSymbols link_symbols() const = 0;
    // A kernel module's debug file (.ko with DWARF): its types, and its symbols at `placed`
    // addresses, join the search after the vmlinux's. `module` is the module's name as the dump lists it.
    // `placed`: the module's symbols at their run-time addresses (from the dump's kallsyms),
    // so its variables and functions can be named in expressions.
    virtual Result<void> add_module(const std::string& module, const std::string& path,
                                    std::vector<SymbolInfo> placed = {}) = 0;
    // The debug file loaded for a module, if any.
    virtual std::optional<std::string> module_file(const std::string& module) const = 0;
    // Names starting with `prefix` of the given class, sorted, at most `limit`.
    virtual std::vector<std::string> names_with_prefix(std::string_view prefix, NameClass cls,
                                                       std::size_t limit = 200) = 0;
};

}  // namespace kdive
