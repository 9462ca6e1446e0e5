// SPDX-License-Identifier: GPL-3.0-or-later
// Scanning large stretches of the dumped kernel's memory (search, and any command that reads
// regions rather than objects): the stretches as pieces cut to what the dump holds, and a scan
// that reads them in large chunks and, where a chunk fails for a reason the page map did not
// tell (a corrupt page, a cut file), goes page by page and skips what fails.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "kdive/target.hpp"

namespace kdive {

// A stretch of memory: addresses [addr, addr+size) as the user sees them (kernel or user
// virtual, or physical), whose bytes are read at physical `paddr`, or at `addr` itself in
// kernel virtual space when there is no physical address (/proc/kcore's vmalloc segments).
struct MemoryPiece {
    std::uint64_t addr = 0, size = 0, paddr = 0;
    bool physical = true;
};

// The present parts of physical [start, end), as pieces at addresses `start + delta`.
void add_present(std::vector<MemoryPiece>& out, const std::vector<AddressRange>& present,
                 std::uint64_t start, std::uint64_t end, std::uint64_t delta);
// Mapped virtual memory, cut to what the dump holds.
void add_mappings(std::vector<MemoryPiece>& out, const std::vector<KernelMapping>& maps,
                  const std::vector<AddressRange>& present);
// The pieces cut to [start, end).
std::vector<MemoryPiece> clip(const std::vector<MemoryPiece>& in, std::uint64_t start, std::uint64_t end);

struct ScanVisitor {
    // Readable bytes at `addr` (as the user sees it), in order.
    std::function<void(std::uint64_t addr, std::span<const std::byte> bytes)> data;
    // A page that could not be read after `data` so far: what was before it does not continue
    // into what comes after.
    std::function<void()> gap;
    // Bytes scanned (read or skipped), for progress.
    std::function<void(std::uint64_t bytes)> progress;
};

// Reads every piece in chunks of at most `buffer.size()` bytes (a power of two, a multiple of
// the page size) that never cross a multiple of it, so a page is never split between reads.
// Stops early, with an error, only when interrupted.
Result<void> scan_pieces(Target& target, const std::vector<MemoryPiece>& pieces,
                         std::span<std::byte> buffer, const ScanVisitor& visit);

}  // namespace kdive
