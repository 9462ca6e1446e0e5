// SPDX-License-Identifier: GPL-3.0-or-later
// The .debug_* sections of an ELF file, as spans into libelf's mapping (no copies), and
// libdwarf handles over exactly those sections.
//
// Why not dwarf_init_b(): Debian's vmlinux also carries ~800 MB of .rela.debug_* sections that
// libdwarf's own ELF reader loads (1+ s, 860 MB RSS) although their values are already final in
// an ET_EXEC file. Handing libdwarf only the .debug_* sections through dwarf_object_init_b()
// makes initialisation take about a millisecond.
#pragma once

#include <libdwarf/libdwarf.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/elf_file.hpp"
#include "kdive/result.hpp"

namespace kdive {

struct DebugSection {
    std::string name;
    std::uint64_t addr = 0;
    std::uint64_t file_offset = 0;
    std::span<const std::byte> data;
};

class DwarfSections {
public:
    // Collects the .debug_* sections of `elf`, which must outlive this object.
    static Result<std::unique_ptr<DwarfSections>> collect(const ElfFile& elf);

    // The section's bytes; empty if absent.
    std::span<const std::byte> section(std::string_view name) const;
    const DebugSection* find(std::string_view name) const;
    const std::vector<DebugSection>& sections() const { return sections_; }
    const ElfFile& elf() const { return elf_; }

    // Let the kernel drop the mapped pages wholly inside `range` (they are re-read from the
    // page cache if touched again): a one-pass scan of .debug_info need not keep 174 MB resident.
    static void release(std::span<const std::byte> range);
    // True when the sections are the file's mapping (not relocated heap copies): only then may
    // release() drop pages, which for anonymous memory would zero them.
    bool mapped() const { return relocated_.empty(); }

    // A fresh libdwarf handle over these sections. One per thread: libdwarf is not thread-safe.
    struct DebugFree {
        void operator()(Dwarf_Debug dbg) const;
    };
    using DebugHandle = std::unique_ptr<std::remove_pointer_t<Dwarf_Debug>, DebugFree>;
    Result<DebugHandle> open_libdwarf() const;
    // The one handle that the single-threaded readers share (the type loader, the line tables,
    // the inline scopes), opened on first use and kept as long as these sections: each handle
    // keeps its own abbreviation and unit caches, so one handle reads each unit header once.
    Result<Dwarf_Debug> libdwarf() const;

    // How many times collect() has run in this process: tests check that a session collects
    // the vmlinux's sections once.
    static unsigned collections();

private:
    explicit DwarfSections(const ElfFile& elf) : elf_(elf) {}
    // A relocatable object (a kernel module's .ko): its .debug_* sections are copied and their
    // .rela.debug_* applied, since unrelocated string and abbrev offsets are all zero.
    Result<void> relocate();

    const ElfFile& elf_;
    // Index 0 is an empty placeholder: libdwarf treats section 0 as ELF's null section.
    std::vector<DebugSection> sections_;
    std::vector<std::vector<std::byte>> relocated_;  // ET_REL: owned, relocated copies
    unsigned char pointer_size_ = 8;
    bool little_endian_ = true;
    // libdwarf keeps a pointer to the interface for the handle's lifetime.
    std::unique_ptr<Dwarf_Obj_Access_Interface> iface_;
    std::unique_ptr<Dwarf_Obj_Access_Methods> methods_;
    mutable DebugHandle shared_;  // after iface_: finished before the interface goes
};

}  // namespace kdive
