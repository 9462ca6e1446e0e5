// SPDX-License-Identifier: GPL-3.0-or-later
// The option parser and the help generated from a command's table.
#include <catch2/catch.hpp>

#include "kdive/command.hpp"

using kdive::Arguments;
using kdive::CommandSpec;
using Words = std::vector<std::string>;

namespace {

const CommandSpec& demo() {
    static const CommandSpec s{
        .name = "demo",
        .aliases = {"dm"},
        .summary = "a command for tests",
        .description = "First line.\n\nSecond paragraph.",
        .options = {{.short_name = "a", .help = "flag a"},
                    {.short_name = "b", .help = "flag b"},
                    {.short_name = "i", .long_name = "input", .argument = "FILE", .help = "input file"},
                    {.short_name = "64", .help = "64-bit"},
                    {.long_name = "count", .argument = "N", .help = "how many"}},
        .arguments = {{.name = "address", .help = "where"}, {.name = "count", .optional = true}},
        .examples = {{.text = "An example:", .command = "demo -a 0x10", .output = "out line"}},
    };
    return s;
}

Arguments ok(Words w, const CommandSpec& spec = demo()) {
    auto r = Arguments::parse(spec, std::move(w));
    INFO((r ? std::string() : r.error().message()));
    REQUIRE(r);
    return *r;
}

std::string err(Words w, const CommandSpec& spec = demo()) {
    auto r = Arguments::parse(spec, std::move(w));
    REQUIRE_FALSE(r);
    return r.error().message();
}

}  // namespace

TEST_CASE("options and positionals are parsed from the table", "[repl][arguments]") {
    auto a = ok({"demo", "-a", "0x10"});
    CHECK(a.has("a"));
    CHECK_FALSE(a.has("b"));
    CHECK(a.positionals() == Words{"0x10"});

    a = ok({"demo", "-ab", "0x10", "4"});  // bundled flags
    CHECK((a.has("a") && a.has("b")));
    CHECK(a.positionals() == Words{"0x10", "4"});

    a = ok({"demo", "-ifile1", "x"});  // -iVALUE
    CHECK(a.value("input") == "file1");
    CHECK(a.value("i") == "file1");  // either name finds it

    a = ok({"demo", "--input=f2", "-i", "f3", "x"});  // repeated: every value, last wins
    CHECK(a.values("input") == Words{"f2", "f3"});
    CHECK(a.value("input") == "f3");

    a = ok({"demo", "--count", "7", "-64", "x"});
    CHECK(a.value("count") == "7");
    CHECK(a.has("64"));

    a = ok({"demo", "x", "-a"});  // options may follow positionals
    CHECK(a.has("a"));

    a = ok({"demo", "--", "-a"});  // after --, words are positionals
    CHECK_FALSE(a.has("a"));
    CHECK(a.positionals() == Words{"-a"});

    a = ok({"demo", "-"});  // a lone dash is a word
    CHECK(a.positionals() == Words{"-"});
    CHECK(a.name() == "demo");
}

TEST_CASE("bad command lines fail with one clear line", "[repl][arguments]") {
    CHECK(err({"demo", "-q", "x"}) == "unknown option '-q'");
    CHECK(err({"demo", "-aq", "x"}) == "unknown option '-q' in '-aq'");
    CHECK(err({"demo", "--nope", "x"}) == "unknown option '--nope'");
    CHECK(err({"demo", "x", "-i"}) == "option '-i' needs an argument (FILE)");
    CHECK(err({"demo", "x", "--count"}) == "option '--count' needs an argument (N)");
    CHECK(err({"demo", "--64=1", "x"}) == "unknown option '--64'");
    CHECK(err({"demo"}) == "missing argument: address");
    CHECK(err({"demo", "1", "2", "3"}) == "unexpected argument '3'");
}

TEST_CASE("options_first leaves the rest of the line alone (repeat)", "[repl][arguments]") {
    static const CommandSpec rep{
        .name = "rep",
        .options = {{.long_name = "seconds", .argument = "seconds", .number = true},
                    {.long_name = "count", .argument = "N"}},
        .arguments = {{.name = "command", .kind = kdive::ValueKind::Command, .repeated = true}},
        .options_first = true,
    };
    auto a = ok({"rep", "-5", "--count", "2", "rd", "-64", "-x", "addr"}, rep);
    CHECK(a.value("seconds") == "5");
    CHECK(a.value("count") == "2");
    CHECK(a.positionals() == Words{"rd", "-64", "-x", "addr"});
    CHECK(err({"rep"}, rep) == "missing argument: command");
}

TEST_CASE("help and synopsis come from the table", "[repl][help]") {
    CHECK(kdive::synopsis(demo()) == "demo [-a] [-b] [-i FILE] [-64] [--count N] address [count]");
    const std::string page = kdive::help_page(demo());
    INFO(page);
    CHECK_THAT(page, Catch::StartsWith("NAME\n  demo, dm - a command for tests\n"));
    CHECK_THAT(page, Catch::Contains("\nSYNOPSIS\n  demo [-a]"));
    CHECK_THAT(page, Catch::Contains("\nDESCRIPTION\n  First line.\n\n  Second paragraph.\n"));
    CHECK_THAT(page, Catch::Contains("\nOPTIONS\n"));
    CHECK_THAT(page, Catch::Contains("  -i, --input FILE  input file\n"));
    CHECK_THAT(page, Catch::Contains("  address           where\n"));
    CHECK_THAT(page, Catch::Contains("\nEXAMPLES\n  An example:\n\n    kdive> demo -a 0x10\n    out line\n"));
    // Sections in crash's order.
    CHECK(page.find("SYNOPSIS") < page.find("DESCRIPTION"));
    CHECK(page.find("DESCRIPTION") < page.find("OPTIONS"));
    CHECK(page.find("OPTIONS") < page.find("EXAMPLES"));
}

namespace {

// Typed values and option groups, as p, rd, search and ptov declare them.
const CommandSpec& typed() {
    static const CommandSpec s{
        .name = "typed",
        .options = kdive::with_radix_options(
            {{.short_name = "c", .argument = "N", .kind = kdive::ValueKind::Number},
             {.short_name = "m", .argument = "MASK", .kind = kdive::ValueKind::Hex},
             {.short_name = "e", .argument = "END", .kind = kdive::ValueKind::Address, .group = "end"},
             {.short_name = "l", .argument = "LEN", .kind = kdive::ValueKind::Number, .group = "end"},
             {.short_name = "s", .help = "symbolic"}}),
        .arguments = {{.name = "member", .optional = true},
                      {.name = "address", .kind = kdive::ValueKind::Address},
                      {.name = "count", .kind = kdive::ValueKind::Integer, .optional = true}},
    };
    return s;
}

}  // namespace

TEST_CASE("numbers are parsed once, when the line is", "[repl][arguments]") {
    auto a = ok({"typed", "-c", "12", "-m", "ff00", "init_task"}, typed());
    CHECK(a.number("c") == 12u);
    CHECK(a.number("m") == 0xff00u);
    CHECK(a.value("c") == "12");  // the text stays there too
    CHECK_FALSE(a.number("l"));

    a = ok({"typed", "-c0x10", "-m", "0xFF", "x"}, typed());  // 0x: hex for Number, optional for Hex
    CHECK(a.number("c") == 16u);
    CHECK(a.number("m") == 255u);

    // Positionals by their ArgumentSpec name: required ones first, optional ones left to right.
    a = ok({"typed", "x"}, typed());
    CHECK(a.value("address") == "x");
    CHECK_FALSE(a.has("member"));
    CHECK_FALSE(a.integer("count"));
    a = ok({"typed", "m", "x"}, typed());
    CHECK(a.value("member") == "m");
    CHECK(a.value("address") == "x");
    a = ok({"typed", "m", "x", "--", "-3"}, typed());
    CHECK(a.integer("count") == -3);
    a = ok({"typed", "m", "x", "0x20"}, typed());
    CHECK(a.integer("count") == 32);
}

TEST_CASE("a malformed number is one line before run()", "[repl][arguments]") {
    CHECK(err({"typed", "-c", "x1", "a"}, typed()) == "option '-c' needs a number, not 'x1'");
    CHECK(err({"typed", "-cx1", "a"}, typed()) == "option '-c' needs a number, not 'x1'");
    CHECK(err({"typed", "-c", "12k", "a"}, typed()) == "option '-c' needs a number, not '12k'");
    CHECK(err({"typed", "-c", "0x", "a"}, typed()) == "option '-c' needs a number, not '0x'");
    CHECK(err({"typed", "-c", "99999999999999999999", "a"}, typed()) ==
          "option '-c' needs a number, not '99999999999999999999'");
    CHECK(err({"typed", "-m", "fg", "a"}, typed()) == "option '-m' needs a hex number, not 'fg'");
    CHECK(err({"typed", "m", "a", "1.5"}, typed()) == "count needs a number, not '1.5'");
    CHECK(err({"typed", "m", "a", "--", "--1"}, typed()) == "count needs a number, not '--1'");
    // The first bad word wins, in the order typed.
    CHECK(err({"typed", "-c", "z", "-m", "z", "a"}, typed()) == "option '-c' needs a number, not 'z'");
}

TEST_CASE("options of one group exclude each other", "[repl][arguments]") {
    CHECK(err({"typed", "-x", "-d", "a"}, typed()) == "-x and -d are mutually exclusive");
    CHECK(err({"typed", "-dx", "a"}, typed()) == "-d and -x are mutually exclusive");
    CHECK(err({"typed", "-e", "_end", "-l", "10", "a"}, typed()) == "-e and -l are mutually exclusive");
    // The same option twice is no conflict; the radix is the group's.
    CHECK(ok({"typed", "-x", "-x", "a"}, typed()).radix(10) == 16);
    CHECK(ok({"typed", "-d", "a"}, typed()).radix(16) == 10);
    CHECK(ok({"typed", "a"}, typed()).radix(16) == 16);
    CHECK(ok({"typed", "-sx", "a"}, typed()).radix(10) == 16);  // bundled
    // Groups show as alternatives in the synopsis, where their first member is.
    CHECK(kdive::synopsis(typed()) ==
          "typed [-c N] [-m MASK] [-e END | -l LEN] [-s] [-x | -d] [member] address [count]");
}

TEST_CASE("parse_prefix reads the words before the cursor as parse does", "[repl][arguments]") {
    auto a = Arguments::parse_prefix(typed(), {"typed", "-sx", "-c"});
    REQUIRE(a);
    CHECK(a->has("s"));
    CHECK(a->radix(10) == 16);
    REQUIRE(a->pending());
    CHECK(a->pending()->short_name == "c");  // -c's value is the word being typed
    a = Arguments::parse_prefix(typed(), {"typed", "-c", "3", "m"});
    REQUIRE(a);
    CHECK_FALSE(a->pending());
    CHECK(a->positionals() == Words{"m"});  // no missing-argument error before the cursor
    CHECK(a->first_positional() == 3u);
    a = Arguments::parse_prefix(typed(), {"typed", "--"});
    REQUIRE(a);
    CHECK(a->options_done());
    CHECK_FALSE(Arguments::parse_prefix(typed(), {"typed", "-x", "-d"}));
    CHECK_FALSE(Arguments::parse_prefix(typed(), {"typed", "-c", "z"}));
}
