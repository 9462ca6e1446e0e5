// SPDX-License-Identifier: GPL-3.0-or-later
// ps: the dumped kernel's tasks, in crash's columns, every thread of every process (crash 8.0.2
// finds 4 of them on Debian's 6.1 kernel: it relies on a PID hash that kernel no longer has).
#include <algorithm>
#include <charconv>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "kdive/command.hpp"
#include "kdive/kernel_time.hpp"
#include "kdive/layout.hpp"
#include "kdive/task_usage.hpp"
#include "kdive/tasks.hpp"
#include "kdive/user_memory.hpp"

namespace kdive {
namespace {

// What ps -a needs of an mm_struct.
struct MemLayout {
    Field arg_start, arg_end, env_start, env_end;
};

Result<MemLayout> mem_layout(Session& s) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    MemLayout m;
    for (auto [f, path] : {std::pair{&m.arg_start, "arg_start"}, {&m.arg_end, "arg_end"},
                           {&m.env_start, "env_start"}, {&m.env_end, "env_end"}}) {
        auto r = field_of(**di, "struct mm_struct", path);
        if (!r) return r.failure();
        *f = *r;
    }
    return m;
}

std::string shown_comm(const Task& t) { return t.kernel_thread() ? "[" + t.comm + "]" : t.comm; }

// A scheduling policy by crash's name or number.
std::optional<std::uint32_t> policy_number(std::string_view name) {
    static const std::map<std::string, std::uint32_t, std::less<>> names = {
        {"NORMAL", 0}, {"FIFO", 1}, {"RR", 2}, {"BATCH", 3}, {"ISO", 4}, {"IDLE", 5}, {"DEADLINE", 6}};
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (auto it = names.find(upper); it != names.end()) return it->second;
    std::uint32_t n = 0;
    auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec == std::errc{} && p == name.data() + name.size()) return n;
    return std::nullopt;
}

std::string hms(std::uint64_t ns) {
    const std::uint64_t s = ns / 1'000'000'000;
    if (s >= 86400) return fmt::format("{} days, {:02}:{:02}:{:02}", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    return fmt::format("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

class PsCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "ps",
            .summary = "process status: every task of the dumped kernel",
            .description =
                "Lists every thread of every process, each CPU's idle task (swapper/N), and marks\n"
                "with '>' the task each CPU was running. Columns as crash's: PID, PPID, CPU, TASK\n"
                "(the task_struct), ST (RU running, IN interruptible, UN uninterruptible, ID idle,\n"
                "ZO zombie, ST stopped, TR traced, DE dead, WA waking, PA parked, NE new), %MEM,\n"
                "VSZ and RSS in KiB, COMM (kernel threads in brackets). Tasks are selected by pid,\n"
                "task address, command name, or a 'regex' in single quotes.",
            .options = {{.short_name = "k", .help = "kernel threads only"},
                        {.short_name = "u", .help = "user tasks only"},
                        {.short_name = "G", .help = "thread group leaders only"},
                        {.short_name = "A", .help = "only the task each CPU was running"},
                        {.short_name = "p", .help = "the parental chain of each task"},
                        {.short_name = "c", .help = "the children of each task"},
                        {.short_name = "t", .help = "run time, start time, user and system time"},
                        {.short_name = "l", .help = "last-run timestamp (ns), most recent first"},
                        {.short_name = "a", .help = "command-line arguments and environment from user memory"},
                        {.short_name = "s", .help = "the saved kernel stack pointer instead of TASK"},
                        {.short_name = "S", .help = "the number of tasks in each state"},
                        {.short_name = "y", .argument = "POLICY",
                         .help = "tasks of one scheduling policy (NORMAL FIFO RR BATCH IDLE DEADLINE or a number)"}},
            .arguments = {{.name = "pid|task|command", .optional = true, .repeated = true}},
            .examples = {{.text = "Every task:", .command = "ps"},
                         {.text = "The kd_ tasks by regex:", .command = "ps 'kd_.*'"},
                         {.text = "The children of init:", .command = "ps -c 1"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        auto list = tasks(session);
        if (!list) return list.failure();
        const TaskList& tl = **list;
        auto selected = select(session, tl, args);
        if (!selected) return selected.failure();
        if (args.has("S")) return summary(*selected, out);
        if (args.has("t")) return times(session, *selected, out);
        if (args.has("l")) return last_run(*selected, out);
        if (args.has("p")) return parents(tl, *selected, out);
        if (args.has("c")) return children(tl, *selected, out);
        if (args.has("a")) return arguments(session, *selected, out);
        if (auto r = table(session, tl, *selected, args.has("s"), out); !r) return r;
        // Said once, after the rows: what the walk had to read around.
        for (const Error& e : tl.problems()) out.print("ps: {}\n", e.message());
        if (tl.partial())
            out.print("ps: {} task{} read only in part: some of their task_struct is not in the dump\n",
                      tl.partial(), tl.partial() == 1 ? " was" : "s were");
        return {};
    }

private:
    Result<std::vector<const Task*>> select(Session& session, const TaskList& tl, const Arguments& args) {
        std::optional<std::uint32_t> policy;
        if (auto y = args.value("y")) {
            policy = policy_number(*y);
            if (!policy) return fail("unknown scheduling policy", std::string(*y));
        }
        auto keep = [&](const Task& t) {
            if (args.has("k") && !t.kernel_thread()) return false;
            if (args.has("u") && t.kernel_thread()) return false;
            if (args.has("G") && !t.group_leader_self() && !t.idle) return false;
            if (args.has("A") && !t.active) return false;
            if (policy && t.policy != *policy) return false;
            return true;
        };
        std::vector<const Task*> out;
        if (args.positionals().empty()) {
            for (const Task& t : tl.all())
                if (keep(t)) out.push_back(&t);
            return out;
        }
        for (const std::string& word : args.positionals()) {
            // crash takes 'regex' in quotes; the shell has removed them by now, so a word
            // that names no command and holds regex characters is one.
            const bool quoted = word.size() >= 2 && word.front() == '\'' && word.back() == '\'';
            const bool names_comm = std::any_of(tl.all().begin(), tl.all().end(),
                                                [&](const Task& t) { return t.comm == word; });
            if (quoted || (!names_comm && word.find_first_of(".*[]^$+?|\\(") != std::string::npos)) {
                std::regex re;
                try {
                    re = std::regex(quoted ? word.substr(1, word.size() - 2) : word, std::regex::extended);
                } catch (const std::regex_error& e) {
                    return fail(fmt::format("invalid regular expression ({})", e.what()), word);
                }
                for (const Task& t : tl.all())
                    if (keep(t) && std::regex_search(t.comm, re)) out.push_back(&t);
                continue;
            }
            const bool number = !word.empty() && std::isxdigit(static_cast<unsigned char>(word[0])) &&
                                std::all_of(word.begin(), word.end(), ::isxdigit);
            if (number || word.starts_with("0x")) {
                auto t = find_task(session, word);
                if (t) {
                    if (keep(**t)) out.push_back(*t);
                    continue;
                }
                if (std::all_of(word.begin(), word.end(), ::isdigit)) return t.failure();
            }
            bool any = false;
            for (const Task& t : tl.all())
                if (t.comm == word) {
                    any = true;
                    if (keep(t)) out.push_back(&t);
                }
            if (!any) return fail("invalid task, pid or command name", word);
        }
        return out;
    }

    Result<void> table(Session& session, const TaskList& tl, const std::vector<const Task*>& ts,
                       bool kstack, Output& out) {
        auto usage = memory_usage(session);
        if (!usage) return usage.failure();
        if (!out.json())
            out.write(kstack ? "      PID    PPID  CPU      KSTACKP      ST  %MEM      VSZ      RSS  COMM\n"
                             : "      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM\n");
        for (const Task* t : ts) {
            if (out.broken()) break;
            const TaskUsage u = (*usage)->of(*t);
            // What the dump could not give is shown as "-" (JSON: null), never as a made-up 0.
            const bool no_pid = t->unreadable & Task::kPid, no_cpu = t->unreadable & Task::kCpu,
                       no_state = t->unreadable & Task::kState, no_mm = t->unreadable & Task::kMm,
                       no_comm = t->unreadable & Task::kComm;
            const Task* parent = tl.parent_of(*t);
            const bool no_ppid = (t->unreadable & Task::kParent) || (parent && (parent->unreadable & Task::kPid));
            const auto cell = [&](bool unknown, auto v, std::string_view missing) {
                return unknown ? std::string(missing) : fmt::format("{}", v);
            };
            if (out.json()) {
                out.raw_json(fmt::format(
                    R"({{"pid":{},"ppid":{},"cpu":{},"task":"{:#x}","state":{},"active":{},"mem_percent":{},"vsz":{},"rss":{},"comm":{},"kernel_thread":{}}})",
                    cell(no_pid, t->pid, "null"), cell(no_ppid, t->ppid, "null"), cell(no_cpu, t->cpu, "null"),
                    t->address, no_state ? "null" : json_quote(t->state_name()), t->active,
                    cell(no_mm, fmt::format("{:.1f}", u.mem_percent), "null"), cell(no_mm, u.vsz_kb, "null"),
                    cell(no_mm, u.rss_kb, "null"), no_comm ? "null" : json_quote(t->comm),
                    no_mm ? "null" : (t->kernel_thread() ? "true" : "false")));
                continue;
            }
            // crash shows the saved stack pointer of a task that is not running, "--" otherwise.
            std::string where = fmt::format("{:016x}", t->address);
            if (kstack) where = t->active ? "       --       " : fmt::format("{:016x}", t->ksp);
            out.print("{}{:>8}{:>8}{:>4}  {}  {:<2}{:>6}{:>9}{:>9}  {}\n", t->active ? '>' : ' ',
                      cell(no_pid, t->pid, "-"), cell(no_ppid, t->ppid, "-"), cell(no_cpu, t->cpu, "-"), where,
                      no_state ? "-" : t->state_name(), cell(no_mm, fmt::format("{:.1f}", u.mem_percent), "-"),
                      cell(no_mm, u.vsz_kb, "-"), cell(no_mm, u.rss_kb, "-"), no_comm ? "-" : shown_comm(*t));
        }
        return {};
    }

    Result<void> summary(const std::vector<const Task*>& ts, Output& out) {
        std::map<std::string_view, unsigned> counts;
        for (const Task* t : ts) ++counts[t->state_name()];
        Record r;
        for (std::string_view st : {"RU", "IN", "UN", "ID", "ST", "TR", "ZO", "DE", "WA", "PA", "NE", "??"})
            if (counts[st]) r.field(fmt::format("  {}", st), std::uint64_t{counts[st]});
        if (out.json()) return out.record(r), Result<void>{};
        for (std::string_view st : {"RU", "IN", "UN", "ID", "ST", "TR", "ZO", "DE", "WA", "PA", "NE", "??"})
            if (counts[st]) out.print("  {}: {}\n", st, counts[st]);
        return {};
    }

    Result<void> times(Session& session, const std::vector<const Task*>& ts, Output& out) {
        // RUN TIME: uptime (from jiffies, as crash) less the task's start time.
        auto clock = kernel_clock(session);
        if (!clock) return clock.failure();
        const std::uint64_t now = clock->uptime_ns;
        for (const Task* t : ts) {
            if (out.broken()) break;
            out.print("{}\n    RUN TIME: {}\n  START TIME: {}\n       UTIME: {}\n       STIME: {}\n\n",
                      task_header(*t), hms(now > t->start_time ? now - t->start_time : 0), t->start_time,
                      t->utime, t->stime);
        }
        return {};
    }

    Result<void> last_run(std::vector<const Task*> ts, Output& out) {
        std::stable_sort(ts.begin(), ts.end(),
                         [](const Task* a, const Task* b) { return a->last_arrival > b->last_arrival; });
        for (const Task* t : ts) {
            if (out.broken()) break;
            out.print("[{:>11}] [{}]  {}\n", t->last_arrival, t->state_name(), task_header(*t));
        }
        return {};
    }

    Result<void> parents(const TaskList& tl, const std::vector<const Task*>& ts, Output& out) {
        for (const Task* t : ts) {
            std::vector<const Task*> chain{t};
            while (chain.size() < 4096) {
                const Task* p = tl.parent_of(*chain.back());
                if (!p || p == chain.back()) break;
                chain.push_back(p);
            }
            if (chain.back()->pid != 0) chain.push_back(&tl.all().front());  // swapper/0 tops it all
            std::string indent;
            for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
                out.print("{}{}\n", indent, task_header(**it));
                indent += ' ';
            }
            out.write("\n");
        }
        return {};
    }

    Result<void> children(const TaskList& tl, const std::vector<const Task*>& ts, Output& out) {
        for (const Task* t : ts) {
            out.print("{}\n", task_header(*t));
            bool any = false;
            for (const Task& c : tl.all())
                if (c.parent == t->address && c.address != t->address && c.group_leader_self() && !c.idle) {
                    out.print("  {}\n", task_header(c));
                    any = true;
                }
            if (!any) out.write("  (no children)\n");
            out.write("\n");
        }
        return {};
    }

    Result<void> arguments(Session& session, const std::vector<const Task*>& ts, Output& out) {
        auto mem = mem_layout(session);
        if (!mem) return mem.failure();
        for (const Task* t : ts) {
            out.print("{}\n", task_header(*t));
            if (!t->mm) {
                out.write("(kernel thread)\n\n");
                continue;
            }
            auto area = [&](const Field& start, const Field& end, std::string_view label) {
                auto a = session.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, t->mm + start.offset);
                auto b = session.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, t->mm + end.offset);
                if (!a || !b || *b < *a || *b - *a > (1u << 20)) {
                    out.print("{}: (unavailable)\n", label);
                    return;
                }
                std::vector<std::byte> bytes(*b - *a);
                if (auto r = read_user(session, *t, *a, bytes); !r) {
                    out.print("{}: ({})\n", label, r.error().message());
                    return;
                }
                // NUL-separated strings: crash prints argv on one line, the environment one per line.
                std::vector<std::string> words;
                std::string cur;
                for (std::byte c : bytes) {
                    if (c == std::byte{0}) {
                        if (!cur.empty()) words.push_back(std::move(cur));
                        cur.clear();
                    } else {
                        cur += static_cast<char>(c);
                    }
                }
                if (!cur.empty()) words.push_back(std::move(cur));
                if (label == "ARG") {
                    std::string line;
                    for (const auto& w : words) line += (line.empty() ? "" : " ") + w;
                    out.print("ARG: {}\n", line);
                } else {
                    for (std::size_t i = 0; i < words.size(); ++i)
                        out.print("{}{}\n", i ? "     " : "ENV: ", words[i]);
                    if (words.empty()) out.write("ENV:\n");
                }
            };
            area(mem->arg_start, mem->arg_end, "ARG");
            area(mem->env_start, mem->env_end, "ENV");
            out.write("\n");
        }
        return {};
    }
};
KDIVE_REGISTER_COMMAND(PsCommand);

}  // namespace
}  // namespace kdive
