// SPDX-License-Identifier: GPL-3.0-or-later
// extend: load and unload plugins (shared objects built against include/kdive), as crash's.
#include <fmt/ranges.h>

#include "kdive/command.hpp"
#include "kdive/shell.hpp"

namespace kdive {
namespace {

class ExtendCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "extend",
            .summary = "load or unload plugins",
            .description =
                "Loads each shared object: a kdive plugin built against include/kdive (see\n"
                "examples/ and kdive/plugin.hpp), whose commands become available at once.\n"
                "With -u, unloads them (all plugins when no file is named): their commands go\n"
                "away first. Without arguments, lists the loaded plugins and their commands.",
            .options = {{.short_name = "u", .help = "unload"}},
            .arguments = {{.name = "shared-object", .help = "a plugin's .so file", .kind = ValueKind::File,
                           .optional = true, .repeated = true}},
            .examples = {{.text = "Load the example plugin:",
                          .command = "extend ./libkdive_uts.so",
                          .output = "/path/to/libkdive_uts.so: shared object loaded (uts)"}},
        };
        return s;
    }

    Result<void> run(Session&, const Arguments& args, Output& out) override {
        Shell* sh = args.shell();
        if (!sh) return fail("needs the shell");
        std::vector<std::string> files = args.positionals();
        if (args.has("u") && files.empty())
            for (const auto& p : sh->plugins()) files.push_back(p.path);
        if (files.empty()) {
            out.begin_table({{"plugin", "SHARED OBJECT", 40, true}, {"commands", "COMMANDS", 0, true}});
            for (const auto& p : sh->plugins()) out.row({p.path, fmt::format("{}", fmt::join(p.commands, " "))});
            return {};
        }
        for (const auto& f : files) {
            auto r = args.has("u") ? sh->unload_plugin(f) : sh->load_plugin(f);
            if (!r) return r.failure();
            Record rec;
            rec.field("shared object", r->path,
                      fmt::format("{}: shared object {} ({})", r->path, args.has("u") ? "unloaded" : "loaded",
                                  fmt::format("{}", fmt::join(r->commands, " "))));
            rec.json_only("action", args.has("u") ? "unloaded" : "loaded");
            rec.json_only("commands", fmt::format("{}", fmt::join(r->commands, " ")));
            out_line(out, rec);
        }
        return {};
    }

private:
    // One line per plugin in text ("PATH: shared object loaded (cmds)"), a record in JSON.
    static void out_line(Output& out, const Record& rec) {
        if (out.json()) out.record(rec);
        else out.print("{}\n", rec.fields().front().text);
    }
};
KDIVE_REGISTER_COMMAND(ExtendCommand);

}  // namespace
}  // namespace kdive
