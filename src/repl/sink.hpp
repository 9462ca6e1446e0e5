// SPDX-License-Identifier: GPL-3.0-or-later
// Where one command line's output goes: `| pipeline` (sh -c reading it), `> file`, `>> file`,
// the pager (on a terminal, past a screenful), or stdout.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <string>

#include "kdive/result.hpp"

namespace kdive {

class OutputSink {
public:
    static std::unique_ptr<OutputSink> stdout_sink();
    static Result<std::unique_ptr<OutputSink>> pipe_to(const std::string& shell_command);
    static Result<std::unique_ptr<OutputSink>> file(const std::string& path, bool append);
    // Holds output back until it passes `rows - 1` lines, then starts `pager_command` and
    // streams to it; shorter output goes to stdout as is.
    static std::unique_ptr<OutputSink> pager(unsigned rows, std::string pager_command);

    OutputSink(const OutputSink&) = delete;
    OutputSink& operator=(const OutputSink&) = delete;
    ~OutputSink();

    std::FILE* stream() const { return file_; }
    // Flushes, closes, waits for a child. Fails if the pipeline or the file write failed.
    Result<void> close();

    struct PagerState;

private:
    OutputSink() = default;

    std::FILE* file_ = nullptr;
    bool owns_file_ = false;
    pid_t child_ = -1;
    std::string what_;  // for errors: the file or the pipeline
    std::unique_ptr<PagerState> pager_;
};

// fork + exec `sh -c command` (or an interactive $SHELL when `command` is empty) with stdin
// from `stdin_fd` (-1: inherited); the child gets SIGINT and SIGPIPE back at their defaults.
Result<pid_t> spawn_shell(const std::string& command, int stdin_fd = -1);
// waitpid through EINTR; the exit status (128+N for a signal).
int wait_child(pid_t pid);

}  // namespace kdive
