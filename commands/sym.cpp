// SPDX-License-Identifier: GPL-3.0-or-later
// sym: symbol to address and address to symbol, from the vmlinux symbol table (KASLR applied).
#include <fmt/format.h>

#include "kdive/address.hpp"
#include "kdive/command.hpp"
#include "kdive/modules.hpp"
#include "kdive/object.hpp"
#include "kdive/symbolizer.hpp"

namespace kdive {
namespace {

class SymCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "sym",
            .summary = "translate a symbol to its address, or an address to symbol+offset",
            .description =
                "For each symbol name, prints its address, nm-style type letter and name; for\n"
                "each address (hex, or an expression), the symbol that contains it and the\n"
                "offset into it. -l lists every symbol in address order; -q lists the symbols\n"
                "whose names contain a string. Addresses are run-time ones (KASLR applied).",
            .options = {{.short_name = "l", .help = "list every symbol"},
                        {.short_name = "q", .argument = "STRING", .help = "symbols containing STRING"},
                        {.short_name = "m", .argument = "MODULE", .help = "symbols of a loaded module (from its kallsyms in the dump)"}},
            .arguments = {{.name = "symbol|address", .kind = ValueKind::Address, .optional = true,
                           .repeated = true}},
            .examples = {{.text = "A function:", .command = "sym schedule",
                          .output = "ffffffff81c2e8e0 (T) schedule"},
                         {.text = "An address inside it:", .command = "sym ffffffff81c2e8e4",
                          .output = "ffffffff81c2e8e4 (T) schedule+4"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        auto di = session.debuginfo();
        if (!di) return di.failure();
        DebugInfo& d = **di;
        auto line = [&](const SymbolEntry& e, std::uint64_t at) {
            if (at == e.address) out.print("{:016x} ({}) {}\n", at, e.letter, e.name);
            else out.print("{:016x} ({}) {}+{}\n", at, e.letter, e.name, at - e.address);
        };
        auto module_line = [&](const ModuleSymbol& m, const std::string& mod, std::uint64_t at) {
            if (at == m.address) out.print("{:016x} ({}) {} [{}]\n", at, m.letter, m.name, mod);
            else out.print("{:016x} ({}) {}+{} [{}]\n", at, m.letter, m.name, at - m.address, mod);
        };
        if (args.has("m")) {
            const std::string want = *args.value("m");
            auto mods = loaded_modules(session);
            if (!mods) return mods.failure();
            for (const auto& mod : *mods) {
                if (mod.name != want) continue;
                auto syms = module_symbols(session, mod);
                if (!syms) return syms.failure();
                for (const auto& m : *syms) module_line(m, mod.name, m.address);
                return {};
            }
            return fail("no such module loaded", want);
        }
        if (args.has("l") || args.has("q")) {
            const std::string q = args.value("q").value_or("");
            d.for_each_symbol([&](const SymbolEntry& e) {
                if (q.empty() || e.name.find(q) != std::string_view::npos) line(e, e.address);
                return !out.broken();
            });
            return {};
        }
        if (args.positionals().empty()) return fail("give a symbol or an address (or -l, -q)");
        auto names = symbolizer(session);
        for (const auto& word : args.positionals()) {
            if (auto e = d.symbol_entry(word)) {
                line(*e, e->address);
                continue;
            }
            auto addr = parse_address(session, word);
            if (addr)
                if (auto e = names ? (*names)->containing(*addr) : std::nullopt) {
                    line(SymbolEntry{e->name, e->address, e->size, e->letter}, *addr);
                    continue;
                }
            // Not the vmlinux's: a module's symbol by name, or a module address.
            if (auto r = module_lookup(session, word, addr ? std::optional(*addr) : std::nullopt, module_line);
                !r)
                return r;
        }
        return {};
    }

private:
    template <typename F>
    static Result<void> module_lookup(Session& session, const std::string& name,
                                      std::optional<std::uint64_t> addr, F&& print) {
        auto mods = loaded_modules(session);
        if (!mods) return mods.failure();
        for (const auto& mod : *mods) {
            if (addr && (*addr < mod.base || *addr >= mod.base + mod.size)) continue;
            auto syms = module_symbols(session, mod);
            if (!syms) return syms.failure();
            const ModuleSymbol* best = nullptr;
            for (const auto& m : *syms) {
                if (!addr && m.name == name) {
                    print(m, mod.name, m.address);
                    return {};
                }
                if (addr && m.address <= *addr) best = &m;
            }
            if (addr && best) {
                print(*best, mod.name, *addr);
                return {};
            }
        }
        if (addr) return fail("no symbol contains this address", fmt::format("{:#x}", *addr));
        return fail("no such symbol in the kernel or its modules", name);
    }
};
KDIVE_REGISTER_COMMAND(SymCommand);

}  // namespace
}  // namespace kdive
