// SPDX-License-Identifier: GPL-3.0-or-later
// The session as commands and plugins see it: the opened dump's memory, the vmlinux's symbols
// placed at their run-time (KASLR) addresses, and VMCOREINFO.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kdive/debuginfo.hpp"
#include "kdive/result.hpp"
#include "kdive/session_cache.hpp"
#include "kdive/target.hpp"

namespace kdive {

class ElfFile;        // src/debuginfo/elf_file.hpp
class DwarfSections;  // src/debuginfo/dwarf_sections.hpp

// A code or data address named by the symbol containing it.
struct CodeSymbol {
    std::string name;
    std::uint64_t offset = 0;
    std::string module;  // "" for the vmlinux
};

// Who asks for an address's name: a code address (crash's nearest symbol below) or a data
// pointer (gdb's minimal-symbol rule).
enum class SymbolRule { Code, Data };

class Session {
public:
    virtual ~Session() = default;

    virtual Target& target() = 0;
    virtual std::string vmlinux_path() const = 0;
    // A vmlinux symbol's run-time address (link-time address + KASLR slide).
    virtual Result<std::uint64_t> symbol_address(std::string_view name) const = 0;
    virtual std::uint64_t kaslr_offset() const = 0;
    // How the KASLR slide was found, or why it is unknown.
    virtual std::string kaslr_source() const = 0;
    // A VMCOREINFO value ("OSRELEASE", "SYMBOL(prb)", ...); nullopt if absent.
    virtual std::optional<std::string> vmcoreinfo(std::string_view key) const = 0;
    virtual unsigned num_cpus() const = 0;

    // A kernel address's symbol by `rule`: the vmlinux's, else a module's from the dump's
    // kallsyms (with the module's name). The kernel layer's symbolizer answers (symbolizer.hpp,
    // where the rules are); the value printer, below that layer, asks through here.
    virtual std::optional<CodeSymbol> symbolize_any(std::uint64_t /*addr*/, SymbolRule /*rule*/ = SymbolRule::Code) {
        return std::nullopt;
    }

    // The offset of CPU `cpu`'s per-CPU area (__per_cpu_offset[cpu]): what a per-CPU variable's
    // offset is added to. The kernel model answers (kernel_facts.hpp); the expression
    // evaluator, below that layer, asks through here.
    virtual Result<std::uint64_t> per_cpu_offset(unsigned cpu) {
        return fail("per-CPU areas are not known in this session", "CPU " + std::to_string(cpu));
    }

    // Types and symbols from the vmlinux's DWARF, loaded on first use (the name index comes
    // from a cache keyed by build-id after the first session).
    virtual Result<DebugInfo*> debuginfo() { return fail("no debug info in this session"); }

    // The vmlinux as the debug-info layer reads it: one libelf mapping and one set of .debug_*
    // sections (with one libdwarf handle) per session, shared by the debug info, the unwinder's
    // ORC and CFI tables and the line and inline tables, so the 600 MB file is not mapped and
    // parsed once per reader. Types of the debug-info layer (src/debuginfo), opaque to plugins.
    // Both live as long as the session.
    virtual Result<const ElfFile*> vmlinux_elf() { return fail("no vmlinux in this session"); }
    virtual Result<const DwarfSections*> vmlinux_sections() {
        return fail("no vmlinux debug sections in this session");
    }

    // Kernel state derived once (tasks, modules); see session_cache.hpp.
    SessionCache& cache() { return cache_; }
    // True for the running kernel (/proc/kcore): its state changes between commands.
    virtual bool live() const { return false; }
    // The task `set PID` chose as the context (crash's "current context"); 0: the default
    // (the panic task). Kept across commands, unlike the cache.
    std::uint64_t context_task() const { return context_task_; }
    void set_context_task(std::uint64_t task) { context_task_ = task; }

private:
    SessionCache cache_;
    std::uint64_t context_task_ = 0;
};

}  // namespace kdive
