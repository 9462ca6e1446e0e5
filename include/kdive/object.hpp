// SPDX-License-Identifier: GPL-3.0-or-later
// Objects, as drgn calls them: the values of C expressions over the dumped kernel. An lvalue is
// a typed place in kernel memory, read only when its bytes are needed (so
// &((struct x *)0)->member never touches memory); an rvalue carries its bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "kdive/type.hpp"

namespace kdive {

struct Object {
    const Type* type = nullptr;
    bool lvalue = false;
    std::uint64_t address = 0;       // lvalue: where it lives (kernel virtual)
    std::vector<std::byte> bytes;    // rvalue: its representation (little-endian)
    std::uint32_t bit_offset = 0;    // lvalue bit-field: bits from address
    std::uint32_t bit_size = 0;      // non-zero for a bit-field
    std::string symbol;              // set when the expression was a plain symbol name
    bool per_cpu = false;            // a per-CPU variable's offset, not a place
};

// Evaluate a C expression: globals, enumerators, numbers, casts to any type, . -> [] * &,
// arithmetic, comparison, logic, ?:, sizeof, and crash's per-CPU form NAME:CPU.
Result<Object> evaluate(Session& session, std::string_view expression);

// The bytes of a value (reads an lvalue from the dump).
Result<std::vector<std::byte>> object_bytes(Session& session, const Object& v);
// A scalar value (integer, enum, pointer, bool) as 64 bits, sign-extended if signed.
Result<std::uint64_t> object_scalar(Session& session, const Object& v);

struct ObjectFormatOptions {
    int radix = 10;  // integers in 10 or 16 (pointers are always hex)
    bool enums_as_numbers = false;  // p -d / -x: the number, not the enumerator's name
};

// gdb's pretty form, as crash prints: "{\n  pid = 1,\n  comm = \"init\",\n ...}" for
// structs, "{1, 2, 3}" for arrays, strings for char arrays, names for enums.
Result<std::string> format_object(Session& session, const Object& v, const ObjectFormatOptions& opt = {});

// The same value as JSON: structs as objects (anonymous members merged in), arrays as arrays,
// char arrays as strings, enums by name, pointers as "0x..." strings, integers as numbers
// (as strings past 2^53, which JSON readers cannot hold exactly).
Result<std::string> format_object_json(Session& session, const Object& v);

}  // namespace kdive
