// SPDX-License-Identifier: GPL-3.0-or-later
// Builds the type model from DWARF DIEs with libdwarf, one DIE at a time, on demand.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "debuginfo/dwarf_sections.hpp"
#include "kdive/result.hpp"
#include "kdive/type.hpp"

namespace kdive {

class DwarfTypeLoader final : public TypeLoader {
public:
    explicit DwarfTypeLoader(const DwarfSections& secs) : secs_(secs) {}

    // The type of the DIE at .debug_info offset `die`, cached. A DIE that cannot be read
    // becomes a Void type named "<unreadable type at OFFSET>" so printing goes on.
    const Type* load(std::uint64_t die) const override;
    Result<const Type*> load_checked(std::uint64_t die) const;

    // The type (DW_AT_type) of a variable or function DIE; for a subprogram, its function type.
    Result<const Type*> type_of_object(std::uint64_t die) const;

    // A type made here rather than read: pointers to existing types, literal types.
    const Type* synthesize(Type t) const;

private:
    Result<void> ensure_open() const;
    Result<std::unique_ptr<Type>> build(std::uint64_t die) const;

    const DwarfSections& secs_;
    mutable Dwarf_Debug dbg_ = nullptr;  // the sections' shared handle (libdwarf())
    mutable std::unordered_map<std::uint64_t, std::unique_ptr<Type>> cache_;
    mutable std::vector<std::unique_ptr<Type>> synthesized_;
};

}  // namespace kdive
