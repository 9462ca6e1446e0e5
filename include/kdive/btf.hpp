// SPDX-License-Identifier: GPL-3.0-or-later
// BTF, the BPF Type Format (Documentation/bpf/btf.rst): the compact type description a BPF
// map's keys and values (and programs) come with. Btf::parse reads a raw blob — header, type
// section, string section, as BPF_BTF_LOAD took it and the kernel keeps it in struct btf's
// `data` — as a pure function over bytes: every offset, count, type ID and size is checked, so
// a corrupt blob is an error, never a crash. BtfTypes turns the parsed types into kdive's own
// Type model, so the printers every command uses (format_object) print BTF-typed values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/type.hpp"

namespace kdive {

// BTF_KIND_* (include/uapi/linux/btf.h).
enum class BtfKind : std::uint8_t {
    Unknown = 0,
    Int = 1,
    Ptr = 2,
    Array = 3,
    Struct = 4,
    Union = 5,
    Enum = 6,
    Fwd = 7,
    Typedef = 8,
    Volatile = 9,
    Const = 10,
    Restrict = 11,
    Func = 12,
    FuncProto = 13,
    Var = 14,
    Datasec = 15,
    Float = 16,
    DeclTag = 17,
    TypeTag = 18,
    Enum64 = 19,
};

// "INT", "STRUCT": the kind as bpftool btf dump names it.
std::string_view btf_kind_name(BtfKind kind);

struct BtfMember {
    std::string name;
    std::uint32_t type = 0;
    std::uint32_t bit_offset = 0;
    std::uint32_t bitfield_size = 0;  // non-zero for a bit-field (struct kind_flag set)
};

struct BtfEnumerator {
    std::string name;
    std::int64_t value = 0;  // ENUM64's unsigned values keep their bits
};

struct BtfParam {
    std::string name;
    std::uint32_t type = 0;  // 0 for the last parameter: the prototype is variadic
};

struct BtfType {
    std::uint32_t id = 0;
    BtfKind kind = BtfKind::Unknown;
    std::string name;
    bool kind_flag = false;
    // STRUCT, UNION, ENUM, ENUM64, INT, FLOAT, DATASEC: the size in bytes. Otherwise the
    // referenced type (PTR, TYPEDEF, modifiers, FUNC, FUNC_PROTO's return type, VAR, tags).
    std::uint32_t size = 0;
    std::uint32_t type = 0;
    // INT: BTF_INT_SIGNED (1), BTF_INT_CHAR (2), BTF_INT_BOOL (4); the value's bits.
    std::uint32_t int_encoding = 0, int_offset = 0, int_bits = 0;
    // ARRAY
    std::uint32_t elem_type = 0, index_type = 0, nelems = 0;
    std::vector<BtfMember> members;          // STRUCT, UNION
    std::vector<BtfEnumerator> enumerators;  // ENUM, ENUM64
    std::vector<BtfParam> params;            // FUNC_PROTO
};

class Btf {
public:
    // A standalone blob (type IDs from 1). Split BTF, whose IDs and strings continue a base
    // BTF (the vmlinux one), is not this: its references into the base cannot be checked here.
    static Result<Btf> parse(std::span<const std::byte> blob);

    // Types, not counting void (ID 0).
    std::uint32_t count() const { return static_cast<std::uint32_t>(types_.size()); }
    // The type with this ID; nullptr for void (0) and IDs past the last.
    const BtfType* type(std::uint32_t id) const;
    // sizeof, through typedefs and modifiers (0 for void, functions and forward declarations).
    std::uint64_t size_of(std::uint32_t id) const;
    // How many scalars gdb's printer shows for a value of this type (arrays past 256 elements
    // cut short, char arrays one string): nested structs multiply, so a small blob can
    // describe a value too large to print. Saturates at 2^32.
    std::uint64_t leaves_of(std::uint32_t id) const;

private:
    std::vector<BtfType> types_;         // ID i at i - 1
    std::vector<std::uint64_t> sizes_;   // ID i at i: void's too
    std::vector<std::uint64_t> leaves_;  // ID i at i
};

// kdive Types for the types of one Btf, made on first use (TypeRefs load lazily, so a type
// that points to itself is fine). The Types live as long as this object: it is neither
// copied nor moved, since every Type it made refers back to it.
class BtfTypes final : public TypeLoader {
public:
    explicit BtfTypes(Btf btf) : btf_(std::move(btf)) {}
    BtfTypes(const BtfTypes&) = delete;
    BtfTypes& operator=(const BtfTypes&) = delete;

    // The Type of a BTF type ID: nullptr for void; an error for an ID the BTF does not have.
    Result<const Type*> get(std::uint32_t id) const;
    const Btf& btf() const { return btf_; }

    const Type* load(std::uint64_t ref) const override;

private:
    const Type* make(std::uint32_t id) const;

    Btf btf_;
    mutable std::unordered_map<std::uint32_t, std::unique_ptr<Type>> made_;
};

}  // namespace kdive
