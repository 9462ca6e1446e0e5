// SPDX-License-Identifier: GPL-3.0-or-later
// KcoreTarget on a small file laid out as /proc/kcore is (the host's own /proc/kcore is not
// readable in a sandbox; tests/live/run-live.sh reads a real one in a guest).
#include <elf.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "memory/kcore_target.hpp"

namespace {

constexpr std::uint64_t kDirect = 0xffff888000000000, kText = 0xffffffff81000000,
                        kVmalloc = 0xffffc90000000000;

void put_note(std::vector<char>& out, const std::string& name, std::uint32_t type,
              const std::string& desc) {
    Elf64_Nhdr nh{static_cast<Elf64_Word>(name.size() + 1), static_cast<Elf64_Word>(desc.size()), type};
    auto pad = [&] { out.resize((out.size() + 3) & ~std::size_t{3}); };
    out.insert(out.end(), reinterpret_cast<char*>(&nh), reinterpret_cast<char*>(&nh) + sizeof nh);
    out.insert(out.end(), name.begin(), name.end());
    out.push_back('\0');
    pad();
    out.insert(out.end(), desc.begin(), desc.end());
    pad();
}

// An ELF core: a note segment (CORE then VMCOREINFO), the direct map (physical 0..0x3000),
// the kernel text (physical 0x1000 again) and a vmalloc segment without a physical address.
// Each data byte is its file offset's low byte plus the segment's number.
std::string make_kcore() {
    std::vector<char> notes;
    put_note(notes, "CORE", NT_PRSTATUS, std::string(336, '\0'));
    put_note(notes, "VMCOREINFO", 0, "OSRELEASE=6.1.0-test\nKERNELOFFSET=1c000000\n");
    struct Seg { std::uint64_t vaddr, paddr, size; };
    const std::array<Seg, 3> segs{{{kDirect, 0, 0x3000}, {kText, 0x1000, 0x1000},
                                   {kVmalloc, ~std::uint64_t{0}, 0x1000}}};
    std::vector<Elf64_Phdr> ph;
    std::uint64_t off = sizeof(Elf64_Ehdr) + 4 * sizeof(Elf64_Phdr);
    ph.push_back({PT_NOTE, 0, off, 0, 0, notes.size(), 0, 0});
    off = 0x1000;
    for (const auto& s : segs) {
        ph.push_back({PT_LOAD, PF_R, off, s.vaddr, s.paddr, s.size, s.size, 0x1000});
        off += s.size;
    }
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_CORE;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_phoff = sizeof eh;
    eh.e_ehsize = sizeof eh;
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = static_cast<Elf64_Half>(ph.size());
    std::vector<char> file(off);
    std::memcpy(file.data(), &eh, sizeof eh);
    std::memcpy(file.data() + sizeof eh, ph.data(), ph.size() * sizeof(Elf64_Phdr));
    std::memcpy(file.data() + ph[0].p_offset, notes.data(), notes.size());
    for (std::size_t i = 1; i < ph.size(); ++i)
        for (std::uint64_t b = 0; b < ph[i].p_filesz; ++b)
            file[ph[i].p_offset + b] = static_cast<char>((ph[i].p_offset + b + i) & 0xff);

    std::string path = "/tmp/kdive-test-kcore-" + std::to_string(getpid());
    std::ofstream(path, std::ios::binary).write(file.data(), static_cast<std::streamsize>(file.size()));
    return path;
}

std::uint8_t expected(std::uint64_t file_offset, unsigned segment) {
    return static_cast<std::uint8_t>((file_offset + segment) & 0xff);
}

}  // namespace

TEST_CASE("KcoreTarget reads kernel virtual and physical addresses from /proc/kcore's layout",
          "[kcore]") {
    const std::string path = make_kcore();
    auto t = kdive::KcoreTarget::open(path);
    ::unlink(path.c_str());
    REQUIRE(t);
    kdive::KcoreTarget& k = **t;
    CHECK(k.vmcoreinfo().osrelease() == "6.1.0-test");
    CHECK(k.vmcoreinfo().kernel_offset() == 0x1c000000);
    CHECK(k.segments().size() == 3);

    using kdive::AddressSpace;
    // Kernel text: segment 2 at file offset 0x4000.
    auto b = k.read_value<std::uint8_t>(AddressSpace::KernelVirtual, kText + 0x10);
    REQUIRE(b);
    CHECK(*b == expected(0x4010, 2));
    // Physical 0x1010 is in the direct map (segment 1, file 0x1000) and in the text: the direct
    // map is read.
    auto p = k.read_value<std::uint8_t>(AddressSpace::Physical, 0x1010);
    REQUIRE(p);
    CHECK(*p == expected(0x2010, 1));
    CHECK(k.phys_to_virt(0x1010).value() == kDirect + 0x1010);
    // A read spanning into the next virtual segment is refused at the first missing address.
    std::array<std::byte, 16> buf{};
    auto across = k.read(AddressSpace::KernelVirtual, kDirect + 0x3000 - 8, buf);
    REQUIRE_FALSE(across);
    CHECK_THAT(across.error().message(), Catch::Contains("not mapped in /proc/kcore"));
    CHECK_THAT(across.error().message(), Catch::Contains("ffff888000003000"));
    // Segments without a physical address are not reachable physically; beyond RAM fails.
    auto vm = k.read_value<std::uint8_t>(AddressSpace::KernelVirtual, kVmalloc + 1);
    REQUIRE(vm);
    CHECK(*vm == expected(0x5001, 3));
    auto beyond = k.read_value<std::uint8_t>(AddressSpace::Physical, 0x3000);
    REQUIRE_FALSE(beyond);
    CHECK_THAT(beyond.error().message(), Catch::Contains("0x3000"));
}

TEST_CASE("KcoreTarget refuses what is not an x86-64 ELF core", "[kcore]") {
    auto r = kdive::KcoreTarget::open("/proc/self/cmdline");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message(), Catch::Contains("not an ELF core"));
    auto missing = kdive::KcoreTarget::open("/nonexistent/kcore");
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message(), Catch::Contains("No such file"));
}

TEST_CASE("ELF notes are found by name and type", "[kcore]") {
    std::vector<char> notes;
    put_note(notes, "GNU", 1, "abc");
    put_note(notes, "GNU", NT_GNU_BUILD_ID, std::string("\x12\x34\xab", 3));
    auto id = kdive::find_elf_note(std::as_bytes(std::span{notes}), "GNU", NT_GNU_BUILD_ID);
    REQUIRE(id);
    REQUIRE(id->size() == 3);
    CHECK(static_cast<unsigned>((*id)[2]) == 0xab);
    CHECK_FALSE(kdive::find_elf_note(std::as_bytes(std::span{notes}), "GNU", 7));
    notes.resize(notes.size() - 2);  // cut: the last note's descriptor runs past the end
    CHECK_FALSE(kdive::find_elf_note(std::as_bytes(std::span{notes}), "GNU", NT_GNU_BUILD_ID));
}
