// SPDX-License-Identifier: GPL-3.0-or-later
// Name -> DIE index over a file's DWARF: global types (struct, union, enum, typedef, base),
// variables, functions and enumerators.
//
// Built like drgn's: a purpose-built scanner walks .debug_info directly (abbrev-driven, skipping
// attributes by form, jumping over children with DW_AT_sibling), in parallel over CU ranges.
// libdwarf's per-DIE API is kept for reading the few DIEs a question needs; it is too slow to
// touch all ~4M top-level DIEs of a distribution vmlinux at start-up. The index is persisted
// keyed by build-id, so later starts map it instead of scanning.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/dwarf_sections.hpp"
#include "kdive/result.hpp"

namespace kdive {

enum class NameKind : std::uint8_t {
    Struct = 1,
    Union,
    Enum,
    Typedef,
    Base,
    Variable,
    Function,
    Enumerator,
};

#pragma pack(push, 1)
// 24 bytes, stored as-is in the cache file.
struct IndexEntry {
    std::uint64_t hash;      // name_hash(name)
    std::uint64_t die;       // offset of the DIE in .debug_info (for an enumerator: its enum's)
    std::uint32_t name_off;  // offset of the name in its section
    std::uint8_t name_sec;   // 0: .debug_str, 1: .debug_info (inline), 2: .debug_line_str
    std::uint8_t kind;       // NameKind
    std::uint8_t pad[2];     // pad[0]: kEntry* flags
};
#pragma pack(pop)
static_assert(sizeof(IndexEntry) == 24);
// The entry is a declaration (variables only: their definitions often carry no name).
constexpr std::uint8_t kEntryDeclaration = 1;

// FNV-1a, 64-bit: stable across builds, since it is persisted.
std::uint64_t name_hash(std::string_view s);

class DwarfIndex {
public:
    struct Stats {
        bool from_cache = false;
        double seconds = 0;
        std::size_t units = 0, entries = 0;
        std::string cache_path;
    };

    // Scan `secs` with `threads` threads.
    static Result<std::unique_ptr<DwarfIndex>> build(const DwarfSections& secs, unsigned threads);
    // Map the cache file for `key` (a build-id) if it is valid, else build and write it.
    // An unwritable cache directory is not an error: the index is then only in memory.
    static Result<std::unique_ptr<DwarfIndex>> load_or_build(const DwarfSections& secs,
                                                             const std::string& key,
                                                             const std::string& cache_dir,
                                                             Stats* stats = nullptr);
    ~DwarfIndex();

    // DIE offsets of the entries named `name` of `kind` (definitions only; one per name for
    // types, every one for functions and variables, since statics repeat across files).
    std::vector<std::uint64_t> find(std::string_view name, NameKind kind) const;
    std::optional<std::uint64_t> find_first(std::string_view name, NameKind kind) const;

    std::span<const IndexEntry> entries() const { return entries_; }
    std::string_view name_of(const IndexEntry& e) const;

    // Write the index to `path` (atomically: a temporary file renamed into place).
    Result<void> save(const std::string& path) const;

private:
    explicit DwarfIndex(const DwarfSections& secs) : secs_(secs) {}

    const DwarfSections& secs_;
    std::vector<IndexEntry> owned_;       // when built here
    void* map_ = nullptr;                 // when loaded from the cache file
    std::size_t map_len_ = 0;
    std::span<const IndexEntry> entries_;  // sorted by (hash, kind)
};

// Default cache directory: $XDG_CACHE_HOME/kdive or ~/.cache/kdive.
std::string default_cache_dir();

}  // namespace kdive
