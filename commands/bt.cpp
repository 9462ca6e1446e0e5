// SPDX-License-Identifier: GPL-3.0-or-later
// bt: a task's kernel stack trace in crash's layout, with drgn's exact frames (ORC unwinding
// from the saved registers or the switch frame; no stack scanning, so no stale frames).
#include <charconv>
#include <set>

#include <fmt/format.h>

#include "kdive/backtrace_format.hpp"
#include "kdive/command.hpp"
#include "kdive/interrupt.hpp"
#include "kdive/tasks.hpp"
#include "kdive/unwind.hpp"

namespace kdive {
namespace {

// "1", "0,2", "0-3", "all" for -c.
Result<std::set<int>> parse_cpus(std::string_view s, int ncpus) {
    std::set<int> out;
    if (s == "all" || s == "a") {
        for (int c = 0; c < ncpus; ++c) out.insert(c);
        return out;
    }
    while (!s.empty()) {
        const auto comma = s.find(',');
        const std::string_view part = s.substr(0, comma);
        s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
        const auto dash = part.find('-');
        auto num = [](std::string_view t) -> std::optional<int> {
            int v = 0;
            auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
            if (ec != std::errc{} || p != t.data() + t.size() || v < 0) return std::nullopt;
            return v;
        };
        auto lo = num(part.substr(0, dash));
        auto hi = dash == std::string_view::npos ? lo : num(part.substr(dash + 1));
        if (!lo || !hi || *hi < *lo) return fail("not a CPU list (N, N-M, N,M or all)", std::string(part));
        for (int c = *lo; c <= *hi; ++c) out.insert(c);
    }
    return out;
}

class BtCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "bt",
            .summary = "backtrace of a task's kernel stack",
            .description =
                "Shows the kernel stack of a task (default: the current context, the panic task)\n"
                "as crash does: for each frame the stack address its return address was read\n"
                "from, the function and the address in it; after an exception, interrupt or\n"
                "system call entry the registers saved there; '--- <IRQ stack> ---' where the\n"
                "trace leaves another stack. Frames are found with the kernel's ORC unwind tables\n"
                "(the vmlinux's and each module's in the dump; the vmlinux's .debug_frame where\n"
                "ORC has none), starting from the registers the\n"
                "dump saved for a task that was running, or from the switch frame of one that was\n"
                "not: every frame is a real call, as in drgn, never a stale return address found\n"
                "by scanning the stack. A task or a stack that cannot be unwound gives one error\n"
                "line, or the frames found and a note saying why the trace stops.\n\n"
                "With -I (also with -l) code the compiler inlined gets frames of its own, as in\n"
                "drgn: one per inlined call the pc is in, innermost first, before the frame of\n"
                "the function it is in, with the same stack address and pc, marked '(inline)'.\n"
                "Frame numbers count them; their source lines (-l) are the call sites.",
            .options = {{.short_name = "a", .help = "the active task of every CPU"},
                        {.short_name = "c", .argument = "CPU", .help = "the active task of CPU (N, N-M, N,M, all)"},
                        {.short_name = "f", .help = "show each frame's stack words"},
                        {.short_name = "F", .help = "show each frame's stack words, symbols by name"},
                        {.short_name = "s", .help = "show function+offset"},
                        {.short_name = "r", .help = "the raw kernel stack, symbolically"},
                        {.short_name = "l", .help = "show source files and lines, and inline frames (vmlinux code)"},
                        {.short_name = "I", .help = "show a frame for each inlined call, as drgn does"}},
            .arguments = {{.name = "pid|task", .help = "a pid or a task_struct address (hex)",
                           .optional = true, .repeated = true}},
            .examples = {{.text = "The panic task:", .command = "bt",
                          .output = "PID: 144      TASK: ff46826a441ea100  CPU: 0    COMMAND: \"sh\"\n"
                                    " #0 [ff796c0ec04fbbb0] __crash_kexec at ffffffff9bd741ba\n"
                                    " #1 [ff796c0ec04fbc68] panic at ffffffff9c601ded\n"
                                    " ..."},
                         {.text = "A task by pid, with offsets:", .command = "bt -s 122"},
                         {.text = "Every CPU's running task:", .command = "bt -a"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        BacktraceFormat format;
        format.symbol_offsets = args.has("s");
        format.frame_words = args.has("f");
        format.frame_symbols = args.has("F");
        format.line_numbers = args.has("l");
        format.inline_frames = args.has("I");
        const bool raw = args.has("r");

        std::vector<const Task*> which;
        if (args.has("a") || args.has("c")) {
            auto list = tasks(session);
            if (!list) return list.failure();
            const auto& active = (*list)->active();
            std::set<int> cpus;
            if (args.has("c")) {
                auto c = parse_cpus(*args.value("c"), static_cast<int>(active.size()));
                if (!c) return c.failure();
                cpus = *c;
            } else {
                for (int c = 0; c < static_cast<int>(active.size()); ++c) cpus.insert(c);
            }
            for (int c : cpus) {
                if (c >= static_cast<int>(active.size()) || !active[c])
                    return fail("no active task known for this CPU", fmt::format("CPU {}", c));
                which.push_back(active[c]);
            }
        }
        for (const auto& word : args.positionals()) {
            auto t = find_task(session, word);
            if (!t) return t.failure();
            which.push_back(*t);
        }
        if (which.empty()) {
            auto t = context_task(session);
            if (!t) return t.failure();
            which.push_back(*t);
        }
        for (std::size_t i = 0; i < which.size(); ++i) {
            if (auto r = check_interrupted(); !r) return r;
            if (i > 0) out.print("\n");
            auto r = raw ? print_raw_stack(session, *which[i], out)
                         : print_backtrace(session, *which[i], format, out);
            // With several tasks one that cannot be unwound does not hide the others.
            if (!r && which.size() == 1) return r;
            if (!r) out.print("bt: {}\n", r.error().message());
        }
        return {};
    }
};
KDIVE_REGISTER_COMMAND(BtCommand);

}  // namespace
}  // namespace kdive
