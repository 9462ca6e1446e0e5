// SPDX-License-Identifier: GPL-3.0-or-later
// The prompt: GNU readline's callback interface, so that Ctrl-C at the prompt (a SIGINT that
// interrupts select()) drops the line being typed, and Ctrl-C during a command only raises the
// flag commands poll. Tab completion comes from complete_line().
#include <readline/history.h>
#include <readline/readline.h>
#include <sys/select.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "kdive/interrupt.hpp"
#include "repl/completion.hpp"
#include "repl/interrupt.hpp"
#include "repl/shell.hpp"

namespace kdive {

namespace {

constexpr int kHistoryLines = 2000;

// readline's callbacks are plain functions: the state they fill for run_interactive().
ReplShell* active_shell = nullptr;
std::optional<std::string> typed_line;
bool typed_eof = false;
std::vector<std::string> matches;

extern "C" void on_line(char* line) {
    if (line) typed_line = line;
    else typed_eof = true;
    std::free(line);
    rl_callback_handler_remove();  // no second prompt while the command runs
}

extern "C" char* next_match(const char*, int state) {
    static std::size_t i;
    if (state == 0) i = 0;
    return i < matches.size() ? strdup(matches[i++].c_str()) : nullptr;
}

extern "C" char** on_complete(const char* text, int, int end) {
    Completion c = complete_line(*active_shell, std::string_view(rl_line_buffer, static_cast<std::size_t>(end)));
    if (c.files) return nullptr;  // readline's own file name completion
    rl_attempted_completion_over = 1;
    matches = std::move(c.candidates);
    return rl_completion_matches(text, next_match);
}

}  // namespace

void ReplShell::run_interactive(const std::string& history_file) {
    interactive_ = true;
    active_shell = this;
    rl_readline_name = "kdive";  // $if kdive in ~/.inputrc
    rl_catch_signals = 0;        // SIGINT is ours
    rl_attempted_completion_function = on_complete;
    rl_completer_word_break_characters = const_cast<char*>(kCompletionBreaks);
    rl_completer_quote_characters = const_cast<char*>("\"'");
    using_history();
    stifle_history(kHistoryLines);
    // append_history needs the file to exist: create it on first use.
    if (!history_file.empty() && read_history(history_file.c_str()) != 0) write_history(history_file.c_str());

    while (!quit_) {
        typed_line.reset();
        typed_eof = false;
        clear_interrupt();
        rl_callback_handler_install("kdive> ", on_line);
        while (!typed_line && !typed_eof) {
            fd_set in;
            FD_ZERO(&in);
            FD_SET(STDIN_FILENO, &in);
            int r = select(STDIN_FILENO + 1, &in, nullptr, nullptr, nullptr);
            if (r < 0 && errno == EINTR) {
                if (sigint_received()) {  // Ctrl-C at the prompt: a fresh, empty line
                    clear_interrupt();
                    rl_free_line_state();
                    rl_crlf();
                    rl_replace_line("", 0);
                    rl_on_new_line();
                    rl_redisplay();
                }
                continue;
            }
            if (r < 0) {
                typed_eof = true;
                rl_callback_handler_remove();
                break;
            }
            rl_callback_read_char();
        }
        if (typed_eof) {
            std::fputc('\n', stdout);
            break;
        }
        const std::string& line = *typed_line;
        if (line.find_first_not_of(" \t") != std::string::npos) {
            add_history(line.c_str());
            if (!history_file.empty()) append_history(1, history_file.c_str());
        }
        run_line(line);
    }
    if (!history_file.empty()) history_truncate_file(history_file.c_str(), kHistoryLines);
    active_shell = nullptr;
}

}  // namespace kdive
