// SPDX-License-Identifier: GPL-3.0-or-later
// help: the command list, or one command's page in crash's NAME/SYNOPSIS/DESCRIPTION layout,
// generated from its CommandSpec.
#include <fmt/ranges.h>

#include "kdive/command.hpp"
#include "kdive/shell.hpp"

namespace kdive {
namespace {

class HelpCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "help",
            .aliases = {"h"},
            .summary = "list commands, or show one's help",
            .description = "Without an argument, lists every command with a one-line summary.\n"
                           "With a command name (or an alias), shows that command's help page:\n"
                           "the same text as the kdive(1) man page, made from the same table.",
            .arguments = {{.name = "command", .help = "a command or alias", .kind = ValueKind::Command,
                           .optional = true}},
            .examples = {{.text = "Show how to use repeat:", .command = "help repeat"}},
        };
        return s;
    }

    Result<void> run(Session&, const Arguments& args, Output& out) override {
        auto& reg = CommandRegistry::global();
        if (args.positionals().empty()) {
            out.begin_table({{"command", "COMMAND", 10, true}, {"summary", "SUMMARY", 0, true}});
            for (Command* c : reg.all()) out.row({c->spec().name, c->spec().summary});
            return {};
        }
        const std::string& name = args.positionals()[0];
        Command* c = reg.find(name);
        if (!c) {
            Shell* sh = args.shell();
            if (sh) {
                if (auto a = sh->aliases().find(name); a != sh->aliases().end()) {
                    out.print("{} is an alias for \"{}\"\n", name, a->second);
                    return {};
                }
            }
            return fail("no such command", name);
        }
        const CommandSpec& s = c->spec();
        if (!out.json()) {
            out.write(help_page(s));
            return {};
        }
        Record r;
        r.field("name", s.name).field("aliases", fmt::format("{}", fmt::join(s.aliases, " "))).field("summary", s.summary);
        r.field("synopsis", synopsis(s)).field("description", s.description);
        out.record(r);
        return {};
    }
};
KDIVE_REGISTER_COMMAND(HelpCommand);

}  // namespace
}  // namespace kdive
