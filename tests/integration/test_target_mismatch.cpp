// SPDX-License-Identifier: GPL-3.0-or-later
// A vmlinux that is not the dump's: refused in one line naming both sides, or with --force
// opened with a warning.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "debuginfo/elf_file.hpp"
#include "session/dump_session.hpp"
#include "lab.hpp"

namespace {

// The GNU build-id as readelf prints it (an independent reader of the note).
std::string readelf_build_id(const std::string& path) {
    const std::string out = lab::run("readelf -n " + path + " | sed -n 's/.*Build ID: //p'");
    return out.substr(0, out.find('\n'));
}

// A copy of the lab vmlinux in /tmp with one byte of its build-id flipped and its release
// changed from 6.x to 7.x in linux_banner: another build of "another" kernel. Removed at exit.
class WrongVmlinux {
public:
    static const std::string& path() {
        static WrongVmlinux w;
        return w.path_;
    }
    ~WrongVmlinux() { std::filesystem::remove(path_); }

private:
    WrongVmlinux() {
        path_ = "/tmp/kdive-wrong-vmlinux-" + std::to_string(getpid());
        std::filesystem::copy_file(lab::vmlinux(), path_,
                                   std::filesystem::copy_options::overwrite_existing);
        std::uint64_t id_off = 0, banner_off = 0;
        {
            auto f = kdive::ElfFile::open(path_);
            REQUIRE(f);
            REQUIRE((*f)->load_symbols());
            const kdive::ElfSymbol* banner = (*f)->symbol("linux_banner");
            REQUIRE(banner);
            Elf* elf = (*f)->elf();
            for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf, scn));) {
                GElf_Shdr sh;
                gelf_getshdr(scn, &sh);
                if (sh.sh_type == SHT_NOTE && !id_off) {
                    Elf_Data* d = elf_getdata(scn, nullptr);
                    GElf_Nhdr nh;
                    size_t off = 0, name_off = 0, desc_off = 0;
                    while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0)
                        if (nh.n_type == NT_GNU_BUILD_ID) id_off = sh.sh_offset + desc_off;
                }
                if (sh.sh_type == SHT_PROGBITS && banner->address >= sh.sh_addr &&
                    banner->address < sh.sh_addr + sh.sh_size)
                    banner_off = sh.sh_offset + (banner->address - sh.sh_addr);
            }
        }
        REQUIRE(id_off);
        REQUIRE(banner_off);
        int fd = ::open(path_.c_str(), O_RDWR);
        REQUIRE(fd >= 0);
        unsigned char b = 0;
        REQUIRE(::pread(fd, &b, 1, static_cast<off_t>(id_off)) == 1);
        b ^= 0xff;
        REQUIRE(::pwrite(fd, &b, 1, static_cast<off_t>(id_off)) == 1);
        char v = 0;  // "Linux version 6..." -> "Linux version 7..."
        REQUIRE(::pread(fd, &v, 1, static_cast<off_t>(banner_off + 14)) == 1);
        REQUIRE(v == '6');
        v = '7';
        REQUIRE(::pwrite(fd, &v, 1, static_cast<off_t>(banner_off + 14)) == 1);
        ::close(fd);
    }
    std::string path_;
};

}  // namespace

TEST_CASE("a vmlinux of another build is rejected, naming both sides", "[lab][mismatch]") {
    const std::string& wrong = WrongVmlinux::path();
    const std::string right_id = readelf_build_id(lab::vmlinux());
    const std::string wrong_id = readelf_build_id(wrong);
    REQUIRE(right_id.size() == 40);
    REQUIRE(wrong_id.size() == 40);
    REQUIRE(right_id != wrong_id);
    const std::string release = lab::truth("kdump-l5", "uname");
    const std::string wrong_release = "7" + release.substr(1);

    for (const char* dump : {"kdump-l5/vmcore.zlib", "kdump-l4/vmcore.elf"}) {
        INFO(dump);
        auto s = kdive::DumpSession::open(wrong, lab::dir() / dump);
        REQUIRE_FALSE(s);
        const std::string msg = s.error().message();
        CHECK_THAT(msg, Catch::Contains("vmlinux does not match the dump"));
        CHECK_THAT(msg, Catch::Contains("dump is " + release + " build-id " + right_id));
        CHECK_THAT(msg, Catch::Contains("vmlinux is " + wrong_release + " build-id " + wrong_id));
        CHECK(msg.find('\n') == std::string::npos);

        auto forced = kdive::DumpSession::open(wrong, lab::dir() / dump, {.kaslr = std::nullopt, .force = true});
        REQUIRE(forced);
        REQUIRE_FALSE((*forced)->warnings().empty());
        CHECK_THAT((*forced)->warnings().front(), Catch::Contains("vmlinux does not match"));
    }

    // A QEMU dump has no build-id to compare: the vmlinux's banner is not in its memory, and
    // the error names the kernel that is.
    auto q = kdive::DumpSession::open(wrong, lab::dir() / "qemu-l5" / "qemu.elf");
    REQUIRE_FALSE(q);
    CHECK_THAT(q.error().message(), Catch::Contains("vmlinux does not match the dump"));
    CHECK_THAT(q.error().message(), Catch::Contains("the dump holds \"Linux version " + release));
    CHECK_THAT(q.error().message(), Catch::Contains("vmlinux is " + wrong_release));

    // The binary: one line on stderr, exit status 1.
    int status = -1;
    const std::string out = lab::run(std::string(KDIVE_BINARY) + " " + wrong + " " +
                                     (lab::dir() / "kdump-l4/vmcore.zlib").string() + " 2>&1",
                                     &status);
    CHECK(status == 1);
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    CHECK_THAT(out, Catch::Contains("--force"));
}

TEST_CASE("the right vmlinux passes every check", "[lab][mismatch]") {
    for (const auto& d : lab::dumps()) {
        INFO(d.name());
        auto s = kdive::DumpSession::open(lab::vmlinux(), d.path);
        REQUIRE(s);
        CHECK((*s)->warnings().empty());
    }
}
