// SPDX-License-Identifier: GPL-3.0-or-later
// crash's line syntax (| pipes, > redirects, !shell, quotes, comments), and a fuzz-style test:
// no line, however mangled, may crash the parsers.
#include <catch2/catch.hpp>

#include <random>

#include "kdive/command.hpp"
#include "repl/line.hpp"
#include "support/line_fuzz_spec.hpp"

using kdive::parse_command_line;
using Words = std::vector<std::string>;

TEST_CASE("pipes, redirections and shell escapes", "[repl][line]") {
    auto l = parse_command_line("sys | grep RELEASE | wc -l");
    REQUIRE(l);
    CHECK(l->words == Words{"sys"});
    CHECK(l->pipe == "grep RELEASE | wc -l");
    CHECK(l->redirect.empty());

    l = parse_command_line("rd -64 linux_banner 4 > /tmp/out file");
    CHECK_FALSE(l);  // one file name only
    l = parse_command_line("rd -64 linux_banner 4 >/tmp/out");
    REQUIRE(l);
    CHECK(l->words == Words{"rd", "-64", "linux_banner", "4"});
    CHECK(l->redirect == "/tmp/out");
    CHECK_FALSE(l->append);

    l = parse_command_line("sys >> \"a file\"");
    REQUIRE(l);
    CHECK(l->redirect == "a file");
    CHECK(l->append);

    l = parse_command_line("  !ls -l | head");
    REQUIRE(l);
    CHECK(l->shell_escape);
    CHECK(l->shell == "ls -l | head");
    CHECK(l->words.empty());
}

TEST_CASE("quotes keep | > # inside a word", "[repl][line]") {
    auto l = parse_command_line("alias x \"sys | grep > #\" | cat");
    REQUIRE(l);
    CHECK(l->words == Words{"alias", "x", "sys | grep > #"});
    CHECK(l->pipe == "cat");
    l = parse_command_line("p 'a>b' # comment | not a pipe");
    REQUIRE(l);
    CHECK(l->words == Words{"p", "a>b"});
    CHECK(l->pipe.empty());
}

TEST_CASE("malformed lines are errors with one line", "[repl][line]") {
    CHECK(parse_command_line("sys |").error().message() == "missing shell command after '|'");
    CHECK(parse_command_line("| grep x").error().message() == "missing command before '|'");
    CHECK(parse_command_line("sys >").error().message() == "'>' needs one file name");
    CHECK(parse_command_line("sys >> ").error().message() == "'>>' needs one file name");
    CHECK(parse_command_line("> f").error().message() == "missing command before '>'");
    CHECK(parse_command_line("sys \"x").error().message() == "unterminated \" quote");
    CHECK(parse_command_line("")->words.empty());
    CHECK(parse_command_line("   # just a comment")->words.empty());
}

TEST_CASE("the first word is found for alias expansion", "[repl][line]") {
    CHECK(kdive::first_word("  ll -x") == std::pair<std::size_t, std::size_t>{2, 4});
    CHECK(kdive::first_word("ll|cat") == std::pair<std::size_t, std::size_t>{0, 2});
    CHECK(kdive::first_word("\"ll\" x").first == kdive::first_word("\"ll\" x").second);
}

TEST_CASE("joined words split back into the same words", "[repl][line]") {
    for (const Words& w : {Words{"a", "b c", ""}, Words{"x\"y", "it's", "both\"'", "#|>"}, Words{}}) {
        auto back = kdive::split_command_line(kdive::join_words(w));
        REQUIRE(back);
        CHECK(*back == w);
    }
}

namespace {

// Lines made mostly of the characters the parsers care about.
std::string garbage(std::mt19937& rng) {
    static const std::string alphabet = "ab -|>#!\"'\t\\=0-9x\n\r";
    std::uniform_int_distribution<int> len(0, 40), pick(0, static_cast<int>(alphabet.size()) - 1),
        byte(0, 255), mode(0, 9);
    std::string s;
    for (int i = len(rng); i > 0; --i)
        s += mode(rng) == 0 ? static_cast<char>(byte(rng)) : alphabet[static_cast<std::size_t>(pick(rng))];
    return s;
}

}  // namespace

TEST_CASE("fuzz: random lines never crash the line and option parsers", "[repl][line][fuzz]") {
    static const kdive::CommandSpec& spec = kdive::testing::line_fuzz_spec();
    std::mt19937 rng(20240611);
    int parsed = 0, failed = 0;
    for (int i = 0; i < 50000; ++i) {
        const std::string line = garbage(rng);
        auto l = parse_command_line(line);
        if (!l) {
            ++failed;
            CHECK_FALSE(l.error().message().empty());
            CHECK(l.error().message().find('\n') == std::string::npos);  // one line
            continue;
        }
        ++parsed;
        // What was parsed re-joins and re-splits to the same words.
        auto again = kdive::split_command_line(kdive::join_words(l->words));
        REQUIRE(again);
        CHECK(*again == l->words);
        Words words = l->words;
        words.insert(words.begin(), "f");
        auto a = kdive::Arguments::parse(spec, words);
        if (!a) CHECK(a.error().message().find('\n') == std::string::npos);
        auto p = kdive::Arguments::parse_prefix(spec, words);
        if (!p) CHECK(p.error().message().find('\n') == std::string::npos);
    }
    // The generator must exercise both paths, or this test proves little.
    CHECK(parsed > 1000);
    CHECK(failed > 1000);
}
