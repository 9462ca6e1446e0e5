// SPDX-License-Identifier: GPL-3.0-or-later
// q: leave kdive (Ctrl-D at the prompt does too).
#include "kdive/command.hpp"
#include "kdive/shell.hpp"

namespace kdive {
namespace {

class QuitCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "q",
            .aliases = {"quit", "exit"},
            .summary = "leave kdive",
            .description = "Ends the session after this line (Ctrl-D at the prompt does too). In a\n"
                           "batch file, the lines after it are not run.",
        };
        return s;
    }

    Result<void> run(Session&, const Arguments& args, Output&) override {
        if (!args.shell()) return fail("needs the shell");
        args.shell()->quit();
        return {};
    }
};
KDIVE_REGISTER_COMMAND(QuitCommand);

}  // namespace
}  // namespace kdive
