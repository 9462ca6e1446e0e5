// SPDX-License-Identifier: GPL-3.0-or-later
// Bad input to the binary: dumps that are not dumps, cannot be read, lost their VMCOREINFO;
// addresses in excluded pages, a list that loops, malformed expressions. Each is one clear
// line; kdive never aborts, and a batch goes on after a failed command. (Truncated dumps and a
// mismatched vmlinux: test_target_truncated.cpp, test_target_mismatch.cpp.) Copies of lab
// files live in /tmp and are removed after; the lab's own files are never written.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "session/dump_session.hpp"
#include "kdive/object.hpp"
#include "lab.hpp"
#include "memory/kdump_target.hpp"

namespace {

namespace fs = std::filesystem;

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// `kdive VMLINUX PATH` with nothing to run: its output (stdout and stderr) and exit status.
// `timeout`: a dump that blocks the open (a FIFO) must fail the test, not hang it.
std::string open_with_kdive(const std::string& path, int* status) {
    return lab::run(fmt::format("timeout 120 {} -s {} '{}' < /dev/null 2>&1", KDIVE_BINARY,
                                lab::vmlinux().string(), path),
                    status);
}

// A path in /tmp removed (file, FIFO or socket) when this goes away.
class TmpPath {
public:
    explicit TmpPath(const std::string& name) : path_(fmt::format("/tmp/kdive-bad-{}-{}", getpid(), name)) {
        fs::remove(path_);
    }
    ~TmpPath() {
        std::error_code ec;
        fs::permissions(path_, fs::perms::owner_all, ec);
        fs::remove(path_, ec);
    }
    TmpPath(const TmpPath&) = delete;
    TmpPath& operator=(const TmpPath&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

void check_one_line_refusal(const std::string& path, const std::string& expected) {
    int status = -1;
    const std::string out = open_with_kdive(path, &status);
    INFO(path << ": " << out);
    CHECK(status == 1);
    CHECK(lines(out) == 1);
    CHECK_THAT(out, Catch::Contains(expected));
}

}  // namespace

TEST_CASE("files that are no dumps or cannot be read are refused in one line", "[lab][bad-input]") {
    SECTION("a text file") {
        TmpPath copy("passwd");
        fs::copy_file("/etc/passwd", copy.path());
        check_one_line_refusal(copy.path(), "not a kernel dump");
    }
    SECTION("an empty file") {
        TmpPath empty("empty");
        std::ofstream(empty.path()).close();
        check_one_line_refusal(empty.path(), empty.path());
    }
    SECTION("a directory") { check_one_line_refusal(lab::dir().string(), "is a directory"); }
    SECTION("a missing file") {
        check_one_line_refusal("/tmp/kdive-bad-no-such-file", "No such file or directory");
    }
    SECTION("a FIFO: refused, not waited on") {
        TmpPath fifo("fifo");
        REQUIRE(::mkfifo(fifo.path().c_str(), 0600) == 0);
        check_one_line_refusal(fifo.path(), "not a regular file");
    }
    SECTION("a socket, which open() refuses even to root") {
        TmpPath sock("sock");
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        REQUIRE(fd >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, sock.path().c_str(), sizeof addr.sun_path - 1);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        check_one_line_refusal(sock.path(), sock.path());
        ::close(fd);
    }
    SECTION("a file that opens but cannot be read (/proc/self/mem at offset 0)") {
        check_one_line_refusal("/proc/self/mem", "/proc/self/mem");
    }
    SECTION("a file without read permission") {
        // root reads through any mode bits (CAP_DAC_OVERRIDE): the socket and /proc/self/mem
        // cases above stand in for it there.
        if (::geteuid() == 0) {
            WARN("running as root: mode 000 does not stop root's reads, case skipped");
            return;
        }
        TmpPath locked("locked");
        fs::copy_file("/etc/passwd", locked.path());
        fs::permissions(locked.path(), fs::perms::none);
        check_one_line_refusal(locked.path(), "Permission denied");
    }
}

TEST_CASE("a kdump-compressed dump whose VMCOREINFO is zeroed is refused in one line", "[lab][bad-input]") {
    // A kdump-compressed dump holds VMCOREINFO twice before its bitmaps: the sub-header's copy
    // and the note makedumpfile kept. Zero the text of both (it starts with OSRELEASE= and
    // runs to the note's NUL padding) in a copy.
    const fs::path src = lab::dir() / "kdump-l5" / "vmcore.lzo";
    TmpPath copy("novmcoreinfo.lzo");
    fs::copy_file(src, copy.path());
    {
        const int fd = ::open(copy.path().c_str(), O_RDWR);
        REQUIRE(fd >= 0);
        std::int32_t hdr[2] = {};  // block_size, sub_hdr_size (makedumpfile's diskdump_mod.h)
        REQUIRE(::pread(fd, hdr, sizeof hdr, 428) == sizeof hdr);
        std::string head(static_cast<std::size_t>(1 + hdr[1]) * static_cast<std::size_t>(hdr[0]), '\0');
        REQUIRE(::pread(fd, head.data(), head.size(), 0) == static_cast<ssize_t>(head.size()));
        int zeroed = 0;
        for (auto at = head.find("OSRELEASE="); at != std::string::npos; at = head.find("OSRELEASE=", at)) {
            const auto end = head.find('\0', at);
            REQUIRE(end != std::string::npos);
            const std::string zeros(end - at, '\0');
            REQUIRE(::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(at)) ==
                    static_cast<ssize_t>(zeros.size()));
            head.replace(at, zeros.size(), zeros);
            ++zeroed;
        }
        ::close(fd);
        REQUIRE(zeroed >= 1);
    }
    // libkdumpfile 0.5.1 crashes reading such a file's physical memory (where the kernel would
    // be searched for, as in QEMU's ELF dumps): refused at open instead.
    auto t = kdive::KdumpTarget::open(copy.path());
    REQUIRE_FALSE(t);
    CHECK_THAT(t.error().message(), Catch::Contains("without VMCOREINFO"));
    check_one_line_refusal(copy.path(), "without VMCOREINFO");
}

TEST_CASE("bad commands in a batch: one line each, the session goes on", "[lab][bad-input]") {
    const lab::Dump dump{"kdump-l5", "lzo", lab::dir() / "kdump-l5" / "vmcore.lzo"};
    const std::string release = lab::truth("kdump-l5", "uname");

    // A physical page -d 31 left out (free or user memory): a gap in the page map.
    auto t = kdive::KdumpTarget::open(dump.path);
    REQUIRE(t);
    auto present = (*t)->present_physical();
    REQUIRE(present);
    REQUIRE(present->size() > 1);
    std::uint64_t excluded = 0;
    for (std::size_t i = 0; i + 1 < present->size() && !excluded; ++i)
        if ((*present)[i].end >= (1u << 20) && (*present)[i].end < (*present)[i + 1].start)
            excluded = (*present)[i].end;
    REQUIRE(excluded);

    // A list that loops without coming back to its start: from 8 bytes before the empty
    // list_head init_task.ptraced (next == prev == itself), following the pointer at +8
    // reaches the list_head, whose pointers lead to itself for ever.
    auto s = kdive::DumpSession::open(lab::vmlinux(), dump.path);
    REQUIRE(s);
    auto empty = kdive::evaluate(**s, "init_task.ptraced.next == &init_task.ptraced && "
                                      "init_task.ptraced.prev == &init_task.ptraced");
    REQUIRE(empty);
    REQUIRE(empty->to_u64().value_or(0) == 1);

    struct Bad {
        std::string command, error;
    };
    const Bad bad[] = {
        {fmt::format("rd -p {:#x}", excluded), "page not in the dump"},
        {"rd 0x10", "0x10"},
        {"list -o 8 \"(char *)&init_task.ptraced - 8\"", "loops back on itself"},
        {"p (", "expression ends too soon"},
        {"p 1 +", "expression ends too soon"},
        {"p 1 / 0", "division by zero"},
        {"p " + std::string(300, '(') + "1", "nested too deeply"},
        {"struct task_struct.nosuch 0", "nosuch"},
        {"p no_such_symbol_anywhere", "no_such_symbol_anywhere"},
    };
    for (const Bad& b : bad) {
        INFO(b.command);
        int status = -1;
        const std::string out = lab::kdive_batch(b.command + "\nsys\n", dump.path, &status);
        INFO(out);
        // The failed command's line, then sys in full: RELEASE is still printed.
        CHECK_THAT(out, Catch::Contains(b.error));
        CHECK_THAT(out, Catch::Contains("RELEASE: " + release));
        const auto sys_at = out.find("KERNEL:");
        REQUIRE(sys_at != std::string::npos);
        const std::string before = out.substr(0, sys_at);
        // The list walk prints the entries it met before the loop; the error is one line.
        CHECK(std::count_if(before.begin(), before.end(), [](char c) { return c == '\n'; }) <=
              (b.command.starts_with("list") ? 3 : 1));
        CHECK(status != 134);  // not SIGABRT's 128 + 6 through a shell
    }
}
