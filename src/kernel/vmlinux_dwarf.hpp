// SPDX-License-Identifier: GPL-3.0-or-later
// The vmlinux's DWARF by code address, shared by bt -l (line tables) and the inline frames
// (scope trees): .debug_aranges says which unit holds an address, and only that unit is decoded,
// once, into a compact form kept for the session (a bounded number of units: bt of every task
// touches a few hundred, the vmlinux has thousands).
#pragma once

#include <libdwarf/libdwarf.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "debuginfo/dwarf_sections.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct DieFree {
    void operator()(Dwarf_Die die) const { dwarf_dealloc_die(die); }
};
using DieHandle = std::unique_ptr<std::remove_pointer_t<Dwarf_Die>, DieFree>;

// Decoded per-unit data of one kind, the most recently made `capacity` units.
template <typename T>
class UnitCache {
public:
    explicit UnitCache(std::size_t capacity) : capacity_(capacity) {}
    std::shared_ptr<const T> get(std::uint64_t unit, const std::function<std::shared_ptr<T>()>& make) {
        if (auto it = units_.find(unit); it != units_.end()) return it->second;
        auto made = make();
        if (units_.size() >= capacity_) {
            units_.erase(order_.front());
            order_.pop_front();
        }
        units_.emplace(unit, made);
        order_.push_back(unit);
        return made;
    }

private:
    std::size_t capacity_;
    std::map<std::uint64_t, std::shared_ptr<const T>> units_;
    std::deque<std::uint64_t> order_;  // insertion order, for eviction
};

struct UnitLines;   // unwind_lines.cpp
struct UnitScopes;  // unwind_inline.cpp

struct VmlinuxDwarf {
    // The session's sections and their shared libdwarf handle (Session::vmlinux_sections()),
    // which outlive this: nothing here is released on destruction.
    const DwarfSections* secs = nullptr;
    Dwarf_Debug dbg = nullptr;
    struct Range {
        std::uint64_t start = 0, end = 0;  // link time
        std::uint64_t unit = 0;            // the unit's DIE offset in .debug_info
    };
    std::vector<Range> ranges;  // sorted
    // The unit DIE offset holding a link-time address.
    std::optional<std::uint64_t> unit_at(std::uint64_t link) const;

    mutable UnitCache<UnitLines> lines{256};
    mutable UnitCache<UnitScopes> scopes{256};
};

// The session's VmlinuxDwarf (loaded on first use; kept in the session cache).
Result<const VmlinuxDwarf*> vmlinux_dwarf(Session& session);

}  // namespace kdive
