// SPDX-License-Identifier: GPL-3.0-or-later
// The type model every command and printer speaks. Independent of where types come from
// (DWARF today, BTF later): a loader builds Types and resolves references lazily, so asking for
// struct task_struct does not pull in every type reachable from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdive {

struct Type;

// Resolves an opaque reference (a DIE offset for DWARF) to a Type, once.
class TypeLoader {
public:
    virtual ~TypeLoader() = default;
    virtual const Type* load(std::uint64_t ref) const = 0;
};

// A reference to a type that is loaded when first used.
class TypeRef {
public:
    TypeRef() = default;
    explicit TypeRef(const Type* t) : resolved_(t) {}
    TypeRef(const TypeLoader* loader, std::uint64_t ref) : loader_(loader), ref_(ref) {}

    // nullptr means void (no type).
    const Type* get() const {
        if (!resolved_ && loader_) {
            resolved_ = loader_->load(ref_);
            loader_ = nullptr;
        }
        return resolved_;
    }
    bool empty() const { return !resolved_ && !loader_; }

private:
    mutable const Type* resolved_ = nullptr;
    mutable const TypeLoader* loader_ = nullptr;
    std::uint64_t ref_ = 0;
};

enum class TypeKind {
    Void,
    Int,       // includes char and _Bool (see Type::encoding)
    Float,
    Pointer,
    Array,
    Struct,
    Union,
    Enum,
    Typedef,
    Function,
    Const,
    Volatile,
};

enum class IntEncoding { Signed, Unsigned, SignedChar, UnsignedChar, Bool };

struct Member {
    std::string name;          // empty for an anonymous struct/union member
    TypeRef type;
    std::uint64_t bit_offset = 0;  // from the start of the enclosing type
    std::uint32_t bit_size = 0;    // non-zero for bit-fields
    std::uint64_t byte_offset() const { return bit_offset / 8; }
};

struct Enumerator {
    std::string name;
    std::int64_t value = 0;
};

struct Type {
    TypeKind kind = TypeKind::Void;
    std::string name;        // "int", "task_struct" (no keyword), a typedef's name; "" if anonymous
    std::uint64_t size = 0;  // in bytes; 0 for void, functions and incomplete types
    IntEncoding encoding = IntEncoding::Signed;  // Int (and Enum: its underlying type's)
    bool complete = true;    // false for a struct/union/enum only declared here
    TypeRef target;          // Pointer: pointee; Array: element; Typedef/Const/Volatile: the
                             // qualified type; Function: return type (void: empty)
    std::optional<std::uint64_t> count;  // Array: elements; nullopt for flexible/unknown
    std::vector<Member> members;         // Struct, Union
    std::vector<Enumerator> enumerators; // Enum
    std::vector<TypeRef> params;         // Function
    bool variadic = false;               // Function
    std::uint64_t ref = 0;               // the loader's reference (for identity and caching)

    bool is_integer() const { return kind == TypeKind::Int || kind == TypeKind::Enum; }
    bool is_scalar() const { return is_integer() || kind == TypeKind::Pointer || kind == TypeKind::Float; }
    bool is_signed() const {
        return encoding == IntEncoding::Signed || encoding == IntEncoding::SignedChar;
    }
    bool is_char() const {
        return kind == TypeKind::Int &&
               (encoding == IntEncoding::SignedChar || encoding == IntEncoding::UnsignedChar);
    }
};

// Skips typedefs, const and volatile.
const Type* strip_typedefs(const Type* t);
// sizeof(t): through typedefs and qualifiers.
std::uint64_t type_size(const Type* t);

// "struct task_struct", "unsigned long", "char *", "int (*)(void *)": a type as C writes it.
std::string type_name(const Type* t);
// A declaration of `declarator` with type t: "char comm[16]", "void (*fn)(int)".
std::string declaration(const Type* t, std::string_view declarator);

// A member found by name, looking through anonymous struct/union members as C does.
struct MemberPath {
    const Member* member = nullptr;
    std::uint64_t bit_offset = 0;  // from the start of the searched type
};
std::optional<MemberPath> find_member(const Type* t, std::string_view name);

// The byte offset shown for a member at `bit_offset`, as crash's `struct -o` and pahole show
// it: a bit-field at the start of its storage unit, anything else at its first byte.
std::uint64_t shown_offset(const Member& m, std::uint64_t bit_offset);

}  // namespace kdive
