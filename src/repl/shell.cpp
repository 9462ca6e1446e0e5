// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/shell.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "kdive/command.hpp"
#include "kdive/interrupt.hpp"
#include "repl/interrupt.hpp"
#include "repl/line.hpp"
#include "repl/sink.hpp"

namespace kdive {

namespace {

bool valid_alias_name(std::string_view n) {
    if (n.empty()) return false;
    for (char c : n)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
    return n.front() != '-';
}

std::string pager_command() {
    for (const char* var : {"KDIVE_PAGER", "PAGER"})
        if (const char* p = std::getenv(var); p && *p) return p;
    return "less -FRX";
}

unsigned terminal_rows() {
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0) return 0;
    return ws.ws_row;
}

}  // namespace

Result<void> ReplShell::set_alias(const std::string& name, const std::string& text) {
    if (!valid_alias_name(name)) return fail("not a valid alias name (letters, digits, _ - .)", name);
    if (CommandRegistry::global().find(name)) return fail("is a command; an alias cannot hide it", name);
    auto words = split_command_line(text);
    if (!words) return words.failure();
    if (words->empty()) return fail("an alias needs a command", name);
    aliases_[name] = text;
    return {};
}

Result<void> ReplShell::remove_alias(const std::string& name) {
    if (aliases_.erase(name) == 0) return fail("no such alias", name);
    return {};
}

Result<void> ReplShell::execute(const std::vector<std::string>& words, Output& out) {
    return run_words(expand_aliases(words, aliases_), out);
}

Result<void> ReplShell::run_words(std::vector<std::string> words, Output& out) {
    if (words.empty()) return {};
    Command* cmd = CommandRegistry::global().find(words[0]);
    if (!cmd) return fail("command not found (try 'help')", words[0]);
    const std::string& name = cmd->spec().name;
    auto args = Arguments::parse(cmd->spec(), std::move(words), this);
    if (!args) return fail(args.error().message(), name);
    auto r = cmd->run(session_, *args, out);
    if (!r) return fail(r.error().message(), name);
    return {};
}

void ReplShell::report(const std::string& message) {
    std::fflush(stdout);
    fmt::print(stderr, "{}\n", message);
    ++failures_;
}

void ReplShell::run_line(std::string_view raw) {
    clear_interrupt();
    if (session_.live()) session_.cache().clear();  // the running kernel moved on
    const std::string line = expand_aliases(raw, aliases_);
    auto cl = parse_command_line(line);
    if (!cl) return report("kdive: " + cl.error().message());
    if (cl->shell_escape) {
        std::fflush(stdout);
        auto pid = spawn_shell(cl->shell);
        if (!pid) return report("kdive: " + pid.error().message());
        wait_child(*pid);
        return;
    }
    if (cl->words.empty()) return;

    Result<std::unique_ptr<OutputSink>> sink = OutputSink::stdout_sink();
    if (!cl->pipe.empty()) {
        sink = OutputSink::pipe_to(cl->pipe);
    } else if (!cl->redirect.empty()) {
        sink = OutputSink::file(cl->redirect, cl->append);
    } else if (interactive_ && settings_.scroll && isatty(STDOUT_FILENO)) {
        if (unsigned rows = terminal_rows()) sink = OutputSink::pager(rows, pager_command());
    }
    if (!sink) return report("kdive: " + sink.error().message());

    Output out((*sink)->stream(), settings_.format, settings_.radix);
    auto r = run_words(std::move(cl->words), out);
    out.finish();
    const bool reader_left = out.broken();
    auto closed = (*sink)->close();
    // A reader that went away (`| head`, quitting the pager) ends the command quietly.
    if (!r && !reader_left) return report(r.error().message());
    if (!closed) return report("kdive: " + closed.error().message());
}

int ReplShell::run_batch(std::FILE* in) {
    interactive_ = false;
    char* buf = nullptr;
    std::size_t cap = 0;
    ssize_t n;
    while (!quit_ && (n = getline(&buf, &cap, in)) >= 0) {
        std::string line(buf, static_cast<std::size_t>(n));
        if (!line.empty() && line.back() == '\n') line.pop_back();
        run_line(line);
        if (sigint_received()) break;  // Ctrl-C stops a batch, not just its current command
    }
    std::free(buf);
    return failures_;
}

}  // namespace kdive
