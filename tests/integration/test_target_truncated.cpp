// SPDX-License-Identifier: GPL-3.0-or-later
// Dump files that are cut short, not dumps, or compressed with an unknown method: one-line
// errors at open; with --force a cut dump opens and reads of what is missing fail clearly.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "session/dump_session.hpp"
#include "lab.hpp"
#include "memory/kdump_target.hpp"

using kdive::AddressSpace;

namespace {

// A copy of the first `percent`% of a lab file in /tmp, removed when the object goes.
class TmpCopy {
public:
    TmpCopy(const lab::fs::path& src, unsigned percent) {
        path_ = fmt::format("/tmp/kdive-cut-{}-{}-{}", getpid(), percent, src.filename().string());
        const auto size = lab::fs::file_size(src);
        lab::run(fmt::format("head -c {} '{}' > '{}'", size * percent / 100, src.string(), path_));
        REQUIRE(lab::fs::file_size(path_) == size * percent / 100);
    }
    ~TmpCopy() { std::filesystem::remove(path_); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// The highest physical page the full dump holds: its data is at the very end of a
// kdump-compressed file (pages are stored in frame order) and in the last ELF segment.
std::uint64_t last_page(kdive::KdumpTarget& t) {
    std::array<std::byte, 4096> page{};
    for (std::uint64_t pa = (1ULL << 30) - 4096; pa > 0; pa -= 4096)
        if (t.read(AddressSpace::Physical, pa, page)) return pa;
    FAIL("no readable page");
    return 0;
}

}  // namespace

TEST_CASE("truncated dumps are refused, or opened with --force and read up to the cut",
          "[lab][truncated]") {
    struct Case {
        const char* file;
        unsigned percent;
    };
    for (Case c : {Case{"kdump-l5/vmcore.zlib", 1}, Case{"kdump-l5/vmcore.zlib", 50},
                   Case{"kdump-l5/vmcore.zlib", 99}, Case{"kdump-l4/vmcore.lzo", 1},
                   Case{"kdump-l4/vmcore.lzo", 50}, Case{"kdump-l4/vmcore.lzo", 99},
                   Case{"kdump-l4/vmcore.elf", 1}, Case{"kdump-l4/vmcore.elf", 50}}) {
        INFO(c.file << " cut at " << c.percent << "%");
        const auto full_path = lab::dir() / c.file;
        TmpCopy cut(full_path, c.percent);

        auto refused = kdive::DumpSession::open(lab::vmlinux(), cut.path());
        REQUIRE_FALSE(refused);
        CHECK_THAT(refused.error().message(), Catch::Contains("dump file is truncated"));
        CHECK(refused.error().message().find('\n') == std::string::npos);

        // Through the binary: one line, exit 1, nothing aborts.
        int status = -1;
        const std::string out = lab::run(std::string(KDIVE_BINARY) + " " +
                                         lab::vmlinux().string() + " " + cut.path() + " 2>&1",
                                         &status);
        CHECK(status == 1);
        CHECK(std::count(out.begin(), out.end(), '\n') == 1);

        // --force: what is there reads as in the full dump; what is not is an error.
        auto full = kdive::KdumpTarget::open(full_path);
        REQUIRE(full);
        auto t = kdive::KdumpTarget::open(cut.path(), {.allow_truncated = true});
        REQUIRE(t);
        std::array<std::byte, 4096> a{}, b{};
        const std::uint64_t top = last_page(**full);
        auto r = (*t)->read(AddressSpace::Physical, top, a);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message(), Catch::Contains("dump file is truncated"));
        CHECK(r.error().where == kdive::hex_address(top));
        // The lowest pages are stored first: the same bytes as in the full dump (at 1% a
        // kdump-compressed file is cut inside its page descriptors: no page data at all).
        if (c.percent >= 50) {
            std::uint64_t low = 1ULL << 20;
            while (!(*full)->read(AddressSpace::Physical, low, a)) low += 4096;
            REQUIRE((*t)->read(AddressSpace::Physical, low, b));
            CHECK(a == b);
        }
        if (c.percent == 99) {  // the kernel image is stored well before the last 1%
            auto s = kdive::DumpSession::open(lab::vmlinux(), cut.path(),
                                              {.kaslr = std::nullopt, .force = true});
            REQUIRE(s);
            CHECK_FALSE((*s)->warnings().empty());
            auto banner = (*s)->target().read_string(
                AddressSpace::KernelVirtual, *(*s)->symbol_address("linux_banner"), 512);
            REQUIRE(banner);
            CHECK(*banner == lab::truth(lab::fs::path(c.file).parent_path().string(), "version") + "\n");
        }
    }
}

TEST_CASE("not a dump, a directory, an unknown compression: one line each", "[lab][truncated]") {
    int status = -1;
    const std::string bin = std::string(KDIVE_BINARY) + " " + lab::vmlinux().string() + " ";
    for (const std::string& bad : {lab::dir().string(), (lab::dir() / "config").string(),
                                   lab::vmlinux().string()}) {
        const std::string out = lab::run(bin + bad + " 2>&1", &status);
        INFO(bad << ": " << out);
        CHECK(status == 1);
        CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    }

    // A page compressed with a method makedumpfile does not define (flag 0x40): patch the
    // first page descriptor's flags in a copy. Header fields per makedumpfile's diskdump_mod.h.
    TmpCopy copy(lab::dir() / "kdump-l5" / "vmcore.zlib", 100);
    int fd = ::open(copy.path().c_str(), O_RDWR);
    REQUIRE(fd >= 0);
    std::array<std::int32_t, 4> h{};  // block_size, sub_hdr_size, bitmap_blocks, max_mapnr
    REQUIRE(::pread(fd, h.data(), sizeof h, 428) == sizeof h);
    const std::uint64_t desc = (1 + std::uint64_t(h[1]) + std::uint32_t(h[2])) * std::uint64_t(h[0]);
    const std::uint32_t flags = 0x40;
    REQUIRE(::pwrite(fd, &flags, sizeof flags, static_cast<off_t>(desc + 12)) == sizeof flags);
    ::close(fd);
    auto t = kdive::KdumpTarget::open(copy.path());
    REQUIRE_FALSE(t);
    CHECK_THAT(t.error().message(), Catch::Contains("unknown method"));
}
