// SPDX-License-Identifier: GPL-3.0-or-later
// repeat: run a command again and again until Ctrl-C, as crash's.
#include "kdive/command.hpp"
#include "kdive/interrupt.hpp"
#include "kdive/shell.hpp"

#include <time.h>

namespace kdive {
namespace {

// Sleeps in slices so Ctrl-C ends the wait at once.
void pause_seconds(unsigned long seconds) {
    for (unsigned long ms = seconds * 1000; ms > 0 && !interrupted();) {
        unsigned long slice = ms < 100 ? ms : 100;
        timespec ts{0, static_cast<long>(slice) * 1000000L};
        nanosleep(&ts, nullptr);
        ms -= slice;
    }
}

class RepeatCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "repeat",
            .summary = "repeat a command",
            .description =
                "Repeats a command until Ctrl-C (or until the reader of a pipe goes away),\n"
                "optionally waiting a number of seconds between runs. Options must come before\n"
                "the command; everything after its name is the command's own. Meant for live\n"
                "kernels; on a dump, --count makes it useful in scripts.",
            .options = {{.long_name = "seconds", .argument = "seconds",
                         .help = "seconds to wait between runs (crash's -seconds)", .number = true},
                        {.long_name = "count", .argument = "N", .help = "stop after N runs (a kdive extension)",
                         .kind = ValueKind::Number}},
            .arguments = {{.name = "command", .help = "the command line to repeat", .kind = ValueKind::Command,
                           .repeated = true}},
            .examples = {{.text = "The system data once a second, until Ctrl-C:", .command = "repeat -1 sys"},
                         {.text = "Three times, no wait:", .command = "repeat --count 3 sys"}},
            .options_first = true,
        };
        return s;
    }

    Result<void> run(Session&, const Arguments& args, Output& out) override {
        Shell* sh = args.shell();
        if (!sh) return fail("needs the shell");
        const std::uint64_t seconds = args.number("seconds").value_or(0);
        const std::optional<std::uint64_t> count = args.number("count");
        if (count == 0u) return {};
        for (std::uint64_t i = 0; !count || i < *count; ++i) {
            if (i > 0 && seconds > 0) pause_seconds(seconds);
            if (interrupted()) return {};  // Ctrl-C is how a repeat ends
            auto r = sh->execute(args.positionals(), out);
            if (interrupted()) return {};
            if (!r) return r;
        }
        return {};
    }
};
KDIVE_REGISTER_COMMAND(RepeatCommand);

}  // namespace
}  // namespace kdive
