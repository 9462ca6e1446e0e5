// SPDX-License-Identifier: GPL-3.0-or-later
// The shell in batch mode on a real dump: pipes, redirections, aliases, !shell, errors that do
// not stop the batch, q, JSON output.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "lab.hpp"

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/kdive-shell-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string file(const std::string& name) const { return path + "/" + name; }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

std::string dump_args() {
    return lab::vmlinux().string() + " " + (lab::dir() / "kdump-l5" / "vmcore.zlib").string();
}

}  // namespace

TEST_CASE("batch: pipes, redirections, aliases, shell escapes and errors", "[lab][shell]") {
    TempDir tmp;
    const std::string release = lab::truth("kdump-l5", "uname");
    std::ofstream(tmp.file("cmds")) << "sys | grep RELEASE > " << tmp.file("piped") << "\n"
                                    << "sys > " << tmp.file("out") << "\n"
                                    << "sys >> " << tmp.file("out") << "\n"
                                    << "alias node \"sys | grep NODENAME\"\n"
                                    << "node\n"
                                    << "nosuchcommand\n"
                                    << "help sys | head -1\n"
                                    << "!echo shell-$((2+3))\n"
                                    << "sys -z\n"
                                    << "help \"sys | not a pipe\"\n"
                                    << "  # a comment\n"
                                    << "set output json\n"
                                    << "sys\n"
                                    << "set output text\n"
                                    << "repeat --count 3 sys | grep -c MACHINE\n"
                                    << "q\n"
                                    << "sys\n";
    int status = -1;
    const std::string out = lab::run(std::string(KDIVE_BINARY) + " -s -i " + tmp.file("cmds") + " " +
                                         dump_args() + " 2>&1",
                                     &status);
    INFO(out);
    CHECK(status == 1);  // commands failed; the batch went on to the end

    // | goes to sh -c, whose own > wrote the file; kdive's > and >> wrote theirs.
    CHECK(slurp(tmp.file("piped")) == "     RELEASE: " + release + "\n");
    const std::string written = slurp(tmp.file("out"));
    CHECK(count(written, "RELEASE: " + release) == 2);
    CHECK(count(written, "KERNEL: ") == 2);

    CHECK(count(out, "NODENAME: kdive-lab") == 1);  // the alias, once; none of the above leaked
    CHECK_THAT(out, Catch::Contains("nosuchcommand: command not found (try 'help')"));
    CHECK_THAT(out, Catch::Contains("NAME\n"));
    CHECK(count(out, "SYNOPSIS") == 0);  // head -1 kept the first line only
    CHECK_THAT(out, Catch::Contains("shell-5\n"));
    CHECK_THAT(out, Catch::Contains("sys: unknown option '-z'"));
    CHECK_THAT(out, Catch::Contains("help: sys | not a pipe: no such command"));
    CHECK_THAT(out, Catch::Contains("{\"kernel\":"));
    CHECK_THAT(out, Catch::Contains("\"release\":\"" + release + "\""));
    CHECK_THAT(out, Catch::Contains("\n3\n"));  // repeat ran sys three times into the pipe
    // q ended the batch: the last sys did not run (the only KERNEL line is the JSON one's key).
    CHECK(count(out, "KERNEL:") == 0);
}

TEST_CASE("kdive --json: every command's output is JSON lines", "[lab][shell]") {
    int status = -1;
    const std::string out =
        lab::run("printf 'sys\\nhelp\\nset\\nalias\\n' | " + std::string(KDIVE_BINARY) + " --json " + dump_args(),
                 &status);
    INFO(out);
    CHECK(status == 0);
    std::istringstream in(out);
    int lines = 0;
    for (std::string l; std::getline(in, l); ++lines) {
        CHECK(l.front() == '{');
        CHECK(l.back() == '}');
    }
    CHECK(lines > 10);
    CHECK_THAT(out, Catch::Contains("\"release\":\"" + lab::truth("kdump-l5", "uname") + "\""));
    CHECK_THAT(out, Catch::Contains("{\"command\":\"repeat\",\"summary\":\"repeat a command\"}"));
    CHECK_THAT(out, Catch::Contains("{\"radix\":10,\"scroll\":\"on\",\"output\":\"json\"}"));
}

TEST_CASE("start-up errors are one line", "[lab][shell]") {
    int status = -1;
    std::string out = lab::run(std::string(KDIVE_BINARY) + " --bogus " + dump_args() + " 2>&1", &status);
    CHECK(status == 2);
    CHECK(out == "kdive: unknown option '--bogus' (kdive --help lists the options)\n");
    out = lab::run(std::string(KDIVE_BINARY) + " -s -i /nonexistent/cmds " + dump_args() + " 2>&1", &status);
    CHECK(status == 1);
    CHECK(out == "kdive: /nonexistent/cmds: No such file or directory\n");
    out = lab::run(std::string(KDIVE_BINARY) + " -x /nonexistent/p.so " + dump_args() + " 2>&1", &status);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("/nonexistent/p.so: No such file or directory"));
    out = lab::run(std::string(KDIVE_BINARY) + " --help", &status);
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains("-x, --plugin FILE.so"));
}

TEST_CASE("the man page is generated from the same tables as help", "[lab][shell]") {
    int status = -1;
    const std::string man = lab::run(std::string(KDIVE_BINARY) + " --man", &status);
    CHECK(status == 0);
    CHECK_THAT(man, Catch::StartsWith(".\\\" Generated"));
    CHECK_THAT(man, Catch::Contains(".TH KDIVE 1"));
    // Every command listed by `help` has its section.
    const std::string list = lab::run("echo help | " + std::string(KDIVE_BINARY) + " -s " + dump_args());
    std::istringstream in(list);
    std::string line;
    std::getline(in, line);  // the header
    int commands = 0;
    while (std::getline(in, line)) {
        const std::string name = line.substr(0, line.find(' '));
        INFO(name);
        CHECK_THAT(man, Catch::Contains(".SS " + name));
        ++commands;
    }
    CHECK(commands >= 6);
    CHECK_THAT(man, Catch::Contains(".B repeat [\\-seconds] [\\-\\-count N] command ..."));
}
