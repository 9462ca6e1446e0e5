// SPDX-License-Identifier: GPL-3.0-or-later
#include "memory/kcore_target.hpp"

#include <elf.h>
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace kdive {

namespace {

// pread all of `out` at `offset`; /proc/kcore may return fewer bytes than asked.
Result<void> pread_all(int fd, std::span<std::byte> out, std::uint64_t offset,
                       const std::string& where) {
    std::size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::pread(fd, out.data() + done, out.size() - done,
                            static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(std::strerror(errno), where);
        if (n == 0) return fail("read past the end of the file", where);
        done += static_cast<std::size_t>(n);
    }
    return {};
}

}  // namespace

std::optional<std::span<const std::byte>> find_elf_note(std::span<const std::byte> notes,
                                                        std::string_view name, std::uint32_t type) {
    auto align4 = [](std::size_t n) { return (n + 3) & ~std::size_t{3}; };
    std::size_t at = 0;
    while (at + sizeof(Elf64_Nhdr) <= notes.size()) {
        Elf64_Nhdr nh;
        std::memcpy(&nh, notes.data() + at, sizeof nh);
        const std::size_t name_at = at + sizeof nh;
        const std::size_t desc_at = name_at + align4(nh.n_namesz);
        if (desc_at > notes.size() || nh.n_descsz > notes.size() - desc_at) break;
        const auto* n = reinterpret_cast<const char*>(notes.data() + name_at);
        // n_namesz counts the name's NUL.
        if (nh.n_type == type && nh.n_namesz == name.size() + 1 &&
            std::string_view(n, name.size()) == name)
            return notes.subspan(desc_at, nh.n_descsz);
        at = desc_at + align4(nh.n_descsz);
    }
    return std::nullopt;
}

Result<std::unique_ptr<KcoreTarget>> KcoreTarget::open(const std::string& path) {
    std::unique_ptr<KcoreTarget> t(new KcoreTarget());  // private constructor: no make_unique
    t->path_ = path;
    t->fd_ = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!t->fd_) return fail(std::strerror(errno), path);

    Elf64_Ehdr eh;
    if (!pread_all(t->fd_.get(), std::as_writable_bytes(std::span{&eh, 1}), 0, path) ||
        std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return fail("not an ELF core (expected /proc/kcore)", path);
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_type != ET_CORE || eh.e_machine != EM_X86_64 || eh.e_phentsize != sizeof(Elf64_Phdr))
        return fail("not an x86-64 ELF core (expected /proc/kcore)", path);

    std::vector<Elf64_Phdr> phdrs(eh.e_phnum);
    if (auto r = pread_all(t->fd_.get(), std::as_writable_bytes(std::span{phdrs}), eh.e_phoff, path);
        !r)
        return fail("cannot read the program headers: " + r.error().what, path);
    for (const auto& ph : phdrs) {
        if (ph.p_type == PT_LOAD && ph.p_filesz > 0) {
            t->segments_.push_back({ph.p_vaddr, ph.p_paddr, ph.p_filesz, ph.p_offset});
        } else if (ph.p_type == PT_NOTE && ph.p_filesz > 0 && ph.p_filesz < (1u << 24)) {
            std::vector<std::byte> notes(ph.p_filesz);
            if (!pread_all(t->fd_.get(), notes, ph.p_offset, path)) continue;
            if (auto d = find_elf_note(notes, "VMCOREINFO", 0)) {
                const auto* text = reinterpret_cast<const char*>(d->data());
                t->vmcoreinfo_ = VmcoreInfo::parse(std::string_view(text, strnlen(text, d->size())));
            }
        }
    }
    if (t->segments_.empty()) return fail("no memory segments in the core", path);
    return t;
}

const KcoreTarget::Segment* KcoreTarget::find(AddressSpace space, std::uint64_t addr) const {
    // The direct map comes first among segments holding a physical address: lowest vaddr (the
    // kernel text segment maps the same pages again, higher up).
    const Segment* best = nullptr;
    for (const auto& s : segments_) {
        const bool phys = space == AddressSpace::Physical;
        if (phys && !s.has_paddr()) continue;
        const std::uint64_t base = phys ? s.paddr : s.vaddr;
        if (addr < base || addr - base >= s.size) continue;
        if (!best || s.vaddr < best->vaddr) best = &s;
    }
    return best;
}

Result<void> KcoreTarget::read(AddressSpace space, std::uint64_t addr, std::span<std::byte> out) {
    std::size_t done = 0;
    while (done < out.size()) {  // a read may span adjacent segments
        const std::uint64_t at = addr + done;
        const Segment* s = find(space, at);
        if (!s)
            return fail_fault(FaultReason::Unmapped, at, out.size() - done,
                              space == AddressSpace::Physical
                                  ? "physical address not in the running kernel's direct map"
                                  : "address not mapped in /proc/kcore");
        const std::uint64_t off = at - (space == AddressSpace::Physical ? s->paddr : s->vaddr);
        const std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(out.size() - done, s->size - off));
        if (auto r = pread_all(fd_.get(), out.subspan(done, n), s->offset + off, hex_address(at));
            !r)
            return fail_fault(FaultReason::Other, at, n, "cannot read /proc/kcore: " + r.error().what);
        done += n;
    }
    return {};
}

Result<std::uint64_t> KcoreTarget::phys_to_virt(std::uint64_t paddr) {
    const Segment* s = find(AddressSpace::Physical, paddr);
    if (!s) return fail("physical address not in the running kernel's direct map", hex_address(paddr));
    return s->vaddr + (paddr - s->paddr);
}

std::optional<std::vector<AddressRange>> KcoreTarget::present_physical() {
    std::vector<AddressRange> r;
    for (const auto& s : segments_)
        if (s.has_paddr()) r.push_back({s.paddr, s.paddr + s.size});
    return merge_ranges(std::move(r));
}

Result<std::vector<KernelMapping>> KcoreTarget::kernel_mappings(std::uint64_t start,
                                                                std::uint64_t end) {
    std::vector<KernelMapping> out;
    for (const auto& s : segments_) {
        const std::uint64_t lo = std::max(start, s.vaddr);
        const std::uint64_t hi = std::min(end, s.vaddr + s.size);
        if (lo >= hi) continue;
        out.push_back({lo, s.has_paddr() ? s.paddr + (lo - s.vaddr) : 0, hi - lo, s.has_paddr()});
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.vaddr < b.vaddr; });
    return out;
}

}  // namespace kdive
