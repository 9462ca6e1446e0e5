// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/memory_scan.hpp"

#include <algorithm>

#include "kdive/interrupt.hpp"

namespace kdive {

namespace {

constexpr std::uint64_t kPage = 4096;

Result<void> read_piece(Target& t, const MemoryPiece& p, std::uint64_t off, std::span<std::byte> out) {
    return p.physical ? t.read(AddressSpace::Physical, p.paddr + off, out)
                      : t.read(AddressSpace::KernelVirtual, p.addr + off, out);
}

}  // namespace

void add_present(std::vector<MemoryPiece>& out, const std::vector<AddressRange>& present,
                 std::uint64_t start, std::uint64_t end, std::uint64_t delta) {
    auto it = std::upper_bound(present.begin(), present.end(), start,
                               [](std::uint64_t a, const AddressRange& r) { return a < r.end; });
    for (; it != present.end() && it->start < end; ++it) {
        const std::uint64_t lo = std::max(start, it->start), hi = std::min(end, it->end);
        if (lo < hi) out.push_back({lo + delta, hi - lo, lo, true});
    }
}

void add_mappings(std::vector<MemoryPiece>& out, const std::vector<KernelMapping>& maps,
                  const std::vector<AddressRange>& present) {
    for (const auto& m : maps) {
        if (!m.has_paddr) {
            out.push_back({m.vaddr, m.size, 0, false});
            continue;
        }
        add_present(out, present, m.paddr, m.paddr + m.size, m.vaddr - m.paddr);
    }
}

std::vector<MemoryPiece> clip(const std::vector<MemoryPiece>& in, std::uint64_t start, std::uint64_t end) {
    std::vector<MemoryPiece> out;
    for (const auto& p : in) {
        const std::uint64_t lo = std::max(start, p.addr), hi = std::min(end, p.addr + p.size);
        if (lo >= hi) continue;
        out.push_back({lo, hi - lo, p.paddr + (lo - p.addr), p.physical});
    }
    return out;
}

Result<void> scan_pieces(Target& target, const std::vector<MemoryPiece>& pieces,
                         std::span<std::byte> buffer, const ScanVisitor& visit) {
    const std::uint64_t chunk = buffer.size();
    for (const auto& p : pieces) {
        for (std::uint64_t done = 0; done < p.size;) {
            if (auto r = check_interrupted(); !r) return r;
            const std::uint64_t at = p.addr + done;
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(p.size - done, chunk - (at & (chunk - 1))));
            std::span<std::byte> data = buffer.first(n);
            if (read_piece(target, p, done, data)) {
                visit.data(at, data);
            } else {
                // Page by page, skipping what fails, as crash does, quietly.
                for (std::size_t i = 0; i < n;) {
                    const std::size_t k = std::min<std::size_t>(n - i, kPage - ((at + i) & (kPage - 1)));
                    auto page = data.subspan(i, k);
                    if (read_piece(target, p, done + i, page))
                        visit.data(at + i, page);
                    else if (visit.gap)
                        visit.gap();
                    i += k;
                }
            }
            if (visit.progress) visit.progress(n);
            done += n;
        }
    }
    return {};
}

}  // namespace kdive
