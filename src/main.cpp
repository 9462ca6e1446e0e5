// SPDX-License-Identifier: GPL-3.0-or-later
// kdive VMLINUX VMCORE: open a kernel crash dump with its debug vmlinux and answer commands;
// kdive VMLINUX: the same about the running kernel, through /proc/kcore.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "session/dump_session.hpp"
#include "session/live_session.hpp"
#include "kdive/command.hpp"
#include "repl/interrupt.hpp"
#include "repl/man_page.hpp"
#include "repl/options.hpp"
#include "repl/shell.hpp"
#include "repl/name_completers.hpp"
#include "memory/vmcoreinfo.hpp"

int main(int argc, char** argv) {
    auto parsed = kdive::parse_startup_options(argc, argv);
    if (!parsed) {
        fmt::print(stderr, "kdive: {} (kdive --help lists the options)\n", parsed.error().message());
        return 2;
    }
    kdive::StartupOptions& opt = *parsed;
    if (opt.help) {
        std::fputs(kdive::usage().c_str(), stdout);
        return 0;
    }
    if (opt.version) {
        fmt::print("kdive {}\n", KDIVE_VERSION);
        return 0;
    }
    if (opt.man) {
        std::fputs(kdive::man_page(kdive::startup_spec(), kdive::CommandRegistry::global().all()).c_str(),
                   stdout);
        return 0;
    }
    kdive::SessionOptions session_options;
    session_options.force = opt.force;
    session_options.kaslr = opt.kaslr;
    if (opt.files.empty() || opt.files.size() > 2) {
        fmt::print(stderr, "kdive: give VMLINUX and VMCORE, or VMLINUX alone for the running "
                           "kernel (kdive --help for more)\n");
        return 2;
    }
    // A missing batch file is said before the (slower) dump is opened.
    if (!opt.input_file.empty() && access(opt.input_file.c_str(), R_OK) != 0) {
        fmt::print(stderr, "kdive: {}: {}\n", opt.input_file, std::strerror(errno));
        return 1;
    }

    auto session = [&]() -> kdive::Result<std::unique_ptr<kdive::KernelSession>> {
        if (opt.files.size() == 1) {
            auto live = kdive::LiveSession::open(opt.files[0], session_options);
            if (!live) return live.failure();
            return std::unique_ptr<kdive::KernelSession>(std::move(*live));
        }
        auto dump = kdive::DumpSession::open(opt.files[0], opt.files[1], session_options);
        if (!dump) return dump.failure();
        return std::unique_ptr<kdive::KernelSession>(std::move(*dump));
    }();
    if (!session) {
        fmt::print(stderr, "kdive: {}\n", session.error().message());
        return 1;
    }
    kdive::KernelSession& s = **session;
    for (const auto& w : s.warnings()) fmt::print(stderr, "kdive: warning: {}\n", w);
    kdive::install_signal_handlers();
    kdive::register_name_completers(s.vmlinux());
    kdive::ReplShell shell(s);
    if (opt.json) shell.settings().format = kdive::Output::Format::Json;
    for (const auto& p : opt.plugins) {
        auto r = shell.load_plugin(p);
        if (!r) {
            fmt::print(stderr, "kdive: {}\n", r.error().message());
            return 1;
        }
    }
    if (!opt.silent && !opt.json) {
        fmt::print("kdive {}\n\n", KDIVE_VERSION);
        shell.run_line("sys");
        std::fputc('\n', stdout);
    }

    if (!opt.input_file.empty()) {
        std::FILE* in = std::fopen(opt.input_file.c_str(), "r");
        if (!in) {
            fmt::print(stderr, "kdive: {}: {}\n", opt.input_file, std::strerror(errno));
            return 1;
        }
        int failed = shell.run_batch(in);
        std::fclose(in);
        return failed ? 1 : 0;
    }
    if (!isatty(STDIN_FILENO)) return shell.run_batch(stdin) ? 1 : 0;
    const char* home = std::getenv("HOME");
    shell.run_interactive(home && *home ? std::string(home) + "/.kdive_history" : std::string());
    return 0;
}
