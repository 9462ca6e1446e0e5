// SPDX-License-Identifier: GPL-3.0-or-later
// log: the printk buffer read from each dump holds what the guest's serial console printed
// before the crash, with the same time stamps; and kdive prints it as crash 8.0.2 does.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "kdive/printk.hpp"
#include "lab.hpp"

namespace {

const std::regex& stamped() {
    static const std::regex re(R"(^\[ *\d+\.\d{6}\] )");
    return re;
}

// The first kernel's console lines with a time stamp: up to the capture kernel's boot in kdump
// scenarios. Lines from userspace (the truth printout) have no stamp, or share a line with a
// kernel message that then does not start it: both are left out.
std::vector<std::string> console_kernel_lines(const std::string& scenario) {
    std::ifstream in(lab::dir() / scenario / "console.log");
    REQUIRE(in);
    std::vector<std::string> lines;
    int boots = 0;
    static const std::regex boot(R"(^\[ *0\.000000\] Linux version )");
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (std::regex_search(line, boot) && ++boots == 2) break;
        if (std::regex_search(line, stamped())) lines.push_back(line);
    }
    return lines;
}

// kdive's log as the console shows it: the console repeats the stamp on every line of a
// multi-line message, kdive (like crash) indents the continuation lines instead.
std::vector<std::string> as_console(const std::vector<std::string>& log) {
    std::vector<std::string> out;
    std::string stamp;
    std::smatch m;
    for (const auto& line : log) {
        if (std::regex_search(line, m, stamped())) {
            stamp = m.str(0);
            out.push_back(line);
        } else if (!stamp.empty() && line.starts_with(std::string(stamp.size(), ' '))) {
            out.push_back(stamp + line.substr(stamp.size()));
        }
    }
    return out;
}

}  // namespace

TEST_CASE("log holds the console's kernel messages in order, with their stamps", "[lab][log]") {
    for (const auto& dump : lab::dumps()) {
        INFO(dump.name());
        int status = -1;
        const auto log = lab::lines(lab::kdive_batch("log\n", dump.path, &status));
        CHECK(status == 0);
        const auto console = console_kernel_lines(dump.scenario);
        REQUIRE(console.size() > 300);

        // The panic, verbatim, with the console's stamps.
        for (const std::string text : {"sysrq: Trigger a crash", "Kernel panic - not syncing: sysrq triggered crash"}) {
            INFO(text);
            auto it = std::find_if(console.begin(), console.end(), [&](const auto& l) { return l.ends_with("] " + text); });
            REQUIRE(it != console.end());
            CHECK(std::find(log.begin(), log.end(), *it) != log.end());
        }
        // Every stamped console line, in the console's order. The log has more: messages
        // below the console's level (KERN_DEBUG) and those printed while no console was up.
        const auto expanded = as_console(log);
        CHECK(expanded.size() >= console.size());
        std::size_t at = 0, missing = 0;
        for (const auto& line : console) {
            auto it = std::find(expanded.begin() + static_cast<std::ptrdiff_t>(at), expanded.end(), line);
            if (it == expanded.end()) {
                UNSCOPED_INFO("not in the log (or out of order): " << line);
                ++missing;
                continue;
            }
            at = static_cast<std::size_t>(it - expanded.begin()) + 1;
        }
        CHECK(missing == 0);
    }
}

TEST_CASE("log options: -t -m -T -d -c and --json", "[lab][log]") {
    const auto dump = lab::dir() / "kdump-l5" / "vmcore.zlib";
    int status = -1;
    const auto plain = lab::lines(lab::kdive_batch("log\n", dump, &status));
    REQUIRE(status == 0);
    REQUIRE(plain.size() > 300);

    SECTION("-t drops the stamps, -m adds the level") {
        const auto t = lab::lines(lab::kdive_batch("log -t\n", dump));
        REQUIRE(t.size() == plain.size());
        for (std::size_t i = 0; i < t.size(); ++i) {
            INFO(plain[i]);
            CHECK(plain[i].substr(std::min<std::size_t>(15, plain[i].size())) == t[i]);
        }
        const std::string m = lab::kdive_batch("log -t -m\n", dump);
        CHECK(m.find("\n<0>Kernel panic - not syncing: sysrq triggered crash\n") != std::string::npos);
        CHECK(m.find("\n<6>sysrq: Trigger a crash\n") != std::string::npos);
    }
    SECTION("-T: wall-clock stamps") {
        const auto t = lab::lines(lab::kdive_batch("log -T\n", dump));
        REQUIRE(t.size() == plain.size());
        static const std::regex wall(R"(^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \w+ \d{4}\] Linux version)");
        CHECK(std::regex_search(t.front(), wall));
    }
    SECTION("-d: dev_printk's dictionary") {
        const std::string d = lab::kdive_batch("log -d\n", dump);
        CHECK(d.find("\n               SUBSYSTEM=pci\n               DEVICE=+pci:0000:00:00.0\n") != std::string::npos);
    }
    SECTION("-c: the panic was printed by the task that wrote to sysrq-trigger") {
        const std::string pid = lab::truth("kdump-l5", "panic_pid");
        const std::string c = lab::kdive_batch("log -c\n", dump);
        CHECK(c.find(fmt::format("] [{:>6}] Kernel panic - not syncing: sysrq triggered crash\n", "T" + pid)) !=
              std::string::npos);
    }
    SECTION("--json: one object per record") {
        const lab::TempFile batch("log\n");
        const auto j = lab::lines(lab::run(std::string(KDIVE_BINARY) + " -s --json -i " + batch.path() + " " +
                                            lab::vmlinux().string() + " " + dump.string()));
        REQUIRE(j.size() > 300);
        CHECK(j.front().starts_with("{\"seq\":0,\"ts_nsec\":0,\"level\":5,"));
        const auto panic = std::find_if(j.begin(), j.end(), [](const auto& l) {
            return l.find("\"text\":\"Kernel panic - not syncing: sysrq triggered crash\"") != std::string::npos;
        });
        REQUIRE(panic != j.end());
        CHECK(panic->find("\"level\":0,") != std::string::npos);
    }
    SECTION("-a: the audit queues exist and are empty") {
        CHECK(lab::kdive_batch("log -a\n", dump) == "log: kernel audit log is empty\n");
    }
}

TEST_CASE("log prints what crash prints", "[lab][log][crash]") {
    const auto dump = lab::dir() / "kdump-l4" / "vmcore.zlib";
    const std::vector<std::string> cmds = {"log", "log -m", "log -t", "log -T", "log -d"};
    const auto expected = lab::crash_run(dump, cmds);
    for (std::size_t i = 0; i < cmds.size(); ++i) {
        INFO(cmds[i]);
        REQUIRE(expected[i].size() > 10'000);
        int status = -1;
        const std::string got = lab::kdive_batch(cmds[i] + "\n", dump, &status);
        CHECK(status == 0);
        const auto want_lines = lab::lines(expected[i]), got_lines = lab::lines(got);
        CHECK(got_lines.size() == want_lines.size());
        for (std::size_t k = 0; k < std::min(got_lines.size(), want_lines.size()); ++k)
            if (got_lines[k] != want_lines[k]) {
                CHECK(got_lines[k] == want_lines[k]);
                break;
            }
    }
}

TEST_CASE("the ring buffer's text blocks are found as get_data() finds them", "[log]") {
    // A 64-byte text ring (size_bits 6); each block starts with its 8-byte id.
    std::vector<std::byte> ring(64, std::byte{'#'});
    auto put = [&](std::size_t at, std::string_view text) {
        for (std::size_t i = 0; i < text.size(); ++i) ring[at + i] = static_cast<std::byte>(text[i]);
    };
    put(16 + 8, "hello");
    put(8, "wrapped");
    auto text = [&](std::uint64_t begin, std::uint64_t next, std::uint64_t len) {
        auto t = kdive::printk_block_text(ring, 6, begin, next, len);
        return t ? std::string(*t) : std::string("<none>");
    };
    // A regular block, in any wrap of the ring; the text is cut to text_len (the block is
    // padded to the id's alignment).
    CHECK(text(16, 32, 5) == "hello");
    CHECK(text(64 * 3 + 16, 64 * 3 + 32, 5) == "hello");
    CHECK(text(16, 32, 100) == "hello###");  // a longer text_len: cut to the block, as crash does
    // A block that would cross the end is stored whole at the start: begin is in the previous
    // wrap, next's index is its end.
    CHECK(text(64 + 48, 128 + 16, 7) == "wrapped");
    // Data-less blocks: empty text (NO_LPOS), or nothing to read (FAILED_LPOS).
    CHECK(text(3, 3, 0).empty());
    CHECK(text(1, 1, 0) == "<none>");
    // Illegal descriptions: next before begin, two wraps apart, misaligned, shorter than an id.
    CHECK(text(32, 16, 5) == "<none>");
    CHECK(text(16, 128 + 32, 5) == "<none>");
    CHECK(text(20, 32, 5) == "<none>");
    CHECK(text(16, 20, 0) == "<none>");
    CHECK(text(16, 16, 0) == "<none>");
    // A ring smaller than its size_bits say (a short read) is never overrun.
    CHECK(!kdive::printk_block_text(std::span(ring).first(20), 6, 16, 32, 5));
}
