// SPDX-License-Identifier: GPL-3.0-or-later
// Commands: each is a class in its own file under commands/ (or in a plugin .so) that declares
// what it is in one CommandSpec — name, aliases, summary, description, its options and
// positional arguments, examples — and writes through one Output. From that one table the shell
// parses the command line (before run() is called), prints `help NAME`, writes the man page and
// completes options at the prompt (LLDB's option tables, drgn's argument declarations).
// Commands register themselves at start-up with KDIVE_REGISTER_COMMAND.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kdive/output.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

class Shell;
struct Task;  // kdive/tasks.hpp

// What a value (an option's or a positional's) is. Numbers are parsed by Arguments::parse, so a
// malformed one fails before run() ("option '-c' needs a number, not 'x1'"); values that need the
// session (a symbol's address, a task) are read by Arguments::address() and ::task() at run time.
// The kind also drives completion at the prompt.
enum class ValueKind {
    None,     // free text: no completion
    Number,   // unsigned, decimal or 0x hex: Arguments::number()
    Integer,  // like Number, with an optional '-' (struct's negative count): Arguments::integer()
    Hex,      // crash's hex-by-default number, 0x optional (ptov, search -m): Arguments::number()
    Symbol,   // a vmlinux symbol
    Address,  // hex, a symbol, symbol+offset or an expression: Arguments::address()
    Task,     // a PID or a task_struct address: Arguments::task()
    Type,     // a C type name ("struct task_struct"): completed once the DWARF engine registers it
    Member,   // TYPE.member ("task_struct.comm"): likewise
    File,     // a file name
    Command,  // a kdive command name
};

struct OptionSpec {
    std::string short_name = {};  // "i" for -i; crash has multi-character ones: "64" for -64
    std::string long_name = {};   // "input" for --input (also --input=VALUE)
    std::string argument = {};    // the value's name in help, "FILE"; empty: a flag
    std::string help = {};
    ValueKind kind = ValueKind::None;
    // `-N` for any decimal N (crash's `repeat -seconds`): the value is N, `argument` names it.
    bool number = false;
    // Options with the same group are mutually exclusive: parsing rejects two of them with one
    // line ("-x and -d are mutually exclusive") and the synopsis shows them as [-x | -d].
    std::string group = {};

    // How options are looked up in Arguments: the long name, else the short one.
    const std::string& id() const { return long_name.empty() ? short_name : long_name; }
};

struct ArgumentSpec {
    std::string name;  // "command"; SYNOPSIS shows it as is
    std::string help = {};
    ValueKind kind = ValueKind::None;
    bool optional = false;
    bool repeated = false;  // takes every remaining word (last argument only)
};

struct Example {
    std::string text;           // what it shows: "Display the system data:"
    std::string command;        // "sys"
    std::string output = {};    // what it printed, verbatim
};

struct CommandSpec {
    std::string name;
    std::vector<std::string> aliases = {};
    std::string synopsis = {};     // empty: generated from options and arguments
    std::string summary = {};      // one line, for `help` and NAME
    std::string description = {};  // DESCRIPTION paragraphs ('\n' ends lines)
    std::vector<OptionSpec> options = {};
    std::vector<ArgumentSpec> arguments = {};
    std::vector<Example> examples = {};
    // Options only before the first positional: the rest is another command line (repeat).
    bool options_first = false;
};

// crash's -x / -d where they choose how integers print (p, struct, union, task, list, bpf):
// declared once so they mean the same everywhere, read by Arguments::radix(). Commands whose
// -x/-d mean something else in crash (rd: no ASCII column, signed decimal) declare their own.
inline constexpr std::string_view kRadixGroup = "radix";
std::vector<OptionSpec> with_radix_options(std::vector<OptionSpec> options);

// The SYNOPSIS line: spec.synopsis, or generated ("repeat [-seconds] [--count N] command ...").
std::string synopsis(const CommandSpec& spec);
// `help NAME`: crash's NAME / SYNOPSIS / DESCRIPTION / OPTIONS / EXAMPLES page.
std::string help_page(const CommandSpec& spec);

// A command line parsed against its CommandSpec.
class Arguments {
public:
    // words[0] is the command name as typed. Fails with one line: "unknown option '-q'",
    // "option '-i' needs an argument (FILE)", "unexpected argument 'x'", "missing COMMAND".
    // Typed values (Number, Integer, Hex) are checked and converted here: "option '-c' needs a
    // number, not 'x1'"; and option groups: "-x and -d are mutually exclusive".
    static Result<Arguments> parse(const CommandSpec& spec, std::vector<std::string> words,
                                   Shell* shell = nullptr);
    // The same parse of the words before the cursor, for completion: no missing-argument check,
    // and the last option may still wait for its value (pending()).
    static Result<Arguments> parse_prefix(const CommandSpec& spec, std::vector<std::string> words);

    const std::string& name() const { return words_.front(); }
    const std::vector<std::string>& words() const { return words_; }  // as typed
    // Options by id (long name, else short name); either name is accepted. has(), value() and
    // the typed accessors also take a positional's ArgumentSpec name ("address", "count").
    bool has(std::string_view option) const;
    // The option's (or positional's) last value, if given.
    std::optional<std::string> value(std::string_view option) const;
    // Every value of a repeatable option (or repeated positional), in order.
    std::vector<std::string> values(std::string_view option) const;

    // Typed values, converted by parse(): nullopt when not given (or not a numeric kind).
    std::optional<std::uint64_t> number(std::string_view name) const;
    std::optional<std::int64_t> integer(std::string_view name) const;
    std::vector<std::uint64_t> numbers(std::string_view name) const;
    // 16 for the radix group's -x, 10 for its -d, else `fallback` (the `set radix` default).
    unsigned radix(unsigned fallback) const;
    // Values that need the session, resolved when asked (the last one given): parse_address()
    // and find_task() of the value. Fails with "missing NAME" when it was not given.
    Result<std::uint64_t> address(Session& session, std::string_view name) const;
    Result<const Task*> task(Session& session, std::string_view name) const;
    // Every value of a repeated positional as a task, in order (none given: empty).
    Result<std::vector<const Task*>> tasks(Session& session, std::string_view name) const;

    // parse_prefix(): the option whose value is the next word, else null; whether `--` (or
    // options_first) ended the options; where the first positional is in words().
    const OptionSpec* pending() const { return pending_; }
    bool options_done() const { return options_done_; }
    std::optional<std::size_t> first_positional() const { return first_positional_; }
    const std::vector<std::string>& positionals() const { return positionals_; }
    // The positionals joined by blanks: an expression the shell split into words.
    std::string joined() const;
    // The shell running the command (aliases, settings, running another command); null when
    // the words were parsed outside a shell (start-up options, tests).
    Shell* shell() const { return shell_; }

private:
    // A value as given, with its number when its kind is numeric.
    struct Given {
        std::string id;  // the option's id, or the positional's ArgumentSpec name
        std::string value;
        std::optional<std::uint64_t> number = {};
    };
    Arguments() = default;
    static Result<Arguments> parse_words(const CommandSpec& spec, std::vector<std::string> words,
                                         Shell* shell, bool prefix);
    const OptionSpec* find(std::string_view option) const;
    // The given values of an option id or positional name, in order.
    std::vector<const Given*> given(std::string_view name) const;

    const CommandSpec* spec_ = nullptr;
    std::vector<std::string> words_;
    std::vector<Given> given_;
    std::vector<std::string> positionals_;
    std::vector<Given> bound_;  // positionals with the ArgumentSpec each one fills
    Shell* shell_ = nullptr;
    const OptionSpec* pending_ = nullptr;
    bool options_done_ = false;
    std::optional<std::size_t> first_positional_;
};

class Command {
public:
    virtual ~Command() = default;
    virtual const CommandSpec& spec() const = 0;
    // Called with the line already parsed against spec(): unknown options and missing or extra
    // arguments never reach it.
    virtual Result<void> run(Session& session, const Arguments& args, Output& out) = 0;
    // Tab completion for the word being typed (`prefix`), after `words` (words[0] = command).
    // nullopt: complete from the table (options; values by their ValueKind). Override for
    // anything the table cannot say.
    virtual std::optional<std::vector<std::string>> complete(
        Session& /*session*/, const std::vector<std::string>& /*words*/,
        std::string_view /*prefix*/) const {
        return std::nullopt;
    }
};

class CommandRegistry {
public:
    static CommandRegistry& global();

    // Fails if the name or an alias is taken. `owner` is the plugin (its path) or empty for a
    // built-in; registrations while a plugin loads belong to it (see set_loading_owner).
    Result<void> add(std::unique_ptr<Command> cmd);
    // Destroys every command of a plugin (before its code is unmapped).
    void remove_owner(std::string_view owner);
    // By name or alias; nullptr if unknown.
    Command* find(std::string_view name) const;
    // Sorted by name.
    std::vector<Command*> all() const;
    std::string owner(const Command* cmd) const;

    // The plugin loader names the owner of what registers while a plugin loads, and collects
    // the registrations that failed (a static KDIVE_REGISTER_COMMAND cannot return an error).
    void set_loading_owner(std::string owner) { loading_owner_ = std::move(owner); }
    std::vector<Error> take_errors() { return std::exchange(errors_, {}); }
    void note_error(Error e) { errors_.push_back(std::move(e)); }

private:
    struct Entry {
        std::unique_ptr<Command> cmd;
        std::string owner;
    };
    std::vector<Entry> commands_;
    std::string loading_owner_;
    std::vector<Error> errors_;
};

template <typename C>
struct CommandRegistration {
    CommandRegistration() {
        auto r = CommandRegistry::global().add(std::make_unique<C>());
        if (!r) CommandRegistry::global().note_error(r.error());
    }
};

// Completion of values by kind. The shell provides Command and File, the session's vmlinux
// Symbol and Address; the DWARF type engine registers Type and Member. A plugin may too.
using Completer = std::function<std::vector<std::string>(Session&, std::string_view prefix)>;
void set_completer(ValueKind kind, Completer completer);
const Completer* find_completer(ValueKind kind);

}  // namespace kdive

#define KDIVE_REGISTER_COMMAND(Class) \
    static const ::kdive::CommandRegistration<Class> kdive_registration_##Class
