// SPDX-License-Identifier: GPL-3.0-or-later
// Tab completion and the shell's command execution, on a session without a dump (the commands
// used here never read memory).
#include <catch2/catch.hpp>

#include <cstdio>

#include "kdive/command.hpp"
#include "repl/completion.hpp"
#include "repl/line.hpp"
#include "repl/shell.hpp"

using Words = std::vector<std::string>;

namespace {

class NoTarget final : public kdive::Target {
public:
    kdive::Result<void> read(kdive::AddressSpace, std::uint64_t addr, std::span<std::byte>) override {
        return kdive::fail("no memory in this test", kdive::hex_address(addr));
    }
    std::string format_name() const override { return "none"; }
    std::string path() const override { return "/dev/null"; }
};

class NoDumpSession final : public kdive::Session {
public:
    kdive::Target& target() override { return target_; }
    std::string vmlinux_path() const override { return "vmlinux"; }
    kdive::Result<std::uint64_t> symbol_address(std::string_view name) const override {
        return kdive::fail("no symbols", std::string(name));
    }
    std::uint64_t kaslr_offset() const override { return 0; }
    std::string kaslr_source() const override { return "none"; }
    std::optional<std::string> vmcoreinfo(std::string_view) const override { return std::nullopt; }
    unsigned num_cpus() const override { return 1; }

private:
    NoTarget target_;
};

// A command taking a symbol, and a type then a member, as the DWARF-era commands will.
class ProbeCommand final : public kdive::Command {
public:
    const kdive::CommandSpec& spec() const override {
        static const kdive::CommandSpec s{
            .name = "zz-probe",
            .summary = "test",
            .options = {{.short_name = "s", .argument = "SYMBOL", .kind = kdive::ValueKind::Symbol},
                        {.long_name = "verbose"},
                        {.short_name = "x", .group = "radix"},
                        {.short_name = "d", .group = "radix"}},
            .arguments = {{.name = "type", .kind = kdive::ValueKind::Type},
                          {.name = "member", .kind = kdive::ValueKind::Member, .optional = true}},
        };
        return s;
    }
    kdive::Result<void> run(kdive::Session&, const kdive::Arguments& args, kdive::Output& out) override {
        out.print("probe {}\n", args.positionals().at(0));
        return {};
    }
};
KDIVE_REGISTER_COMMAND(ProbeCommand);

Words candidates(kdive::Shell& shell, std::string_view line) {
    return kdive::complete_line(shell, line).candidates;
}

struct Capture {
    char* buf = nullptr;
    std::size_t len = 0;
    std::FILE* f = open_memstream(&buf, &len);
    ~Capture() {
        std::fclose(f);
        std::free(buf);
    }
    std::string text() {
        std::fflush(f);
        return std::string(buf, len);
    }
};

}  // namespace

TEST_CASE("command names, aliases and user aliases complete", "[repl][completion]") {
    NoDumpSession session;
    kdive::ReplShell shell(session);
    CHECK(candidates(shell, "he") == Words{"help"});
    CHECK(candidates(shell, "  h") == Words{"h", "help"});
    CHECK(candidates(shell, "qu") == Words{"quit"});
    REQUIRE(shell.set_alias("hs", "help sys"));
    CHECK(candidates(shell, "h") == Words{"h", "help", "hs"});
    CHECK(candidates(shell, "nosuch").empty());
    CHECK(kdive::complete_line(shell, "help sy").start == 5);
    CHECK(candidates(shell, "help sy") == Words{"sym", "sys"});
}

TEST_CASE("options and values complete from the command's table", "[repl][completion]") {
    NoDumpSession session;
    kdive::ReplShell shell(session);
    CHECK(candidates(shell, "repeat --c") == Words{"--count"});
    CHECK(candidates(shell, "extend -") == Words{"-u"});
    CHECK(candidates(shell, "help repe") == Words{"repeat"});  // help's argument is a command
    CHECK(candidates(shell, "repeat -1 he") == Words{"help"});  // repeat's rest is a command line
    CHECK(candidates(shell, "repeat -1 help re") == Words{"repeat"});
    CHECK(candidates(shell, "set scroll o") == Words{"off", "on"});  // the command's own hook
    CHECK(kdive::complete_line(shell, "extend ./li").files);
    CHECK(kdive::complete_line(shell, "sys | gr").files);
    CHECK(kdive::complete_line(shell, "sys > ou").files);
    CHECK(kdive::complete_line(shell, "!l").files);
}

TEST_CASE("symbol, type and member completion go through registered completers", "[repl][completion]") {
    NoDumpSession session;
    kdive::ReplShell shell(session);
    kdive::set_completer(kdive::ValueKind::Symbol, [](kdive::Session&, std::string_view) {
        return Words{"init_task", "init_uts_ns", "jiffies"};
    });
    kdive::set_completer(kdive::ValueKind::Type, [](kdive::Session&, std::string_view) {
        return Words{"task_struct", "task_group", "timer_list"};
    });
    kdive::set_completer(kdive::ValueKind::Member, [](kdive::Session&, std::string_view prefix) {
        // The word is TYPE.member: a member completer sees the whole of it.
        return prefix.starts_with("task_struct.") ? Words{"task_struct.comm", "task_struct.cpu"} : Words{};
    });
    CHECK(candidates(shell, "zz-probe -s init_u") == Words{"init_uts_ns"});
    CHECK(candidates(shell, "zz-probe task_s") == Words{"task_struct"});
    CHECK(candidates(shell, "zz-probe --verbose task_") == Words{"task_group", "task_struct"});
    CHECK(candidates(shell, "zz-probe task_struct task_struct.co") == Words{"task_struct.comm"});
    CHECK(candidates(shell, "zz-probe --v") == Words{"--verbose"});
    // One parse with execution: a bundled flag before the valued option, an inline value, the
    // option's value skipped as a positional.
    CHECK(candidates(shell, "zz-probe -xs init_u") == Words{"init_uts_ns"});
    CHECK(candidates(shell, "zz-probe -x -s jif") == Words{"jiffies"});
    CHECK(candidates(shell, "zz-probe -sjiffies task_") == Words{"task_group", "task_struct"});
    CHECK(candidates(shell, "zz-probe -xs jiffies task_") == Words{"task_group", "task_struct"});
    CHECK(candidates(shell, "zz-probe -xs jiffies task_struct task_struct.c") == Words{"task_struct.comm", "task_struct.cpu"});
    // A group's other member is no longer offered; a line that would not run completes nothing.
    CHECK(candidates(shell, "zz-probe -x -") == Words{"--verbose", "-s", "-x"});
    CHECK(candidates(shell, "zz-probe -q task_").empty());
    // Through an alias, expanded as the shell expands it.
    REQUIRE(shell.set_alias("zp", "zz-probe -x"));
    CHECK(candidates(shell, "zp -s init_u") == Words{"init_uts_ns"});
    CHECK(candidates(shell, "repeat --count 2 zp -s init_u") == Words{"init_uts_ns"});
    kdive::set_completer(kdive::ValueKind::Member, nullptr);
    CHECK(candidates(shell, "zz-probe task_struct task_struct.co").empty());
    kdive::set_completer(kdive::ValueKind::Type, nullptr);
    kdive::set_completer(kdive::ValueKind::Symbol, nullptr);
}

TEST_CASE("the shell runs commands through aliases and the table's parser", "[repl][shell]") {
    NoDumpSession session;
    kdive::ReplShell shell(session);
    Capture cap;
    kdive::Output out(cap.f);

    REQUIRE(shell.set_alias("pp", "zz-probe --verbose"));
    REQUIRE(shell.execute({"pp", "x"}, out));
    CHECK(cap.text() == "probe x\n");

    auto r = shell.execute({"nosuch"}, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "nosuch: command not found (try 'help')");
    r = shell.execute({"zz-probe", "-q", "x"}, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "zz-probe: unknown option '-q'");
    r = shell.execute({"zz-probe"}, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "zz-probe: missing argument: type");

    // Aliases cannot hide commands, and loops stop.
    CHECK_FALSE(shell.set_alias("sys", "help"));
    CHECK_FALSE(shell.set_alias("-x", "help"));
    REQUIRE(shell.set_alias("l1", "l2"));
    REQUIRE(shell.set_alias("l2", "l1"));
    CHECK_FALSE(shell.execute({"l1"}, out));
    // An alias's words come first, the line's after them, quoting kept; aliases of aliases too.
    REQUIRE(shell.set_alias("p2", "pp"));
    REQUIRE(shell.execute({"p2", "a b"}, out));
    CHECK(cap.text() == "probe x\nprobe a b\n");
    // The text form, which run_line uses: the rest of the line follows the alias, pipes stay.
    CHECK(kdive::expand_aliases("p2 'c d' | wc", shell.aliases()) == "zz-probe --verbose 'c d' | wc");
    CHECK(kdive::expand_aliases("l1 x", shell.aliases()) == "l1 x");  // l1 -> l2 -> l1: stops
    CHECK(kdive::expand_aliases(Words{"p2", "c d"}, shell.aliases()) == Words{"zz-probe", "--verbose", "c d"});
}

TEST_CASE("set changes the settings commands see; repeat runs N times", "[repl][shell]") {
    NoDumpSession session;
    kdive::ReplShell shell(session);
    Capture cap;
    kdive::Output out(cap.f);
    REQUIRE(shell.execute({"set", "radix", "10"}, out));
    REQUIRE(shell.execute({"set", "scroll", "off"}, out));
    REQUIRE(shell.execute({"set", "output", "json"}, out));
    CHECK(shell.settings().radix == 10);
    CHECK_FALSE(shell.settings().scroll);
    CHECK(shell.settings().format == kdive::Output::Format::Json);
    CHECK_FALSE(shell.execute({"set", "radix", "8"}, out));
    // A pid needs the dump's tasks: this session has none to find it in.
    auto r = shell.execute({"set", "1234"}, out);
    REQUIRE_FALSE(r);
    CHECK_FALSE(shell.execute({"set", "-p"}, out));

    REQUIRE(shell.execute({"repeat", "--count", "3", "zz-probe", "t"}, out));
    CHECK(cap.text() == "probe t\nprobe t\nprobe t\n");
    r = shell.execute({"repeat", "--count", "x", "sys"}, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "repeat: option '--count' needs a number, not 'x'");
    r = shell.execute({"set", "-p", "-c", "0"}, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "set: -p and -c are mutually exclusive");

    REQUIRE_FALSE(shell.quitting());
    REQUIRE(shell.execute({"exit"}, out));
    CHECK(shell.quitting());
}

TEST_CASE("extend reports files that are not plugins, and changes nothing", "[repl][plugin]") {
    NoDumpSession session;
    kdive::ReplShell shell(session);
    Capture cap;
    kdive::Output out(cap.f);
    const auto before = kdive::CommandRegistry::global().all().size();
    auto r = shell.execute({"extend", "/nonexistent.so"}, out);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message(), Catch::Contains("No such file or directory"));
    r = shell.execute({"extend", "/etc/hostname"}, out);  // exists, not an ELF object
    REQUIRE_FALSE(r);
    // libc is a shared object but no kdive plugin.
    r = shell.execute({"extend", "/lib/x86_64-linux-gnu/libc.so.6"}, out);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message(), Catch::Contains("not a kdive plugin"));
    CHECK(kdive::CommandRegistry::global().all().size() == before);
    CHECK(shell.plugins().empty());
    CHECK_FALSE(shell.execute({"extend", "-u", "nothing.so"}, out));
}
