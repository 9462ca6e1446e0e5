// SPDX-License-Identifier: GPL-3.0-or-later
// task: a task's task_struct (crash's `task`), the context task's by default.
#include <fmt/format.h>

#include "kdive/command.hpp"
#include "kdive/shell.hpp"
#include "kdive/tasks.hpp"

namespace kdive {
namespace {

class TaskCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "task",
            .summary = "a task's task_struct",
            .description =
                "Shows the task_struct of each task named (a pid or a task address), or of the\n"
                "current context (the panic task unless `set` chose another), after crash's\n"
                "one-line task header. On kernels with THREAD_INFO_IN_TASK the thread_info is\n"
                "its first member. -R limits the output to some members (nested: se.vruntime).",
            .options = with_radix_options({{.short_name = "R", .argument = "member[,member...]",
                                            .help = "only these members"}}),
            .arguments = {{.name = "pid|task", .kind = ValueKind::Task, .optional = true, .repeated = true}},
            .examples = {{.text = "The panic task's pid and command:", .command = "task -R pid,comm"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        Shell* sh = args.shell();
        if (!sh) return fail("needs the shell");
        auto named = args.tasks(session, "pid|task");
        if (!named) return named.failure();
        std::vector<const Task*> chosen = std::move(*named);
        if (chosen.empty()) {
            auto t = context_task(session);
            if (!t) return t.failure();
            chosen.push_back(*t);
        }
        for (const Task* t : chosen) {
            if (out.broken()) break;
            if (!out.json()) out.print("{}\n", task_header(*t));
            std::vector<std::string> words{"struct"};
            if (args.has("x")) words.push_back("-x");
            if (args.has("d")) words.push_back("-d");
            auto members = args.value("R");
            words.push_back(members ? "task_struct." + *members : "task_struct");
            words.push_back(fmt::format("{:#x}", t->address));
            if (auto r = sh->execute(words, out); !r) return r;
            if (!out.json() && chosen.size() > 1) out.write("\n");
        }
        return {};
    }
};
KDIVE_REGISTER_COMMAND(TaskCommand);

}  // namespace
}  // namespace kdive
