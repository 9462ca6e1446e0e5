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
