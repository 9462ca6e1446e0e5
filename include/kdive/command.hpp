// SPDX-License-Identifier: GPL-3.0-or-later
// Commands: each is a class in its own file under commands/ (or in a plugin .so), declaring
// what it is in one CommandSpec and writing its output through one Output object. They register
// themselves at start-up with KDIVE_REGISTER_COMMAND.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

// Where a command's output goes (the terminal, a pipe, a file).
class Output {
public:
    explicit Output(std::FILE* out) : out_(out) {}
    template <typename... Args>
    void print(fmt::format_string<Args...> f, Args&&... args) {
        fmt::print(out_, f, std::forward<Args>(args)...);
    }
    void write(std::string_view s) { std::fwrite(s.data(), 1, s.size(), out_); }
    std::FILE* stream() const { return out_; }

private:
    std::FILE* out_;
};

struct CommandSpec {
    std::string name;
    std::vector<std::string> aliases;
    std::string synopsis;     // "sys [-i]"
    std::string summary;      // one line, for `help`
    std::string description;  // the DESCRIPTION section of `help NAME`
};

class Command {
public:
    virtual ~Command() = default;
    virtual const CommandSpec& spec() const = 0;
    // args[0] is the command name as typed.
    virtual Result<void> run(Session& session, const std::vector<std::string>& args,
                             Output& out) = 0;
};

class CommandRegistry {
public:
    static CommandRegistry& global();

    void add(std::unique_ptr<Command> cmd);
    // By name or alias; nullptr if unknown.
    Command* find(std::string_view name) const;
    // Sorted by name.
    std::vector<Command*> all() const;

private:
    std::vector<std::unique_ptr<Command>> commands_;
};

template <typename C>
struct CommandRegistration {
    CommandRegistration() { CommandRegistry::global().add(std::make_unique<C>()); }
};

}  // namespace kdive

#define KDIVE_REGISTER_COMMAND(Class) \
    static const ::kdive::CommandRegistration<Class> kdive_registration_##Class
