// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/repl.hpp"

#include <readline/history.h>
#include <readline/readline.h>

#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "kdive/command.hpp"
#include "repl/line.hpp"

namespace kdive {

namespace {

int failures = 0;

std::string history_path() {
    const char* home = std::getenv("HOME");
    return home ? std::string(home) + "/.kdive_history" : std::string();
}

}  // namespace

bool run_line(Session& session, const std::string& line, std::FILE* out) {
    auto words = split_command_line(line);
    if (!words) {
        fmt::print(stderr, "kdive: {}\n", words.error().message());
        ++failures;
        return true;
    }
    if (words->empty()) return true;
    const std::string& name = words->front();
    if (name == "q" || name == "quit" || name == "exit") return false;
    Command* cmd = CommandRegistry::global().find(name);
    if (!cmd) {
        fmt::print(stderr, "kdive: {}: command not found (try 'help')\n", name);
        ++failures;
        return true;
    }
    Output output(out);
    auto r = cmd->run(session, *words, output);
    std::fflush(out);
    if (!r) {
        fmt::print(stderr, "{}: {}\n", cmd->spec().name, r.error().message());
        ++failures;
    }
    return true;
}

void interactive_loop(Session& session) {
    const std::string hist = history_path();
    // append_history needs the file to exist: create it on first use.
    if (!hist.empty() && read_history(hist.c_str()) != 0) write_history(hist.c_str());
    for (;;) {
        std::unique_ptr<char, decltype(&std::free)> raw(readline("kdive> "), &std::free);
        if (!raw) {  // EOF (Ctrl-D)
            std::fputc('\n', stdout);
            break;
        }
        std::string line(raw.get());
        if (line.find_first_not_of(" \t") != std::string::npos) {
            add_history(line.c_str());
            if (!hist.empty()) append_history(1, hist.c_str());
        }
        if (!run_line(session, line, stdout)) break;
    }
}

int batch_loop(Session& session, std::FILE* in) {
    failures = 0;
    char* buf = nullptr;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&buf, &cap, in)) >= 0) {
        std::string line(buf, static_cast<size_t>(n));
        if (!line.empty() && line.back() == '\n') line.pop_back();
        if (!run_line(session, line, stdout)) break;
    }
    std::free(buf);
    return failures;
}

}  // namespace kdive
