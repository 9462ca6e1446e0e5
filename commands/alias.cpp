// SPDX-License-Identifier: GPL-3.0-or-later
// alias: a name that stands for the start of a command line, as crash's.
#include "kdive/command.hpp"
#include "kdive/shell.hpp"

namespace kdive {
namespace {

// Words back into text the line parser reads as the same words.
std::string as_line(const std::vector<std::string>& words) {
    std::string s;
    for (const auto& w : words) {
        if (!s.empty()) s += ' ';
        const bool plain = !w.empty() && w.find_first_of(" \t\"'#|>") == std::string::npos;
        s += plain ? w : (w.find('"') == std::string::npos ? '"' + w + '"' : '\'' + w + '\'');
    }
    return s;
}

class AliasCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "alias",
            .summary = "command aliases",
            .description =
                "Creates an alias: when NAME starts a command line it is replaced by the command\n"
                "string, and the rest of the line follows it. The command string may hold a\n"
                "pipe or a redirection when quoted. Without arguments, lists every alias, the\n"
                "built-in ones (a command's other names) and the user's; with a NAME only, shows\n"
                "that alias. An alias cannot take a command's name.",
            .options = {{.short_name = "d", .help = "delete the alias NAME"}},
            .arguments = {{.name = "name", .help = "the alias", .optional = true},
                          {.name = "command", .help = "what it stands for; quote it to keep | and >",
                           .kind = ValueKind::Command, .optional = true, .repeated = true}},
            .examples = {{.text = "Make `rel' print the release line of sys:",
                          .command = "alias rel \"sys | grep RELEASE\"",
                          .output = ""},
                         {.text = "Then:", .command = "rel", .output = "     RELEASE: 6.1.0-56-amd64"}},
        };
        return s;
    }

    Result<void> run(Session&, const Arguments& args, Output& out) override {
        Shell* sh = args.shell();
        if (!sh) return fail("needs the shell");
        const auto& pos = args.positionals();
        if (args.has("d")) {
            if (pos.size() != 1) return fail("-d takes one alias name");
            return sh->remove_alias(pos[0]);
        }
        if (pos.empty()) {
            out.begin_table({{"origin", "ORIGIN", 8, true}, {"alias", "ALIAS", 10, true},
                             {"command", "COMMAND", 0, true}});
            for (Command* c : CommandRegistry::global().all())
                for (const auto& a : c->spec().aliases) out.row({"builtin", a, c->spec().name});
            for (const auto& [name, text] : sh->aliases()) out.row({"user", name, text});
            return {};
        }
        if (pos.size() == 1) {
            auto it = sh->aliases().find(pos[0]);
            if (it == sh->aliases().end()) return fail("no such alias", pos[0]);
            out.begin_table({{"alias", "ALIAS", 10, true}, {"command", "COMMAND", 0, true}});
            out.row({it->first, it->second});
            return {};
        }
        // One word is the command string as quoted; several are joined back into one.
        std::vector<std::string> rest(pos.begin() + 1, pos.end());
        return sh->set_alias(pos[0], rest.size() == 1 ? rest[0] : as_line(rest));
    }
};
KDIVE_REGISTER_COMMAND(AliasCommand);

}  // namespace
}  // namespace kdive
