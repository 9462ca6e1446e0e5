// SPDX-License-Identifier: GPL-3.0-or-later
// One walk over a value's bytes, shared by the text (gdb's pretty print) and JSON printers: the
// walk decides what the bytes are (structs, anonymous members, arrays, char arrays, bit-fields,
// scalars); a visitor decides how each piece is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "kdive/debuginfo.hpp"
#include "kdive/type.hpp"

namespace kdive {

// A leaf of the walk. `type` is complete and without typedefs (nullptr: void or unknown);
// `value` is the decoded integer, enum or pointer (a bit-field extracted and sign-extended).
struct ScalarValue {
    const Type* type = nullptr;
    std::span<const std::byte> bytes;
    std::uint64_t value = 0;
};

class ValueVisitor {
public:
    virtual ~ValueVisitor() = default;

    // How the walk goes: gdb's limits for the text form, none for JSON.
    virtual int max_depth() const { return std::numeric_limits<int>::max(); }
    virtual std::uint64_t max_elements() const { return std::numeric_limits<std::uint64_t>::max(); }
    // Anonymous struct/union members' fields visited as the parent's own (C's view).
    virtual bool merge_anonymous() const { return false; }

    // A struct or union: begin, member(i) before each member's value, end with the count.
    virtual void struct_begin(const Type* t, int depth) = 0;
    virtual void member(const Member& m, std::size_t i, int depth) = 0;
    virtual void struct_end(const Type* t, std::size_t members, int depth) = 0;
    // An array: begin, element(i) before each element, end (`cut`: elements left out).
    virtual void array_begin(const Type* t, int depth) = 0;
    virtual void element(std::uint64_t i, int depth) = 0;
    virtual void array_end(const Type* t, bool cut, int depth) = 0;
    // An array of characters, its bytes (all of them, NULs included).
    virtual void char_array(const Type* t, std::span<const std::byte> chars) = 0;
    // An array without a length (a flexible member), at `address` (0: an rvalue).
    virtual void flexible_array(const Type* t, std::uint64_t address) = 0;
    // A struct, union or array below max_depth().
    virtual void too_deep() = 0;
    virtual void scalar(const ScalarValue& v) = 0;
};

// Walk `type` over `bytes`; `address` is where they live (0: an rvalue), a bit-field comes with
// its position, `depth` is gdb's recursion level.
void walk_value(DebugInfo& di, ValueVisitor& v, const Type* type, std::span<const std::byte> bytes,
                std::uint64_t address, int depth = 0, std::uint32_t bit_offset = 0, std::uint32_t bit_size = 0);

}  // namespace kdive
