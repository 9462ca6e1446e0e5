// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/btf.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>

#include <fmt/format.h>

namespace kdive {

namespace {

constexpr std::uint16_t kMagic = 0xeb9f;
constexpr std::size_t kHeaderSize = 24;       // struct btf_header up to str_len
constexpr std::uint32_t kMaxTypes = 0xfffff;  // BTF_MAX_TYPE
// The kernel resolves types at most 32 deep (MAX_RESOLVE_DEPTH): anything deeper is corrupt,
// and the limit keeps the recursion below off the stack's end.
constexpr int kMaxDepth = 64;
constexpr std::uint64_t kMaxSize = 0xffffffff;  // sizes are u32 in BTF
constexpr std::uint64_t kLeafCap = std::uint64_t{1} << 32;
constexpr std::uint64_t kPrintElements = 256;  // gdb's `print elements`, as the printer cuts

constexpr std::uint32_t kIntSigned = 1, kIntChar = 2, kIntBool = 4;

std::uint32_t u32_at(std::span<const std::byte> b, std::size_t off) {
    std::uint32_t v;
    std::memcpy(&v, b.data() + off, 4);
    return v;
}

bool refers(BtfKind k) {
    switch (k) {
        case BtfKind::Ptr:
        case BtfKind::Typedef:
        case BtfKind::Volatile:
        case BtfKind::Const:
        case BtfKind::Restrict:
        case BtfKind::Func:
        case BtfKind::FuncProto:
        case BtfKind::Var:
        case BtfKind::DeclTag:
        case BtfKind::TypeTag: return true;
        default: return false;
    }
}

// Kinds a value's type passes through without kdive's type model having a kind for them.
bool transparent(BtfKind k) {
    return k == BtfKind::Restrict || k == BtfKind::TypeTag || k == BtfKind::Var || k == BtfKind::Func;
}

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
    if (a && b > kLeafCap / a) return kLeafCap;
    return std::min(a * b, kLeafCap);
}

// Reads the records of the type section.
class Reader {
public:
    Reader(std::span<const std::byte> types, std::span<const std::byte> strings) : t_(types), s_(strings) {}

    Result<std::vector<BtfType>> types() {
        std::vector<BtfType> out;
        while (pos_ < t_.size()) {
            if (out.size() == kMaxTypes) return fail("more BTF types than BTF_MAX_TYPE");
            auto t = one(static_cast<std::uint32_t>(out.size() + 1));
            if (!t) return t.failure();
            out.push_back(std::move(*t));
        }
        return out;
    }

private:
    Result<std::string> str(std::uint32_t off) const {
        if (off == 0) return std::string();
        if (off >= s_.size()) return fail(fmt::format("string offset {} past the string section", off));
        const auto* p = reinterpret_cast<const char*>(s_.data()) + off;
        const std::size_t n = strnlen(p, s_.size() - off);
        if (n == s_.size() - off) return fail(fmt::format("string at {} is not terminated", off));
        return std::string(p, n);
    }

    // The next n bytes of the record, or an error naming the type that runs past the section.
    Result<std::size_t> take(std::uint64_t n, std::uint32_t id) {
        if (n > t_.size() - pos_) return fail(fmt::format("BTF type {} runs past the type section", id));
        const std::size_t at = pos_;
        pos_ += static_cast<std::size_t>(n);
        return at;
    }

    Result<BtfType> one(std::uint32_t id) {
        auto at = take(12, id);
        if (!at) return at.failure();
        BtfType t;
        t.id = id;
        const std::uint32_t info = u32_at(t_, *at + 4);
        const unsigned kind = (info >> 24) & 0x1f;
        const std::uint32_t vlen = info & 0xffff;
        if (kind == 0 || kind > static_cast<unsigned>(BtfKind::Enum64))
            return fail(fmt::format("BTF type {} has unknown kind {}", id, kind));
        t.kind = static_cast<BtfKind>(kind);
        t.kind_flag = info >> 31;
        auto name = str(u32_at(t_, *at));
        if (!name) return fail(fmt::format("BTF type {}: {}", id, name.error().what));
        t.name = std::move(*name);
        const std::uint32_t size_or_type = u32_at(t_, *at + 8);
        if (refers(t.kind)) t.type = size_or_type;
        else t.size = size_or_type;

        // What follows the record, by kind.
        switch (t.kind) {
            case BtfKind::Int: {
                auto p = take(4, id);
                if (!p) return p.failure();
                const std::uint32_t v = u32_at(t_, *p);
                t.int_encoding = (v >> 24) & 0x0f;
                t.int_offset = (v >> 16) & 0xff;
                t.int_bits = v & 0xff;
                if (t.size == 0 || t.size > 16 || t.int_bits == 0 || t.int_offset + t.int_bits > t.size * 8)
                    return fail(fmt::format("BTF type {}: implausible integer ({} bytes, {} bits at {})", id, t.size,
                                            t.int_bits, t.int_offset));
                break;
            }
            case BtfKind::Array: {
                auto p = take(12, id);
                if (!p) return p.failure();
                t.elem_type = u32_at(t_, *p);
                t.index_type = u32_at(t_, *p + 4);
                t.nelems = u32_at(t_, *p + 8);
                break;
            }
            case BtfKind::Struct:
            case BtfKind::Union: {
                auto p = take(std::uint64_t{vlen} * 12, id);
                if (!p) return p.failure();
                for (std::uint32_t i = 0; i < vlen; ++i) {
                    const std::size_t m = *p + i * 12;
                    auto mname = str(u32_at(t_, m));
                    if (!mname) return fail(fmt::format("BTF type {} member {}: {}", id, i, mname.error().what));
                    const std::uint32_t off = u32_at(t_, m + 8);
                    // With kind_flag the offset's top byte is the bit-field's size.
                    t.members.push_back({std::move(*mname), u32_at(t_, m + 4), t.kind_flag ? off & 0xffffff : off,
                                         t.kind_flag ? off >> 24 : 0});
                }
                break;
            }
            case BtfKind::Enum:
            case BtfKind::Enum64: {
                const bool wide = t.kind == BtfKind::Enum64;
                auto p = take(std::uint64_t{vlen} * (wide ? 12 : 8), id);
                if (!p) return p.failure();
                for (std::uint32_t i = 0; i < vlen; ++i) {
                    const std::size_t e = *p + i * (wide ? 12 : 8);
                    auto ename = str(u32_at(t_, e));
                    if (!ename) return fail(fmt::format("BTF type {} enumerator {}: {}", id, i, ename.error().what));
                    std::int64_t v;
                    if (wide) {
                        v = static_cast<std::int64_t>(std::uint64_t{u32_at(t_, e + 8)} << 32 | u32_at(t_, e + 4));
                    } else {
                        const std::uint32_t raw = u32_at(t_, e + 4);
                        // kind_flag: signed values (the kernel sets it since 6.0).
                        v = t.kind_flag ? std::int64_t{static_cast<std::int32_t>(raw)} : std::int64_t{raw};
                    }
                    t.enumerators.push_back({std::move(*ename), v});
                }
                break;
            }
            case BtfKind::FuncProto: {
                auto p = take(std::uint64_t{vlen} * 8, id);
                if (!p) return p.failure();
                for (std::uint32_t i = 0; i < vlen; ++i) {
                    auto pname = str(u32_at(t_, *p + i * 8));
                    if (!pname) return fail(fmt::format("BTF type {} parameter {}: {}", id, i, pname.error().what));
                    t.params.push_back({std::move(*pname), u32_at(t_, *p + i * 8 + 4)});
                }
                break;
            }
            case BtfKind::Var:
            case BtfKind::DeclTag: {  // linkage; component_idx
                auto p = take(4, id);
                if (!p) return p.failure();
                break;
            }
            case BtfKind::Datasec: {  // btf_var_secinfo: type, offset, size
                auto p = take(std::uint64_t{vlen} * 12, id);
                if (!p) return p.failure();
                for (std::uint32_t i = 0; i < vlen; ++i) t.members.push_back({{}, u32_at(t_, *p + i * 12), 0, 0});
                break;
            }
            default: break;
        }
        return t;
    }

    std::span<const std::byte> t_, s_;
    std::size_t pos_ = 0;
};

// Every type ID a type refers to (for the range check).
std::vector<std::uint32_t> references(const BtfType& t) {
    std::vector<std::uint32_t> r;
    if (refers(t.kind)) r.push_back(t.type);
    if (t.kind == BtfKind::Array) {
        r.push_back(t.elem_type);
        r.push_back(t.index_type);
    }
    for (const auto& m : t.members) r.push_back(m.type);
    for (const auto& p : t.params) r.push_back(p.type);
    return r;
}

// Sizes and printed scalars of every type, following what a value contains: a type that
// contains itself (not through a pointer) is corrupt.
class Resolver {
public:
    explicit Resolver(const std::vector<BtfType>& types)
        : types_(types), size_(types.size() + 1), leaves_(types.size() + 1), state_(types.size() + 1) {
        state_[0] = Done;  // void
    }

    Result<void> all() {
        for (std::uint32_t id = 1; id <= types_.size(); ++id)
            if (auto r = resolve(id, 0); !r) return r;
        return {};
    }

    std::vector<std::uint64_t> sizes() && { return std::move(size_); }
    std::vector<std::uint64_t> leaves() && { return std::move(leaves_); }

private:
    enum State : std::uint8_t { Unseen, Active, Done };

    Result<void> resolve(std::uint32_t id, int depth) {
        if (state_[id] == Done) return {};
        if (state_[id] == Active) return fail(fmt::format("BTF type {} contains itself", id));
        if (depth > kMaxDepth) return fail(fmt::format("BTF type {} nests too deep", id));
        state_[id] = Active;
        const BtfType& t = types_[id - 1];
        auto inner = [&](std::uint32_t ref) { return resolve(ref, depth + 1); };
        std::uint64_t size = 0, leaves = 1;
        switch (t.kind) {
            case BtfKind::Int:
            case BtfKind::Enum:
            case BtfKind::Enum64:
            case BtfKind::Float: size = t.size; break;
            case BtfKind::Ptr: size = 8; break;  // the dumped kernel is x86-64
            case BtfKind::Typedef:
            case BtfKind::Volatile:
            case BtfKind::Const:
            case BtfKind::Restrict:
            case BtfKind::TypeTag:
            case BtfKind::Var:
                if (auto r = inner(t.type); !r) return r;
                size = size_[t.type];
                leaves = leaves_[t.type];
                break;
            case BtfKind::Array: {
                if (auto r = inner(t.elem_type); !r) return r;
                size = size_[t.elem_type] * t.nelems;  // both below 2^32: no overflow
                if (size > kMaxSize) return fail(fmt::format("BTF array {} is larger than 4 GiB", id));
                const BtfType* e = elem_int(t.elem_type);
                const bool chars = e && e->size == 1 && is_char(*e);
                leaves = chars ? 1 : saturating_mul(std::min<std::uint64_t>(t.nelems, kPrintElements), leaves_[t.elem_type]);
                break;
            }
            case BtfKind::Struct:
            case BtfKind::Union:
            case BtfKind::Datasec: {
                size = t.size;
                leaves = 0;
                for (const auto& m : t.members) {
                    if (auto r = inner(m.type); !r) return r;
                    leaves = std::min(leaves + leaves_[m.type], kLeafCap);
                    if (t.kind == BtfKind::Datasec) continue;
                    if (auto r = placed(t, m); !r) return r;
                }
                break;
            }
            default: break;  // FWD, FUNC, FUNC_PROTO, DECL_TAG: no value of their own
        }
        size_[id] = size;
        leaves_[id] = leaves;
        state_[id] = Done;
        return {};
    }

    // The INT a type is, through typedefs and modifiers (resolved already: no cycle).
    const BtfType* elem_int(std::uint32_t id) const {
        for (int hops = 0; id && hops <= kMaxDepth; ++hops) {
            const BtfType& t = types_[id - 1];
            if (t.kind == BtfKind::Int) return &t;
            if (t.kind != BtfKind::Typedef && t.kind != BtfKind::Const && t.kind != BtfKind::Volatile &&
                t.kind != BtfKind::Restrict && t.kind != BtfKind::TypeTag)
                return nullptr;
            id = t.type;
        }
        return nullptr;
    }

    static bool is_char(const BtfType& t) {
        return (t.int_encoding & kIntChar) || t.name == "char" || t.name == "signed char" || t.name == "unsigned char";
    }

    // A member must lie inside its struct: the printers then never look past the value.
    Result<void> placed(const BtfType& t, const BtfMember& m) const {
        std::uint64_t bits = m.bitfield_size;
        if (!bits) {
            const BtfType* i = elem_int(m.type);
            // Old-style bit-fields (no kind_flag): the INT itself says how many bits.
            bits = i && i->int_bits < i->size * 8 ? i->int_bits + i->int_offset : size_[m.type] * 8;
        }
        if (std::uint64_t{m.bit_offset} + bits > std::uint64_t{t.size} * 8)
            return fail(fmt::format("BTF type {}: member '{}' lies past its end", t.id, m.name));
        return {};
    }

    const std::vector<BtfType>& types_;
    std::vector<std::uint64_t> size_, leaves_;
    std::vector<State> state_;
};

}  // namespace

std::string_view btf_kind_name(BtfKind kind) {
    static constexpr std::string_view names[] = {"UNKN",     "INT",   "PTR",     "ARRAY",      "STRUCT",
                                                 "UNION",    "ENUM",  "FWD",     "TYPEDEF",    "VOLATILE",
                                                 "CONST",    "RESTRICT", "FUNC", "FUNC_PROTO", "VAR",
                                                 "DATASEC",  "FLOAT", "DECL_TAG", "TYPE_TAG",  "ENUM64"};
    const auto i = static_cast<std::size_t>(kind);
    return i < std::size(names) ? names[i] : "UNKN";
}

Result<Btf> Btf::parse(std::span<const std::byte> blob) {
    if (blob.size() < kHeaderSize) return fail(fmt::format("BTF of {} bytes is shorter than its header", blob.size()));
    std::uint16_t magic;
    std::memcpy(&magic, blob.data(), 2);
    if (magic == 0x9feb) return fail("big-endian BTF is not read");
    if (magic != kMagic) return fail(fmt::format("bad BTF magic {:#06x}", magic));
    if (blob[2] != std::byte{1}) return fail(fmt::format("unknown BTF version {}", static_cast<unsigned>(blob[2])));
    const std::uint32_t hdr_len = u32_at(blob, 4);
    if (hdr_len < kHeaderSize || hdr_len > blob.size())
        return fail(fmt::format("BTF header length {} does not fit {} bytes", hdr_len, blob.size()));
    const std::uint64_t type_off = u32_at(blob, 8), type_len = u32_at(blob, 12);
    const std::uint64_t str_off = u32_at(blob, 16), str_len = u32_at(blob, 20);
    const auto body = blob.subspan(hdr_len);
    if (type_off + type_len > body.size() || str_off + str_len > body.size())
        return fail("BTF sections run past the blob");
    if (type_off % 4) return fail("BTF type section is not aligned");

    Reader reader(body.subspan(type_off, type_len), body.subspan(str_off, str_len));
    auto types = reader.types();
    if (!types) return types.failure();
    for (const auto& t : *types)
        for (std::uint32_t ref : references(t))
            if (ref > types->size())
                return fail(fmt::format("BTF type {} refers to type {} of {}", t.id, ref, types->size()));

    Resolver resolver(*types);
    if (auto r = resolver.all(); !r) return r.failure();
    Btf btf;
    btf.types_ = std::move(*types);
    btf.sizes_ = std::move(resolver).sizes();
    btf.leaves_ = std::move(resolver).leaves();
    return btf;
}

const BtfType* Btf::type(std::uint32_t id) const {
    return id == 0 || id > types_.size() ? nullptr : &types_[id - 1];
}

std::uint64_t Btf::size_of(std::uint32_t id) const { return id < sizes_.size() ? sizes_[id] : 0; }

std::uint64_t Btf::leaves_of(std::uint32_t id) const { return id < leaves_.size() ? leaves_[id] : 0; }

Result<const Type*> BtfTypes::get(std::uint32_t id) const {
    if (id > btf_.count()) return fail(fmt::format("no BTF type {} (the BTF has {})", id, btf_.count()));
    return load(id);
}

const Type* BtfTypes::load(std::uint64_t ref) const {
    // RESTRICT, TYPE_TAG, VAR and FUNC stand for the type they refer to. Parse rejected
    // cycles; the bound is for safety all the same.
    auto id = static_cast<std::uint32_t>(ref);
    for (int hops = 0; hops <= kMaxDepth; ++hops) {
        const BtfType* t = btf_.type(id);
        if (!t) return nullptr;
        if (!transparent(t->kind)) break;
        id = t->type;
    }
    if (auto it = made_.find(id); it != made_.end()) return it->second.get();
    return make(id);
}

const Type* BtfTypes::make(std::uint32_t id) const {
    const BtfType* b = btf_.type(id);
    if (!b) return nullptr;
    auto t = std::make_unique<Type>();
    t->ref = id;
    t->name = b->name;
    auto ref = [this](std::uint32_t target) { return target ? TypeRef(this, target) : TypeRef(); };
    switch (b->kind) {
        case BtfKind::Int: {
            t->kind = TypeKind::Int;
            t->size = b->size;
            const bool is_signed = b->int_encoding & kIntSigned;
            const bool is_char = b->size == 1 && ((b->int_encoding & kIntChar) || b->name == "char" ||
                                                  b->name == "signed char" || b->name == "unsigned char");
            if (b->int_encoding & kIntBool) t->encoding = IntEncoding::Bool;
            else if (is_char) t->encoding = is_signed ? IntEncoding::SignedChar : IntEncoding::UnsignedChar;
            else t->encoding = is_signed ? IntEncoding::Signed : IntEncoding::Unsigned;
            break;
        }
        case BtfKind::Ptr:
            t->kind = TypeKind::Pointer;
            t->size = 8;
            t->target = ref(b->type);
            break;
        case BtfKind::Array:
            t->kind = TypeKind::Array;
            t->size = btf_.size_of(id);
            t->target = ref(b->elem_type);
            t->count = b->nelems;
            break;
        case BtfKind::Struct:
        case BtfKind::Union:
            t->kind = b->kind == BtfKind::Struct ? TypeKind::Struct : TypeKind::Union;
            t->size = b->size;
            for (const auto& m : b->members) {
                Member mm{m.name, ref(m.type), m.bit_offset, m.bitfield_size};
                // Without kind_flag a bit-field is an INT of fewer bits than its size.
                if (!b->kind_flag)
                    if (const BtfType* i = btf_.type(m.type); i && i->kind == BtfKind::Int && i->int_bits < i->size * 8) {
                        mm.bit_offset += i->int_offset;
                        mm.bit_size = i->int_bits;
                    }
                t->members.push_back(std::move(mm));
            }
            break;
        case BtfKind::Enum:
        case BtfKind::Enum64:
            t->kind = TypeKind::Enum;
            t->size = b->size;
            t->encoding = b->kind_flag ? IntEncoding::Signed : IntEncoding::Unsigned;
            for (const auto& e : b->enumerators) t->enumerators.push_back({e.name, e.value});
            break;
        case BtfKind::Fwd:
            t->kind = b->kind_flag ? TypeKind::Union : TypeKind::Struct;
            t->complete = false;
            break;
        case BtfKind::Typedef:
        case BtfKind::Volatile:
        case BtfKind::Const:
            t->kind = b->kind == BtfKind::Typedef ? TypeKind::Typedef
                      : b->kind == BtfKind::Const ? TypeKind::Const
                                                  : TypeKind::Volatile;
            t->target = ref(b->type);
            break;
        case BtfKind::FuncProto:
            t->kind = TypeKind::Function;
            t->target = ref(b->type);
            for (const auto& p : b->params) {
                if (p.type == 0) {
                    t->variadic = true;
                    break;
                }
                t->params.push_back(ref(p.type));
            }
            break;
        case BtfKind::Float:
            t->kind = TypeKind::Float;
            t->size = b->size;
            break;
        default:  // DATASEC, DECL_TAG: no values to print
            t->kind = TypeKind::Void;
            break;
    }
    const Type* out = t.get();
    made_.emplace(id, std::move(t));
    return out;
}

}  // namespace kdive
