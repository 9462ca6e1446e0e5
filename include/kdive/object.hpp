// SPDX-License-Identifier: GPL-3.0-or-later
// Objects, as drgn calls them: typed values over the dumped kernel. An lvalue is a typed place
// in kernel memory, read only when its bytes are needed and then only the bytes asked for
// (`task.member("pid").to_u64()` reads 4 bytes, not the task_struct); an rvalue carries its
// bytes. Every operation returns a Result whose Error says what kind of failure it was: a fault
// (address, size, and why), a lookup failure (no such member), a type error.
//
// Walkers and commands read kernel structures through objects, never by printing C source for
// the expression parser; the expression evaluator is itself a client of this API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "kdive/type.hpp"

namespace kdive {

class Object {
public:
    Object() = default;

    // An lvalue: `type` at kernel virtual `address`.
    static Object at(Session& s, const Type* type, std::uint64_t address);
    // The same with the type named in C ("struct task_struct").
    static Result<Object> at(Session& s, std::string_view type_name, std::uint64_t address);
    // An rvalue: `type` with these bytes (little-endian).
    static Object from_bytes(Session& s, const Type* type, std::vector<std::byte> bytes);
    // An rvalue integer or pointer of `type` with value `v`.
    static Object from_u64(Session& s, const Type* type, std::uint64_t v);
    // A global variable or function by name (for a per-CPU variable: its offset, see per_cpu()).
    static Result<Object> variable(Session& s, std::string_view name);

    Session* session() const { return session_; }
    const Type* type() const { return type_; }
    bool is_lvalue() const { return lvalue_; }
    // lvalue: where it lives. rvalue: 0.
    std::uint64_t address() const { return lvalue_ ? address_ : 0; }
    // rvalue: its bytes.
    std::span<const std::byte> value_bytes() const { return bytes_; }
    std::uint32_t bit_offset() const { return bit_offset_; }  // bit-field: bits from address()
    std::uint32_t bit_size() const { return bit_size_; }      // non-zero for a bit-field
    const std::string& symbol() const { return symbol_; }     // set for a named variable
    // A per-CPU variable named by itself: address() is its offset in each CPU's area.
    bool is_per_cpu() const { return per_cpu_; }
    // The type's definition, typedefs and qualifiers stripped (a declared-only struct completed).
    const Type* underlying() const;

    // A member by a path of names: "se.sum_exec_runtime", "mem[1].base", "signal->thread_head"
    // (`->` reads the pointer; `.` and `[N]` are offsets). A pointer to a struct is followed
    // first, as drgn does. Paths are resolved once per type and cached in the session: a walk
    // over 10,000 tasks resolves "tasks.next" once.
    Result<Object> member(std::string_view path) const;
    // Element i of an array, or of what a pointer points to.
    Result<Object> index(std::int64_t i) const;
    // What a pointer points to (an array's first element).
    Result<Object> deref() const;
    // A pointer to this lvalue.
    Result<Object> address_of() const;
    // C's cast: scalars converted, a struct/union/array lvalue reinterpreted in place.
    Result<Object> cast(const Type* to) const;
    Result<Object> cast(std::string_view type_name) const;
    // The kernel's container_of: this pointer (or lvalue) points at `member` of a `container`;
    // the container, as an lvalue.
    Result<Object> container_of(const Type* container, std::string_view member) const;
    Result<Object> container_of(std::string_view container, std::string_view member) const;
    // An array or function as the pointer C converts it to; anything else unchanged.
    Result<Object> decay() const;

    // Reads. Each reads only this object's bytes (a bit-field: the bytes holding it).
    Result<std::vector<std::byte>> bytes() const;
    // Integers, enums, bools and pointers as 64 bits (sign-extended if signed).
    Result<std::uint64_t> to_u64() const;
    Result<std::int64_t> to_s64() const;
    Result<bool> to_bool() const;
    // A pointer's value; an array's or function's address.
    Result<std::uint64_t> pointer() const;
    // A char array up to its first NUL, or the NUL-terminated string a char pointer points to
    // (at most `max` bytes).
    Result<std::string> c_string(std::size_t max = 4096) const;

private:
    Session* session_ = nullptr;
    const Type* type_ = nullptr;
    bool lvalue_ = false;
    bool per_cpu_ = false;
    std::uint64_t address_ = 0;
    std::vector<std::byte> bytes_;
    std::uint32_t bit_offset_ = 0;
    std::uint32_t bit_size_ = 0;
    std::string symbol_;

    friend struct ObjectAccess;
};

// The offset of a member path ("tasks", "thread.sp") in `type`, in bytes: offsetof().
Result<std::uint64_t> member_offset(Session& s, const Type* type, std::string_view path);
Result<std::uint64_t> member_offset(Session& s, std::string_view type_name, std::string_view path);
// sizeof(TYPE) by name, through typedefs and declarations; fails if it has no size.
Result<std::uint64_t> type_size_of(Session& s, std::string_view type_name);

// How often member paths were resolved against a type, and how often a resolution was reused
// (the session's cache): for tests and benchmarks.
struct MemberPathStats {
    std::size_t resolved = 0, reused = 0;
};
MemberPathStats member_path_stats(Session& s);

// Evaluate a C expression: globals, enumerators, numbers, casts to any type, . -> [] * &,
// arithmetic, comparison, logic, ?:, sizeof, and crash's per-CPU form NAME:CPU.
Result<Object> evaluate(Session& session, std::string_view expression);

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
