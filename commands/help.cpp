// SPDX-License-Identifier: GPL-3.0-or-later
// help: the command list, or one command's page in crash's NAME/SYNOPSIS/DESCRIPTION layout.
#include "kdive/command.hpp"

namespace kdive {
namespace {

class HelpCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{"help", {"h"}, "help [command]", "list commands, or show one's help",
                                   "Without an argument, lists every command with a one-line\n"
                                   "summary. With a command name, shows that command's help."};
        return s;
    }

    Result<void> run(Session&, const std::vector<std::string>& args, Output& out) override {
        auto& reg = CommandRegistry::global();
        if (args.size() < 2) {
            for (Command* c : reg.all()) out.print("{:<10} {}\n", c->spec().name, c->spec().summary);
            out.print("{:<10} {}\n", "q", "leave kdive (also: quit, exit)");
            return {};
        }
        Command* c = reg.find(args[1]);
        if (!c) return fail("no such command", args[1]);
        const CommandSpec& s = c->spec();
        out.print("NAME\n  {} - {}\n\nSYNOPSIS\n  {}\n\nDESCRIPTION\n", s.name, s.summary, s.synopsis);
        std::string_view d = s.description;
        while (!d.empty()) {
            auto nl = d.find('\n');
            out.print("  {}\n", d.substr(0, nl));
            d = nl == std::string_view::npos ? std::string_view{} : d.substr(nl + 1);
        }
        return {};
    }
};
KDIVE_REGISTER_COMMAND(HelpCommand);

}  // namespace
}  // namespace kdive
