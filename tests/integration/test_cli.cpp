// SPDX-License-Identifier: GPL-3.0-or-later
// The kdive binary itself on a lab dump: batch files, errors that do not stop the session.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "lab.hpp"

namespace {

std::string kdive_cmd(const std::string& args) {
    return std::string(KDIVE_BINARY) + " " + args + " 2>&1";
}


}  // namespace

TEST_CASE("kdive -i runs a batch file on a real dump", "[lab][cli]") {
    const auto dump = lab::dir() / "kdump-l5" / "vmcore.zlib";
    const lab::TempFile batch("sys\nnosuchcommand\n# a comment\nhelp sys\n");
    int status = -1;
    // Files in either order.
    const std::string out = lab::run(
        kdive_cmd("-s -i " + batch.path() + " " + dump.string() + " " + lab::vmlinux().string()), &status);
    INFO(out);
    CHECK_THAT(out, Catch::Contains("RELEASE: " + lab::truth("kdump-l5", "uname")));
    CHECK_THAT(out, Catch::Contains("NODENAME: kdive-lab"));
    CHECK_THAT(out, Catch::Contains("[kdump-compressed]"));
    CHECK_THAT(out, Catch::Contains("nosuchcommand: command not found"));
    // The session went on after the error.
    CHECK_THAT(out, Catch::Contains("SYNOPSIS"));
    CHECK(status == 1);  // a failed command makes the batch exit non-zero
}

TEST_CASE("kdive rejects bad files with one line", "[lab][cli]") {
    int status = -1;
    std::string out = lab::run(
        kdive_cmd(lab::vmlinux().string() + " " + (lab::dir() / "config").string()), &status);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("not a kernel dump"));
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);

    out = lab::run(kdive_cmd("/nonexistent/vmlinux /nonexistent/vmcore"), &status);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("No such file or directory"));
}
