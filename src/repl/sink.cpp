// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/sink.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "util/unique_fd.hpp"

namespace kdive {

namespace {

bool write_all(int fd, const char* buf, std::size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        buf += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

}  // namespace

Result<pid_t> spawn_shell(const std::string& command, int stdin_fd) {
    pid_t pid = fork();
    if (pid < 0) return fail(std::strerror(errno), "fork");
    if (pid == 0) {
        if (stdin_fd >= 0 && stdin_fd != STDIN_FILENO) dup2(stdin_fd, STDIN_FILENO);
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        if (command.empty()) {
            const char* sh = std::getenv("SHELL");
            if (!sh || !*sh) sh = "/bin/sh";
            execl(sh, sh, static_cast<char*>(nullptr));
        } else {
            execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        }
        _exit(127);
    }
    return pid;
}

int wait_child(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

struct OutputSink::PagerState {
    unsigned rows = 0;
    std::string command;
    std::string held;  // output not yet shown
    unsigned lines = 0;
    UniqueFd fd;  // the pager's stdin once started
    pid_t pid = -1;

    bool start() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) return false;
        UniqueFd read_end(fds[0]);
        fd.reset(fds[1]);
        auto p = spawn_shell(command, read_end.get());
        if (!p) {
            fd.reset();
            return false;
        }
        pid = *p;
        return true;
    }
};

namespace {

ssize_t pager_write(void* cookie, const char* buf, std::size_t n) {
    auto* p = static_cast<OutputSink::PagerState*>(cookie);
    if (p->fd) return write_all(p->fd.get(), buf, n) ? static_cast<ssize_t>(n) : -1;
    p->held.append(buf, n);
    for (std::size_t i = 0; i < n; ++i) p->lines += buf[i] == '\n';
    if (p->lines + 1 >= p->rows) {
        // More than a screen: hand everything to the pager (or to stdout if it cannot start).
        int fd = p->start() ? p->fd.get() : STDOUT_FILENO;
        bool ok = write_all(fd, p->held.data(), p->held.size());
        p->held.clear();
        p->rows = ~0u;  // without a pager, stream from now on
        if (!ok) return -1;
    }
    return static_cast<ssize_t>(n);
}

int pager_close(void* cookie) {
    auto* p = static_cast<OutputSink::PagerState*>(cookie);
    bool ok = write_all(STDOUT_FILENO, p->held.data(), p->held.size());
    p->held.clear();
    if (p->fd) {
        p->fd.reset();
        wait_child(p->pid);
        p->pid = -1;
    }
    return ok ? 0 : -1;
}

}  // namespace

std::unique_ptr<OutputSink> OutputSink::stdout_sink() {
    std::unique_ptr<OutputSink> s(new OutputSink());
    s->file_ = stdout;
    s->what_ = "stdout";
    return s;
}

Result<std::unique_ptr<OutputSink>> OutputSink::pipe_to(const std::string& shell_command) {
    std::fflush(stdout);  // what was printed before must come out before the pipeline's output
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return fail(std::strerror(errno), "pipe");
    UniqueFd read_end(fds[0]);
    std::FILE* f = fdopen(fds[1], "w");  // owns fds[1] from here
    if (!f) {
        ::close(fds[1]);
        return fail(std::strerror(errno), "fdopen");
    }
    std::unique_ptr<OutputSink> s(new OutputSink());
    s->file_ = f;
    s->owns_file_ = true;
    s->what_ = shell_command;
    auto pid = spawn_shell(shell_command, read_end.get());
    if (!pid) return pid.failure();  // ~OutputSink closes f
    s->child_ = *pid;
    return s;
}

Result<std::unique_ptr<OutputSink>> OutputSink::file(const std::string& path, bool append) {
    std::FILE* f = std::fopen(path.c_str(), append ? "a" : "w");
    if (!f) return fail(std::strerror(errno), path);
    std::unique_ptr<OutputSink> s(new OutputSink());
    s->file_ = f;
    s->owns_file_ = true;
    s->what_ = path;
    return s;
}

std::unique_ptr<OutputSink> OutputSink::pager(unsigned rows, std::string pager_command) {
    std::unique_ptr<OutputSink> s(new OutputSink());
    s->pager_ = std::make_unique<PagerState>();
    s->pager_->rows = rows;
    s->pager_->command = std::move(pager_command);
    s->file_ = fopencookie(s->pager_.get(), "w", {nullptr, pager_write, nullptr, pager_close});
    if (!s->file_) return stdout_sink();
    s->owns_file_ = true;
    s->what_ = "pager";
    return s;
}

Result<void> OutputSink::close() {
    if (!file_) return {};
    bool write_failed = false;
    if (owns_file_) {
        // A reader that left early (`| head`) is not an error: EPIPE is expected.
        write_failed = std::fclose(file_) != 0 && errno != EPIPE;
    } else {
        std::fflush(file_);
        std::clearerr(file_);
    }
    file_ = nullptr;
    if (child_ > 0) {
        wait_child(std::exchange(child_, -1));
    }
    if (write_failed && !pager_) return fail(std::strerror(errno), what_);
    return {};
}

OutputSink::~OutputSink() { (void)close(); }

}  // namespace kdive
