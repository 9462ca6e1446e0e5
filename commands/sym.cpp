// SPDX-License-Identifier: GPL-3.0-or-later
// sym: symbol to address and address to symbol, from the vmlinux symbol table (KASLR applied).
#include <fmt/format.h>

#include "kdive/address.hpp"
#include "kdive/command.hpp"
#include "kdive/object.hpp"

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
                        {.short_name = "m", .argument = "MODULE", .help = "symbols of a module"}},
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
        if (args.has("m"))
            return fail("module symbols need the module list from the dump (the mod command)",
                        *args.value("m"));
        if (args.has("l") || args.has("q")) {
            const std::string q = args.value("q").value_or("");
            d.for_each_symbol([&](const SymbolEntry& e) {
                if (q.empty() || e.name.find(q) != std::string_view::npos) line(e, e.address);
                return !out.broken();
            });
            return {};
        }
        if (args.positionals().empty()) return fail("give a symbol or an address (or -l, -q)");
        for (const auto& word : args.positionals()) {
            if (auto e = d.symbol_entry(word)) {
                line(*e, e->address);
                continue;
            }
            auto addr = parse_address(session, word);
            if (!addr) return addr.failure();
            auto e = d.symbol_containing(*addr);
            if (!e || (e->size && *addr - e->address >= e->size && e->letter != 't' && e->letter != 'T'))
                return fail("no symbol contains this address", fmt::format("{:#x}", *addr));
            line(*e, *addr);
        }
        return {};
    }

};
KDIVE_REGISTER_COMMAND(SymCommand);

}  // namespace
}  // namespace kdive
