// SPDX-License-Identifier: GPL-3.0-or-later
// set: the session's settings (radix, scroll, output) and crash's task context (`set PID`,
// `set -p`, `set -c CPU`): the task that task-dependent commands (task, bt, rd -u) use.
#include <algorithm>
#include <cctype>

#include "kdive/command.hpp"
#include "kdive/shell.hpp"
#include "kdive/tasks.hpp"

namespace kdive {
namespace {

class SetCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "set",
            .summary = "show or change settings (radix, scroll, output); the task context",
            .description =
                "Without arguments, shows the settings. With a setting's name, shows it; with a\n"
                "name and a value, changes it:\n"
                "  radix 16|10         how commands print plain numbers\n"
                "  scroll on|off       the pager for output longer than a screen (terminal only)\n"
                "  output text|json    text as crash prints it, or JSON lines (as --json)\n"
                "With a pid or task address (or -p: the panic task, -c CPU: the task CPU was\n"
                "running), that task becomes the current context and its header is shown.",
            .options = {{.short_name = "p", .help = "the panic task becomes the context", .group = "context"},
                        {.short_name = "c", .argument = "CPU",
                         .help = "the task running on CPU becomes the context",
                         .kind = ValueKind::Number, .group = "context"},
                        {.short_name = "v", .help = "show the settings (as without arguments)"}},
            .arguments = {{.name = "setting", .help = "radix, scroll or output; or a PID or task address",
                           .optional = true},
                          {.name = "value", .optional = true}},
            .examples = {{.text = "Print numbers in decimal:", .command = "set radix 10"},
                         {.text = "No pager:", .command = "set scroll off"}},
        };
        return s;
    }

    std::optional<std::vector<std::string>> complete(Session&, const std::vector<std::string>& words,
                                                     std::string_view) const override {
        if (words.size() == 1) return std::vector<std::string>{"radix", "scroll", "output", "-p", "-c", "-v"};
        if (words.size() == 2 && words[1] == "radix") return std::vector<std::string>{"10", "16"};
        if (words.size() == 2 && words[1] == "scroll") return std::vector<std::string>{"on", "off"};
        if (words.size() == 2 && words[1] == "output") return std::vector<std::string>{"text", "json"};
        return std::vector<std::string>{};
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        Shell* sh = args.shell();
        if (!sh) return fail("needs the shell");
        if (args.has("p") || args.has("c")) return set_context(session, args, out);
        Settings& st = sh->settings();
        const auto& pos = args.positionals();
        if (pos.empty() || args.has("v")) return show(st, out, {});
        const std::string& name = pos[0];
        if (name != "radix" && name != "scroll" && name != "output") {
            if (name.starts_with("0x") || (!name.empty() && std::all_of(name.begin(), name.end(), ::isxdigit)))
                return set_context(session, args, out);
            return fail("unknown setting (radix, scroll, output)", name);
        }
        if (pos.size() == 1) return show(st, out, name);
        const std::string& v = pos[1];
        if (name == "radix") {
            if (v == "16" || v == "hex") st.radix = 16;
            else if (v == "10" || v == "dec") st.radix = 10;
            else return fail("radix is 16 or 10", v);
        } else if (name == "scroll") {
            if (v == "on") st.scroll = true;
            else if (v == "off") st.scroll = false;
            else return fail("scroll is on or off", v);
        } else {
            if (v == "text") st.format = Output::Format::Text;
            else if (v == "json") st.format = Output::Format::Json;
            else return fail("output is text or json", v);
        }
        return {};
    }

private:
    static Result<void> set_context(Session& session, const Arguments& args, Output& out) {
        auto list = tasks(session);
        if (!list) return list.failure();
        const Task* t = nullptr;
        if (args.has("p")) {
            t = (*list)->panic_task();
            if (!t) return fail("no panic task in this dump");
        } else if (auto n = args.number("c")) {
            if (*n >= (*list)->active().size() || !(*list)->active()[*n])
                return fail("no active task known for this CPU", *args.value("c"));
            t = (*list)->active()[*n];
        } else {
            auto found = args.task(session, "setting");
            if (!found) return found.failure();
            t = *found;
        }
        session.set_context_task(t->address);
        out.print("{}\n", task_header(*t));
        return {};
    }

    static Result<void> show(const Settings& st, Output& out, std::string_view only) {
        Record r;
        if (only.empty() || only == "radix") r.field("radix", st.radix);
        if (only.empty() || only == "scroll") r.field("scroll", st.scroll ? "on" : "off");
        if (only.empty() || only == "output")
            r.field("output", st.format == Output::Format::Json ? "json" : "text");
        out.record(r);
        return {};
    }
};
KDIVE_REGISTER_COMMAND(SetCommand);

}  // namespace
}  // namespace kdive
