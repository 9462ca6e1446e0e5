// SPDX-License-Identifier: GPL-3.0-or-later
// kdive VMLINUX VMCORE: open a kernel crash dump with its debug vmlinux and answer commands.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "dump_session.hpp"
#include "repl/repl.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kdive [options] VMLINUX VMCORE\n"
    "\n"
    "Open a Linux kernel crash dump (kdump-compressed or ELF) with its debug vmlinux.\n"
    "The two files may be given in either order.\n"
    "\n"
    "options:\n"
    "  -i FILE     run the commands in FILE, then exit\n"
    "  -s          silent: no banner\n"
    "  --version   print the version and exit\n"
    "  -h, --help  print this help and exit\n";

struct Options {
    std::string input_file;
    bool silent = false;
    std::vector<std::string> files;
};

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == "--version") {
            fmt::print("kdive {}\n", KDIVE_VERSION);
            return 0;
        } else if (a == "-s") {
            opt.silent = true;
        } else if (a == "-i") {
            if (++i >= argc) {
                fmt::print(stderr, "kdive: -i needs a file name\n");
                return 2;
            }
            opt.input_file = argv[i];
        } else if (a.size() > 1 && a[0] == '-') {
            fmt::print(stderr, "kdive: unknown option '{}'\n{}", a, kUsage);
            return 2;
        } else {
            opt.files.push_back(a);
        }
    }
    if (opt.files.size() == 1) {
        fmt::print(stderr, "kdive: live /proc/kcore sessions are not supported yet; "
                           "give VMLINUX and VMCORE\n");
        return 2;
    }
    if (opt.files.size() != 2) {
        std::fputs(kUsage, stderr);
        return 2;
    }

    auto session = kdive::DumpSession::open(opt.files[0], opt.files[1]);
    if (!session) {
        fmt::print(stderr, "kdive: {}\n", session.error().message());
        return 1;
    }
    kdive::DumpSession& s = **session;
    for (const auto& w : s.warnings()) fmt::print(stderr, "kdive: warning: {}\n", w);
    if (!opt.silent) {
        fmt::print("kdive {}\n\n", KDIVE_VERSION);
        kdive::run_line(s, "sys", stdout);
        std::fputc('\n', stdout);
    }

    if (!opt.input_file.empty()) {
        std::FILE* in = std::fopen(opt.input_file.c_str(), "r");
        if (!in) {
            fmt::print(stderr, "kdive: {}: {}\n", opt.input_file, std::strerror(errno));
            return 1;
        }
        int failed = kdive::batch_loop(s, in);
        std::fclose(in);
        return failed ? 1 : 0;
    }
    if (!isatty(STDIN_FILENO)) return kdive::batch_loop(s, stdin) ? 1 : 0;
    kdive::interactive_loop(s);
    return 0;
}
