// SPDX-License-Identifier: GPL-3.0-or-later
// What a dump file's own headers promise, read independently of libkdumpfile: where each
// page's data lies in the file and how it is compressed. libkdumpfile reads lazily, so a cut
// file opens and then yields decompression errors or zero-filled pages; knowing the layout lets
// kdive say "truncated" at open and refuse reads past the end instead of passing off zeros.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/target.hpp"

namespace kdive {

class DumpFileLayout {
public:
    // Parses the ELF program headers or the kdump-compressed header, bitmap and page
    // descriptors of the file at `path` (`fd` open on it). Formats it does not know give an
    // empty layout (nothing checked), not an error.
    static Result<DumpFileLayout> read(int fd, const std::string& path);

    // Bytes the headers say the file should have; 0 if unknown.
    std::uint64_t expected_size() const { return expected_size_; }
    std::uint64_t file_size() const { return file_size_; }
    bool truncated() const { return expected_size_ > file_size_; }
    // The cut (or a corrupt offset) lies inside the headers themselves (ELF program headers,
    // kdump header or bitmaps): nothing can be read, not even with --force, and libkdumpfile
    // must not be handed the file (0.5.1 crashes on program headers past the end).
    bool headers_cut() const { return headers_cut_; }
    // "zlib", "lzo", "snappy", "zstd", "none" (kdump-compressed); empty for other formats.
    const std::string& compression() const { return compression_; }
    // makedumpfile marks dumps it could not finish (ENOSPC) in the header.
    bool incomplete() const { return incomplete_; }

    // For a truncated file: true if any byte of the physical range [addr, addr+len) has its
    // data past the end of the file.
    bool past_end(std::uint64_t addr, std::uint64_t len) const;

    // The physical ranges whose data the file holds (kdump-compressed: the 2nd bitmap; ELF: the
    // PT_LOAD segments' file parts, overlaps merged), sorted; nullopt for other formats.
    std::optional<std::vector<AddressRange>> present() const;

private:
    struct Segment {  // ELF PT_LOAD: physical range and where its bytes are in the file
        std::uint64_t paddr, filesz, offset;
    };
    Result<void> read_elf(int fd, const std::string& path);
    Result<void> read_diskdump(int fd, const std::string& path);
    // kdump-compressed: end offset in the file of the page frame's data, if it is dumped.
    std::optional<std::uint64_t> page_data_end(std::uint64_t pfn) const;

    std::uint64_t expected_size_ = 0, file_size_ = 0;
    std::string compression_;
    bool incomplete_ = false;
    bool headers_cut_ = false;
    std::vector<Segment> segments_;
    // kdump-compressed: bitmap of dumped pages, rank prefix per 64-bit word, and each
    // descriptor's data end (offset + size).
    std::uint32_t page_shift_ = 12;
    std::vector<std::uint64_t> dumped_bits_;
    std::vector<std::uint32_t> rank_;
    std::vector<std::uint64_t> data_end_;
};

}  // namespace kdive
