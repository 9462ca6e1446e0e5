// SPDX-License-Identifier: GPL-3.0-or-later
#include "memory/qemu_cpu_state.hpp"

#include <elf.h>
#include <unistd.h>

#include <cstring>

namespace kdive {

namespace {

// QEMU's target/i386/arch_dump.c QEMUCPUState (version 1): version, size, 16 GPRs, rip,
// rflags, 10 segment descriptors of 24 bytes, cr[5], kernel_gs_base.
constexpr std::size_t kRipOff = 8 + 16 * 8;
constexpr std::size_t kCrOff = kRipOff + 2 * 8 + 10 * 24;
constexpr std::size_t kMinSize = kCrOff + 5 * 8;
constexpr std::size_t kMaxNotes = 1 << 20;  // a sane bound on PT_NOTE size

std::uint64_t u64(const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace

std::vector<QemuCpuState> read_qemu_cpu_states(int fd) {
    std::vector<QemuCpuState> out;
    Elf64_Ehdr eh;
    if (::pread(fd, &eh, sizeof eh, 0) != static_cast<ssize_t>(sizeof eh)) return out;
    if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_phentsize != sizeof(Elf64_Phdr))
        return out;
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph;
        if (::pread(fd, &ph, sizeof ph, static_cast<off_t>(eh.e_phoff + i * sizeof ph)) !=
            static_cast<ssize_t>(sizeof ph))
            return out;
        if (ph.p_type != PT_NOTE || ph.p_filesz > kMaxNotes) continue;
        std::vector<unsigned char> buf(ph.p_filesz);
        if (::pread(fd, buf.data(), buf.size(), static_cast<off_t>(ph.p_offset)) !=
            static_cast<ssize_t>(buf.size()))
            continue;
        std::size_t off = 0;
        while (off + sizeof(Elf64_Nhdr) <= buf.size()) {
            Elf64_Nhdr nh;
            std::memcpy(&nh, buf.data() + off, sizeof nh);
            const std::size_t name_off = off + sizeof nh;
            const std::size_t desc_off = name_off + ((nh.n_namesz + 3) & ~3U);
            const std::size_t next = desc_off + ((nh.n_descsz + 3) & ~3U);
            if (next > buf.size()) break;
            const char* name = reinterpret_cast<const char*>(buf.data() + name_off);
            if (nh.n_namesz == 5 && std::memcmp(name, "QEMU", 5) == 0 && nh.n_descsz >= kMinSize) {
                const unsigned char* d = buf.data() + desc_off;
                QemuCpuState s;
                s.cpu = static_cast<unsigned>(out.size());
                s.rip = u64(d + kRipOff);
                s.cr0 = u64(d + kCrOff);
                s.cr3 = u64(d + kCrOff + 3 * 8);
                s.cr4 = u64(d + kCrOff + 4 * 8);
                out.push_back(s);
            }
            off = next;
        }
    }
    return out;
}

}  // namespace kdive
