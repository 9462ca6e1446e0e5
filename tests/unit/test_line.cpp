// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "repl/line.hpp"

using Words = std::vector<std::string>;

TEST_CASE("command lines split into words", "[line]") {
    CHECK(*kdive::split_command_line("  sys  ") == Words{"sys"});
    CHECK(*kdive::split_command_line("struct task_struct.comm,pid 0xffff8880") ==
          Words{"struct", "task_struct.comm,pid", "0xffff8880"});
    CHECK(*kdive::split_command_line("search -c \"hello world\" 'a b'") ==
          Words{"search", "-c", "hello world", "a b"});
    CHECK(*kdive::split_command_line("log # a comment") == Words{"log"});
    CHECK(*kdive::split_command_line("p \"#not a comment\"") == Words{"p", "#not a comment"});
    CHECK(*kdive::split_command_line("x \"\"") == Words{"x", ""});
    CHECK(kdive::split_command_line("")->empty());
    CHECK(kdive::split_command_line("# only a comment")->empty());
}

TEST_CASE("an unterminated quote is an error, not a crash", "[line]") {
    auto r = kdive::split_command_line("search -c \"oops");
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == "unterminated \" quote");
}
