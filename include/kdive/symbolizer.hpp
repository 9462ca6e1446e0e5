// SPDX-License-Identifier: GPL-3.0-or-later
// Addresses to names, one way for every printer and command: the vmlinux's symbols (the
// debug-info layer's one table, read in place), the modules' kallsyms from the dump, and BPF
// programs as the kernel's kallsyms names JITed code (bpf_prog_TAG_NAME). Built once per session
// (symbolizer(session)); modules' and programs' symbols are read on first use. Every lookup is
// a binary search over an address-sorted array.
//
// Which symbol names an address depends on who asks, and the rules are those of the tools kdive
// matches byte for byte: crash's nearest symbol below (sym, rd -s, bt), gdb's minimal-symbol
// rule for data pointers in `p`/`struct`, crash's module rule (a function before the
// module_init/module_exit alias at its address).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/debuginfo.hpp"
#include "kdive/modules.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct SymbolHit {
    std::string_view name;      // "": inside a module, before its first symbol
    std::uint64_t address = 0;  // the symbol's run-time start
    std::uint64_t size = 0;
    std::uint64_t offset = 0;   // the address asked minus `address`
    char letter = '?';          // nm's (kallsyms') type letter
    std::string_view module;    // the module's name; "" for the vmlinux and BPF programs
};

class Symbolizer {
public:
    // The vmlinux's table; `text`..`end` is the kernel image (_text.._end) at link time.
    Symbolizer(LinkSymbols vmlinux, std::uint64_t text, std::uint64_t end);

    using ModuleLoader = std::function<std::vector<ModuleSymbol>()>;
    // A module's memory; its symbols (by address, aliases in kallsyms order) come from `load`
    // the first time an address in it is asked about.
    void add_module(std::string name, std::uint64_t base, std::uint64_t size, ModuleLoader load);
    struct Program {
        std::string name;  // bpf_prog_TAG_NAME
        std::uint64_t start = 0, size = 0;
    };
    using ProgramLoader = std::function<std::vector<Program>()>;
    // The JITed BPF programs, listed on first use.
    void set_programs(ProgramLoader load);

    // The vmlinux symbol at or nearest below `addr` inside the image (crash's rule: sym, rd -s).
    // Per-CPU and absolute symbols are no places in the image and never answer.
    std::optional<SymbolHit> vmlinux(std::uint64_t addr) const;
    // The same, where `addr` is inside the symbol by its size (a zero-sized or text symbol
    // reaches to the next): what `sym ADDR` names.
    std::optional<SymbolHit> containing(std::uint64_t addr) const;
    // A code address: the vmlinux's, else a module's (bt, rd -s, function pointers in `p`).
    std::optional<SymbolHit> code(std::uint64_t addr) const;
    // A data address as crash's gdb names it: in the image, gdb's minimal symbol (the nearest
    // sized symbol containing it, else a zero-sized text label, never a zero-sized data one);
    // else the module symbol nearest below.
    std::optional<SymbolHit> data(std::uint64_t addr) const;
    // JITed code too: a BPF program's name first, then code() (the bpf command).
    std::optional<SymbolHit> jited(std::uint64_t addr) const;

private:
    struct Module {
        std::string name;
        std::uint64_t base = 0, size = 0;
        ModuleLoader load;
        mutable std::optional<std::vector<ModuleSymbol>> symbols;
    };
    bool eligible(const ElfSymbol& s) const;
    bool in_image(std::uint64_t addr) const;
    SymbolHit hit(const ElfSymbol& s, std::uint64_t addr) const;
    std::optional<SymbolHit> module_symbol(std::uint64_t addr) const;

    LinkSymbols vmlinux_;
    std::uint64_t text_ = 0, end_ = 0;  // link time
    std::vector<Module> modules_;       // by base
    ProgramLoader load_programs_;
    mutable std::optional<std::vector<Program>> programs_;  // by start
};

// The session's symbolizer, built on first use and kept in its cache.
Result<const Symbolizer*> symbolizer(Session& session);

// Session::symbolize_any for sessions of the kernel model: its rules through the symbolizer.
std::optional<CodeSymbol> symbolize(Session& session, std::uint64_t addr, SymbolRule rule);

}  // namespace kdive
