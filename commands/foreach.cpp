// SPDX-License-Identifier: GPL-3.0-or-later
// foreach: run a task command (bt, task, ps, ...) for every task a selection names.
#include <algorithm>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "kdive/command.hpp"
#include "kdive/interrupt.hpp"
#include "kdive/shell.hpp"
#include "kdive/tasks.hpp"

namespace kdive {
namespace {

const std::set<std::string_view> kStates = {"RU", "IN", "UN", "ID", "ST", "TR", "ZO", "DE", "WA", "PA", "NE"};

// Commands that take a task argument themselves; others run with the task as the context.
const std::set<std::string_view> kTaskArgument = {"bt", "task", "ps"};

class ForeachCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "foreach",
            .summary = "run a command for each of a set of tasks",
            .description =
                "Runs COMMAND (with its options) once per selected task, as crash's foreach. The\n"
                "selection, before the command, is any mix of pids, task addresses, command\n"
                "names, 'regex' (the command name), states (RU IN UN ID ST TR ZO DE WA PA NE),\n"
                "`kernel' (kernel threads), `user', `gleader' (thread group leaders) and\n"
                "`active' (each CPU's running task); none selects every task. bt, task and ps\n"
                "take the task as their argument; any other command runs with the task as the\n"
                "current context (see `set'), after its task header.",
            .arguments = {{.name = "selection ... command [options]", .repeated = true}},
            .examples = {{.text = "Every task's stack:", .command = "foreach bt"},
                         {.text = "Stacks of tasks in uninterruptible sleep:", .command = "foreach UN bt"},
                         {.text = "The pid and command of kd_ tasks:", .command = "foreach 'kd_.*' task -R pid,comm"}},
            .options_first = true,
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        Shell* sh = args.shell();
        if (!sh) return fail("needs the shell");
        auto list = tasks(session);
        if (!list) return list.failure();
        const auto& words = args.positionals();
        // The command is the first word that names one (pids and states never do).
        std::size_t c = 0;
        while (c < words.size() && !is_command(words[c])) ++c;
        if (c == words.size()) return fail("no command given (foreach [selection] COMMAND ...)");
        auto chosen = select(session, **list, {words.begin(), words.begin() + static_cast<long>(c)});
        if (!chosen) return chosen.failure();

        const std::uint64_t saved_context = session.context_task();
        for (const Task* t : *chosen) {
            if (out.broken() || interrupted()) break;
            std::vector<std::string> cmd(words.begin() + static_cast<long>(c), words.end());
            if (kTaskArgument.contains(cmd[0])) {
                cmd.push_back(fmt::format("{:#x}", t->address));
            } else {
                out.print("{}\n", task_header(*t));
                session.set_context_task(t->address);
            }
            auto r = sh->execute(cmd, out);
            if (!r) {
                // A task whose command fails (an unreadable stack) does not stop the others.
                out.print("{}: {}\n", t->pid, r.error().message());
            }
            if (!out.json() && cmd[0] != "ps") out.write("\n");
        }
        session.set_context_task(saved_context);
        return {};
    }

private:
    static bool is_command(const std::string& w) {
        if (kStates.contains(w) || w == "kernel" || w == "user" || w == "gleader" || w == "active") return false;
        return CommandRegistry::global().find(w) != nullptr;
    }

    Result<std::vector<const Task*>> select(Session& session, const TaskList& tl,
                                            const std::vector<std::string>& sel) {
        std::vector<const Task*> out;
        if (sel.empty()) {
            for (const Task& t : tl.all()) out.push_back(&t);
            return out;
        }
        std::set<const Task*> chosen;
        for (const std::string& w : sel) {
            std::function<bool(const Task&)> match;
            if (kStates.contains(w)) {
                match = [w](const Task& t) { return t.state_name() == w; };
            } else if (w == "kernel") {
                match = [](const Task& t) { return t.kernel_thread(); };
            } else if (w == "user") {
                match = [](const Task& t) { return !t.kernel_thread(); };
            } else if (w == "gleader") {
                match = [](const Task& t) { return t.group_leader_self() && !t.kernel_thread(); };
            } else if (w == "active") {
                match = [](const Task& t) { return t.active; };
            } else if (auto t = find_task(session, w); t) {
                chosen.insert(*t);
                continue;
            } else {
                const bool names_comm = std::any_of(tl.all().begin(), tl.all().end(),
                                                    [&](const Task& t) { return t.comm == w; });
                if (names_comm) {
                    match = [w](const Task& t) { return t.comm == w; };
                } else if (w.find_first_of(".*[]^$+?|\\(") != std::string::npos) {
                    std::regex re;
                    try {
                        re = std::regex(w, std::regex::extended);
                    } catch (const std::regex_error& e) {
                        return fail(fmt::format("invalid regular expression ({})", e.what()), w);
                    }
                    match = [re](const Task& t) { return std::regex_search(t.comm, re); };
                } else {
                    return fail("invalid task, pid, command or state", w);
                }
            }
            for (const Task& t : tl.all())
                if (match(t)) chosen.insert(&t);
        }
        // In the task list's order (by pid), whatever order the selection came in.
        for (const Task& t : tl.all())
            if (chosen.contains(&t)) out.push_back(&t);
        return out;
    }
};
KDIVE_REGISTER_COMMAND(ForeachCommand);

}  // namespace
}  // namespace kdive
