// SPDX-License-Identifier: GPL-3.0-or-later
// p and struct print values as crash does (gdb's value printer under crash's settings): pointer
// types and <symbol+offset>, strings to the end of char arrays, no "<repeats N times>", arrays
// cut at 256 elements, arrays of structs indented one level more.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>

#include "lab.hpp"

namespace {

// kdive's output of each command, each redirected to a file of its own as lab::crash_run does.
std::vector<std::string> kdive_run(const lab::fs::path& dump, const std::vector<std::string>& commands) {
    const lab::fs::path dir = lab::fs::temp_directory_path() / ("kdive-print-" + std::to_string(getpid()));
    lab::fs::create_directories(dir);
    std::string text;
    for (std::size_t i = 0; i < commands.size(); ++i) text += commands[i] + " > " + (dir / std::to_string(i)).string() + "\n";
    int status = -1;
    lab::kdive_batch(text, dump, &status);
    CHECK(status == 0);
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        std::ifstream in(dir / std::to_string(i));
        std::stringstream ss;
        ss << in.rdbuf();
        parts.push_back(ss.str());
    }
    lab::fs::remove_all(dir);
    return parts;
}

// The address of the dummy module's struct module, from kdive's `mod`.
std::string dummy_module(const lab::fs::path& dump) {
    const std::string mods = lab::kdive_batch("mod\n", dump);
    std::smatch m;
    REQUIRE(std::regex_search(mods, m, std::regex("\\n([0-9a-f]{16})  dummy ")));
    return "0x" + m[1].str();
}

}  // namespace

TEST_CASE("p and struct print values byte-equal to crash", "[lab][print][crash]") {
    if (!lab::crash_available()) return;
    const auto dump = lab::dir() / "kdump-l5" / "vmcore.zlib";
    const std::string mod = "((struct module *)" + dummy_module(dump) + ")";
    const std::vector<std::string> commands = {
        "p init_task.parent",                   // (type) and <symbol> of a data pointer
        "p &init_task",
        "p init_task.sched_class",              // const struct sched_class *
        "p init_task.sched_class->enqueue_task",  // a NULL function pointer keeps its type
        "p idle_sched_class.dequeue_task",
        "p &init_task.comm",                    // <symbol+offset>
        "p init_task.stack",                    // init_stack has no size: no <symbol>
        "p (void *)init_task.stack",
        "p init_task.comm",                     // NULs to the end of the array but one
        "p init_task.mm",
        "p (char *)init_task.comm",             // a char pointer: no type, its string
        "p &init_task.comm[1]",
        "p (unsigned char *)linux_banner",      // an unsigned char pointer keeps its type
        "p " + mod + "->name",
        "p " + mod + "->exit",                  // module function: crash's module symbols
        "p " + mod + "->list",                  // module data
        "p init_task.se",
        "struct task_struct.parent,comm,stack,mm,sched_class init_task",  // commas as in gdb's struct
        "struct task_struct.se.vruntime init_task",
        "p *init_task.sched_class",
        "p init_uts_ns",
        "p idle_sched_class",
        "p init_task.pid_links",                // an array of structs, indented one level more
        "p init_task.thread.fpu",               // no <repeats>, a flexible array, a u8 string
        "p init_task.cpus_mask",
        "p __per_cpu_offset",                   // 256 elements and "..."
        "p *init_task.signal",
        "p system_state",
        "p (char)27",
        "p (char *)0x1234",                     // unreadable: an <error: ...> in the value
    };
    const auto expected = lab::crash_run(dump, commands);
    const auto got = kdive_run(dump, commands);
    REQUIRE(expected.size() == commands.size());
    REQUIRE(got.size() == commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
        INFO(commands[i]);
        CHECK(got[i] == expected[i]);
    }
}
