// SPDX-License-Identifier: GPL-3.0-or-later
// The example plugin, built on its own against include/kdive (as an outside author would), then
// loaded into kdive on a real dump with -x and with extend, unloaded with extend -u.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>

#include "lab.hpp"

namespace {

std::string dump_args() {
    return lab::vmlinux().string() + " " + (lab::dir() / "kdump-l5" / "vmcore.zlib").string();
}

}  // namespace

TEST_CASE("the example plugin builds on its own and is loaded, used and unloaded", "[lab][shell][plugin]") {
    char tmpl[] = "/tmp/kdive-plugin-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    const std::string dir = tmpl;
    const std::string src = std::string(KDIVE_SOURCE_DIR) + "/examples/uts-plugin";
    int status = -1;
    const std::string build = lab::run("cmake -S " + src + " -B " + dir + "/build -DKDIVE_INCLUDE_DIR=" +
                                           KDIVE_SOURCE_DIR + "/include >/dev/null 2>&1 && cmake --build " +
                                           dir + "/build 2>&1",
                                       &status);
    INFO(build);
    REQUIRE(status == 0);
    const std::string so = dir + "/build/kdive_uts.so";
    REQUIRE(std::filesystem::exists(so));

    const std::string release = lab::truth("kdump-l5", "uname");
    std::ofstream(dir + "/cmds") << "uts -f release\n"
                                 << "help uts\n"
                                 << "extend\n"
                                 << "extend " << so << "\n"      // twice: refused
                                 << "extend -u kdive_uts.so\n"
                                 << "uts\n"                      // gone
                                 << "extend " << so << "\n"      // and back
                                 << "uts | grep NODENAME\n";
    const std::string out = lab::run(std::string(KDIVE_BINARY) + " -s -x " + so + " -i " + dir + "/cmds " +
                                         dump_args() + " 2>&1",
                                     &status);
    std::filesystem::remove_all(dir);
    INFO(out);
    CHECK_THAT(out, Catch::StartsWith(release + "\n"));  // uts -f release
    CHECK_THAT(out, Catch::Contains("uts - the dumped kernel's utsname (an example plugin)"));
    CHECK_THAT(out, Catch::Contains("SYNOPSIS\n  uts [-f FIELD]"));
    CHECK_THAT(out, Catch::Contains("kdive_uts.so uts\n"));  // extend lists it with its command
    CHECK_THAT(out, Catch::Contains("kdive_uts.so: already loaded"));
    CHECK_THAT(out, Catch::Contains("kdive_uts.so: shared object unloaded (uts)"));
    CHECK_THAT(out, Catch::Contains("uts: command not found"));
    CHECK_THAT(out, Catch::Contains("kdive_uts.so: shared object loaded (uts)"));
    CHECK_THAT(out, Catch::Contains("  NODENAME: kdive-lab\n"));
    CHECK(status == 1);  // the refused extend and the unknown uts failed
}

TEST_CASE("a plugin's output goes through the same JSON printer", "[lab][shell][plugin]") {
    int status = -1;
    const std::string out = lab::run("echo uts | " + std::string(KDIVE_BINARY) + " --json -x " +
                                         KDIVE_UTS_PLUGIN + " " + dump_args(),
                                     &status);
    INFO(out);
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains("\"release\":\"" + lab::truth("kdump-l5", "uname") + "\""));
    CHECK_THAT(out, Catch::Contains("\"nodename\":\"kdive-lab\""));
}
