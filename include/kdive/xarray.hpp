// SPDX-License-Identifier: GPL-3.0-or-later
// The kernel's XArray (and the IDR and radix tree built on it since 4.20), walked in the dump:
// every present entry with its index, in index order. The walk follows xa_node trees of any
// height, skips what the kernel's own iterators skip (retry, zero and sibling entries), and
// stops with an error on what cannot be a valid tree (a node whose shift, offset or parent
// disagrees with where it was found, a node met twice, more entries than asked for).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "kdive/debuginfo.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct XaEntry {
    std::uint64_t index = 0;
    std::uint64_t entry = 0;  // the stored pointer, or a value entry (see xa_is_value)
};

// The entry encodings of include/linux/xarray.h.
constexpr bool xa_is_internal(std::uint64_t e) { return (e & 3) == 2; }
constexpr bool xa_is_value(std::uint64_t e) { return (e & 1) == 1; }
constexpr std::uint64_t xa_to_value(std::uint64_t e) { return e >> 1; }
constexpr bool xa_is_node(std::uint64_t e) { return xa_is_internal(e) && e > 4096; }
constexpr std::uint64_t xa_to_node(std::uint64_t e) { return e - 2; }

// Where struct xa_node keeps what the walk needs (from the debug info; see xa_node_layout).
struct XaNodeLayout {
    std::uint64_t size = 0;    // sizeof(struct xa_node)
    std::uint64_t shift = 0;   // offsetof(shift), an unsigned char
    std::uint64_t offset = 0;  // offsetof(offset), an unsigned char: the slot in the parent
    std::uint64_t parent = 0;  // offsetof(parent)
    std::uint64_t slots = 0;   // offsetof(slots)
    unsigned chunk_shift = 6;  // log2 of the number of slots (XA_CHUNK_SHIFT)
};

using MemoryReader = std::function<Result<void>(std::uint64_t addr, std::span<std::byte> out)>;

// Walks the tree whose xa_head is `head`, calling `visit` for each entry in index order until
// it returns false. Fails on corruption (after visiting what came before it) or when more than
// `max_entries` entries are found.
Result<void> xa_walk(const MemoryReader& read, std::uint64_t head, const XaNodeLayout& layout,
                     const std::function<bool(const XaEntry&)>& visit,
                     std::size_t max_entries = 1u << 24);

Result<XaNodeLayout> xa_node_layout(DebugInfo& di);

// The entries of the struct xarray at `xarray` in the dump.
Result<std::vector<XaEntry>> xa_entries(Session& session, std::uint64_t xarray);
// The entries of the struct idr at `idr`, indexed by id (the xarray index plus idr_base).
Result<std::vector<XaEntry>> idr_entries(Session& session, std::uint64_t idr);

}  // namespace kdive
