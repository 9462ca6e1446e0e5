// SPDX-License-Identifier: GPL-3.0-or-later
// The interactive shell in a real pseudo-terminal: tab completion (commands, options, symbols),
// the pager, Ctrl-C during a command and at the prompt, and history kept across sessions.
#include <catch2/catch.hpp>

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "lab.hpp"

namespace {

// kdive on the slave side of a pty; the test types on the master side and reads the screen.
class PtySession {
public:
    PtySession(const std::string& home, const std::vector<std::string>& extra_env) {
        winsize ws{};
        ws.ws_row = 24;
        ws.ws_col = 200;
        const std::string vmlinux = lab::vmlinux().string();
        const std::string dump = (lab::dir() / "kdump-l5" / "vmcore.zlib").string();
        pid_ = forkpty(&master_, nullptr, nullptr, &ws);
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            setenv("HOME", home.c_str(), 1);
            setenv("TERM", "xterm", 1);
            setenv("INPUTRC", "/dev/null", 1);
            for (const auto& e : extra_env) putenv(const_cast<char*>(e.c_str()));
            execl(KDIVE_BINARY, KDIVE_BINARY, "-s", vmlinux.c_str(), dump.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
    }
    ~PtySession() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (master_ >= 0) close(master_);
    }

    void type(const std::string& keys) {
        REQUIRE(write(master_, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size()));
    }

    // Reads until `needle` shows up after what earlier expects consumed.
    bool expect(const std::string& needle, int timeout_ms = 20000) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        for (;;) {
            if (auto p = screen_.find(needle, mark_); p != std::string::npos) {
                mark_ = p + needle.size();
                return true;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd pfd{master_, POLLIN, 0};
            if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
            char buf[4096];
            ssize_t n = read(master_, buf, sizeof buf);
            if (n <= 0) return false;  // kdive went away
            screen_.append(buf, static_cast<std::size_t>(n));
        }
    }

    // Waits for kdive to exit; its status.
    int wait_exit() {
        char buf[4096];
        while (read(master_, buf, sizeof buf) > 0) screen_.append(buf);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    const std::string& screen() const { return screen_; }
    std::string since_mark() const { return screen_.substr(mark_); }

private:
    pid_t pid_ = -1;
    int master_ = -1;
    std::string screen_;
    std::size_t mark_ = 0;
};

}  // namespace

TEST_CASE("pty: completion, pager, Ctrl-C and history", "[lab][shell][pty]") {
    char tmpl[] = "/tmp/kdive-home-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    const std::string home = tmpl;
    {
        // The pager: a sed that marks each line, so paged output is recognisable.
        PtySession s(home, {"KDIVE_PAGER=sed s/^/PAGED:/"});
        INFO(s.screen());
        REQUIRE(s.expect("kdive> "));

        // A command name, then its argument (a command name too), completed by TAB.
        s.type("he\t");
        REQUIRE(s.expect("help "));
        s.type("repe\t");
        REQUIRE(s.expect("repeat "));
        s.type("\r");
        // `help repeat' is longer than 24 rows: it went through the pager.
        CHECK(s.expect("PAGED:SYNOPSIS"));
        CHECK(s.expect("PAGED:  repeat [-seconds] [--count N] command ..."));
        REQUIRE(s.expect("kdive> "));

        // An option from the table, then a symbol from the vmlinux (rd takes an address).
        s.type("repeat --cou\t");
        CHECK(s.expect("--count "));
        s.type("\x15");  // Ctrl-U: drop the line
        s.type("rd linux_bann\t");
        CHECK(s.expect("linux_banner "));
        s.type("\x15");
        // Type names and struct members from the DWARF engine.
        s.type("struct task_stru\t");
        CHECK(s.expect("task_struct"));
        s.type("\x15");
        s.type("struct task_struct.se.lo\t");
        CHECK(s.expect("task_struct.se.load "));
        s.type("\x15");

        // Ctrl-C during a command that would run for ever.
        s.type("set scroll off\r");
        REQUIRE(s.expect("kdive> "));
        s.type("repeat sys\r");
        REQUIRE(s.expect("RELEASE:"));
        REQUIRE(s.expect("RELEASE:"));
        s.type("\x03");
        REQUIRE(s.expect("kdive> "));
        s.type("!echo alive-$((6*7))\r");
        CHECK(s.expect("alive-42"));
        REQUIRE(s.expect("kdive> "));

        // Ctrl-C at the prompt drops what was typed.
        s.type("sys garbage");
        s.type("\x03");
        s.type("!echo fresh-$((1+1))\r");
        CHECK(s.expect("fresh-2"));
        CHECK(s.screen().find("unexpected argument 'garbage'") == std::string::npos);
        REQUIRE(s.expect("kdive> "));
        s.type("q\r");
        CHECK(s.wait_exit() == 0);
    }
    std::ifstream hist(home + "/.kdive_history");
    std::stringstream ss;
    ss << hist.rdbuf();
    INFO(ss.str());
    CHECK_THAT(ss.str(), Catch::Contains("help repeat"));
    CHECK_THAT(ss.str(), Catch::Contains("set scroll off\n"));
    CHECK(ss.str().find("sys garbage") == std::string::npos);  // dropped, never entered
    {
        // A new session recalls the last session's lines: Ctrl-P twice is `!echo fresh...'.
        PtySession s(home, {});
        INFO(s.screen());
        REQUIRE(s.expect("kdive> "));
        s.type("\x10\x10\r");
        CHECK(s.expect("fresh-2"));
        REQUIRE(s.expect("kdive> "));
        s.type("\x04");  // Ctrl-D leaves too
        CHECK(s.wait_exit() == 0);
    }
    std::filesystem::remove_all(home);
}
