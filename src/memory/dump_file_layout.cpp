// SPDX-License-Identifier: GPL-3.0-or-later
#include "memory/dump_file_layout.hpp"

#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace kdive {

namespace {

// makedumpfile's disk_dump_header (diskdump_mod.h): fixed offsets on 64-bit little-endian.
constexpr std::size_t kStatusOff = 424;  // after signature, version, new_utsname, timeval
constexpr std::uint32_t kZlib = 0x1, kLzo = 0x2, kSnappy = 0x4, kIncomplete = 0x8, kZstd = 0x20;
constexpr std::uint32_t kKnownPageFlags = kZlib | kLzo | kSnappy | kZstd;
constexpr std::size_t kPageDescSize = 24;  // offset (8), size (4), flags (4), page_flags (8)

bool pread_all(int fd, void* buf, std::size_t len, std::uint64_t off) {
    auto* p = static_cast<char*>(buf);
    while (len) {
        ssize_t n = ::pread(fd, p, len, static_cast<off_t>(off));
        if (n <= 0) return false;
        p += n;
        len -= static_cast<std::size_t>(n);
        off += static_cast<std::uint64_t>(n);
    }
    return true;
}

template <typename T>
T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::string compression_of(std::uint32_t status) {
    if (status & kZlib) return "zlib";
    if (status & kLzo) return "lzo";
    if (status & kSnappy) return "snappy";
    if (status & kZstd) return "zstd";
    return "none";
}

}  // namespace

Result<DumpFileLayout> DumpFileLayout::read(int fd, const std::string& path) {
    DumpFileLayout l;
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail(std::strerror(errno), path);
    l.file_size_ = static_cast<std::uint64_t>(st.st_size);
    char magic[8] = {};
    if (!pread_all(fd, magic, sizeof magic, 0)) return l;  // too short: libkdumpfile says why
    if (std::memcmp(magic, ELFMAG, SELFMAG) == 0 && magic[EI_CLASS] == ELFCLASS64) {
        if (auto r = l.read_elf(fd, path); !r) return r.failure();
    } else if (std::memcmp(magic, "KDUMP   ", 8) == 0) {
        if (auto r = l.read_diskdump(fd, path); !r) return r.failure();
    }
    return l;
}

Result<void> DumpFileLayout::read_elf(int fd, const std::string& path) {
    Elf64_Ehdr eh;
    if (!pread_all(fd, &eh, sizeof eh, 0)) return {};
    // What libkdumpfile 0.5.1 reads without checking (it crashes on a header without program
    // headers or with section headers of a bogus size): refused here first.
    if (eh.e_type != ET_CORE)
        return fail(fmt::format("an ELF file but not a core dump (ELF type {})", eh.e_type), path);
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0)
        return fail("ELF core file without valid program headers: not a vmcore", path);
    if ((eh.e_shnum || eh.e_shoff) &&
        (eh.e_shentsize != sizeof(Elf64_Shdr) ||
         eh.e_shoff + std::uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr) > file_size_))
        return fail("ELF core file with corrupt section headers", path);
    expected_size_ = eh.e_phoff + std::uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
    std::vector<Elf64_Phdr> ph(eh.e_phnum);
    if (!pread_all(fd, ph.data(), ph.size() * sizeof(Elf64_Phdr), eh.e_phoff)) {
        expected_size_ = std::max(expected_size_, file_size_ + 1);
        headers_cut_ = true;
        return {};  // the headers themselves are cut
    }
    for (const auto& p : ph) {
        if (p.p_type != PT_LOAD && p.p_type != PT_NOTE) continue;
        expected_size_ = std::max<std::uint64_t>(expected_size_, p.p_offset + p.p_filesz);
        // libkdumpfile maps the notes whole (SIGBUS past the end): a cut note is a cut header.
        if (p.p_type == PT_NOTE && (p.p_offset > file_size_ || p.p_filesz > file_size_ - p.p_offset))
            headers_cut_ = true;
        if (p.p_type == PT_LOAD) segments_.push_back({p.p_paddr, p.p_filesz, p.p_offset});
    }
    return {};
}

Result<void> DumpFileLayout::read_diskdump(int fd, const std::string& path) {
    char h[512];
    if (!pread_all(fd, h, sizeof h, 0)) {
        expected_size_ = file_size_ + 1;
        headers_cut_ = true;
        return {};
    }
    const auto version = load<std::int32_t>(h + 8);
    const auto status = load<std::uint32_t>(h + kStatusOff);
    const auto block_size = load<std::int32_t>(h + kStatusOff + 4);
    const auto sub_hdr_size = load<std::int32_t>(h + kStatusOff + 8);
    const auto bitmap_blocks = load<std::uint32_t>(h + kStatusOff + 12);
    std::uint64_t max_mapnr = load<std::uint32_t>(h + kStatusOff + 16);
    if (block_size <= 0 || sub_hdr_size < 0 || (block_size & (block_size - 1)))
        return fail("kdump-compressed header is corrupt (block size)", path);
    page_shift_ = static_cast<std::uint32_t>(std::countr_zero(static_cast<unsigned>(block_size)));
    compression_ = compression_of(status);
    incomplete_ = status & kIncomplete;
    const std::uint64_t bs = static_cast<std::uint64_t>(block_size);
    if (version >= 6) {  // kdump_sub_header.max_mapnr_64, after 12 fields of 8 bytes
        std::uint64_t m64 = 0;
        if (pread_all(fd, &m64, sizeof m64, bs + 96) && m64) max_mapnr = m64;
    }
    if (version >= 3) {
        // kdump_sub_header: offset_vmcoreinfo, size_vmcoreinfo, offset_note, size_note (v4+).
        // libkdumpfile reads them whole, before any page: past the end they are cut headers.
        std::uint64_t f[4] = {};
        if (pread_all(fd, f, sizeof f, bs + 32))
            for (int i = 0; i < (version >= 4 ? 4 : 2); i += 2)
                if (f[i + 1] && (f[i] > file_size_ || f[i + 1] > file_size_ - f[i])) headers_cut_ = true;
    }
    const std::uint64_t bitmap_off = (1 + static_cast<std::uint64_t>(sub_hdr_size)) * bs;
    const std::uint64_t half = std::uint64_t{bitmap_blocks} * bs / 2;
    const std::uint64_t desc_off = bitmap_off + std::uint64_t{bitmap_blocks} * bs;
    expected_size_ = desc_off;
    if (max_mapnr > half * 8) max_mapnr = half * 8;

    // The 2nd bitmap says which pages are in the file; a page's descriptor index is its rank.
    // Sizes come from the header: check them against the file before allocating (a corrupt
    // bitmap_blocks would ask for terabytes).
    if (desc_off > file_size_) {
        expected_size_ = std::max(desc_off, file_size_ + 1);
        headers_cut_ = true;
        return {};
    }
    std::vector<unsigned char> bm(half);
    if (!pread_all(fd, bm.data(), bm.size(), bitmap_off + half)) {
        expected_size_ = std::max(expected_size_, file_size_ + 1);
        headers_cut_ = true;
        return {};
    }
    dumped_bits_.assign((max_mapnr + 63) / 64, 0);
    if (!dumped_bits_.empty() && !bm.empty())  // (memcpy from a null pointer is UB even for 0 bytes)
        std::memcpy(dumped_bits_.data(), bm.data(), std::min<std::uint64_t>(bm.size(), (max_mapnr + 7) / 8));
    if (max_mapnr % 64) dumped_bits_.back() &= (std::uint64_t{1} << (max_mapnr % 64)) - 1;
    rank_.resize(dumped_bits_.size());
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < dumped_bits_.size(); ++i) {
        rank_[i] = n;
        n += static_cast<std::uint32_t>(std::popcount(dumped_bits_[i]));
    }
    expected_size_ = desc_off + std::uint64_t{n} * kPageDescSize;

    // Descriptors that are in the file; a cut table leaves the rest unknown (past the end).
    const std::uint64_t avail =
        file_size_ > desc_off ? std::min<std::uint64_t>(n, (file_size_ - desc_off) / kPageDescSize) : 0;
    std::vector<char> descs(avail * kPageDescSize);
    if (avail && !pread_all(fd, descs.data(), descs.size(), desc_off))
        return fail("cannot read the page descriptors", path);
    data_end_.resize(avail);
    for (std::uint64_t i = 0; i < avail; ++i) {
        const char* d = descs.data() + i * kPageDescSize;
        const auto off = load<std::uint64_t>(d);
        const auto size = load<std::uint32_t>(d + 8);
        const auto flags = load<std::uint32_t>(d + 12);
        if (flags & ~kKnownPageFlags)
            return fail(fmt::format("page data compressed with an unknown method (page flags {:#x}): "
                                    "not supported by this build", flags), path);
        data_end_[i] = off + size;
        expected_size_ = std::max(expected_size_, off + size);
    }
    return {};
}

std::optional<std::uint64_t> DumpFileLayout::page_data_end(std::uint64_t pfn) const {
    const std::uint64_t w = pfn / 64;
    if (w >= dumped_bits_.size()) return std::nullopt;
    const std::uint64_t bit = std::uint64_t{1} << (pfn % 64);
    if (!(dumped_bits_[w] & bit)) return std::nullopt;  // excluded: libkdumpfile says so
    const std::uint64_t idx =
        rank_[w] + static_cast<std::uint64_t>(std::popcount(dumped_bits_[w] & (bit - 1)));
    if (idx >= data_end_.size()) return ~std::uint64_t{0};  // its descriptor is cut off
    return data_end_[idx];
}

bool DumpFileLayout::past_end(std::uint64_t addr, std::uint64_t len) const {
    if (!truncated() || len == 0) return false;
    if (!dumped_bits_.empty()) {
        for (std::uint64_t pfn = addr >> page_shift_; pfn <= (addr + len - 1) >> page_shift_; ++pfn) {
            auto end = page_data_end(pfn);
            if (end && *end > file_size_) return true;
        }
        return false;
    }
    for (const auto& s : segments_) {
        const std::uint64_t lo = std::max(addr, s.paddr), hi = std::min(addr + len, s.paddr + s.filesz);
        if (lo < hi && s.offset + (hi - s.paddr) > file_size_) return true;
    }
    return false;
}

std::optional<std::vector<AddressRange>> DumpFileLayout::present() const {
    std::vector<AddressRange> r;
    if (!dumped_bits_.empty()) {
        const std::uint64_t page = std::uint64_t{1} << page_shift_;
        for (std::size_t w = 0; w < dumped_bits_.size(); ++w) {
            std::uint64_t bits = dumped_bits_[w];
            while (bits) {
                // A run of set bits: from the lowest set one to the next clear one above it.
                const unsigned lo = static_cast<unsigned>(std::countr_zero(bits));
                const std::uint64_t shifted = bits >> lo;
                const unsigned len = shifted == ~std::uint64_t{0} ? 64 - lo
                                                                 : static_cast<unsigned>(std::countr_one(shifted));
                const std::uint64_t start = (w * 64 + lo) * page, end = start + len * page;
                bits = lo + len >= 64 ? 0 : bits & ~(((std::uint64_t{1} << len) - 1) << lo);
                if (truncated()) {
                    // A cut file: only the pages whose data is in it, page by page (the
                    // bitmap is in the file, so this is bounded by its size).
                    for (std::uint64_t a = start; a < end; a += page) {
                        if (past_end(a, page)) continue;
                        if (!r.empty() && r.back().end == a)
                            r.back().end = a + page;
                        else
                            r.push_back({a, a + page});
                    }
                    continue;
                }
                if (!r.empty() && r.back().end == start)
                    r.back().end = end;
                else
                    r.push_back({start, end});
            }
        }
        return r;
    }
    if (segments_.empty()) return std::nullopt;
    for (const auto& s : segments_) {
        // A cut file holds a segment's first bytes only: no loop over its (maybe absurd) size.
        std::uint64_t in_file = s.offset >= file_size_ ? 0 : std::min(s.filesz, file_size_ - s.offset);
        if (truncated()) in_file &= ~((std::uint64_t{1} << page_shift_) - 1);  // whole pages
        if (in_file && s.paddr + in_file > s.paddr) r.push_back({s.paddr, s.paddr + in_file});
    }
    return merge_ranges(std::move(r));
}

}  // namespace kdive
