// SPDX-License-Identifier: GPL-3.0-or-later
#include "debuginfo/dwarf_types.hpp"

#include <dwarf.h>

#include <fmt/format.h>

namespace kdive {

namespace {

// An owned Dwarf_Die.
class Die {
public:
    Die() = default;
    explicit Die(Dwarf_Die d) : d_(d) {}
    Die(Die&& o) noexcept : d_(std::exchange(o.d_, nullptr)) {}
    Die& operator=(Die&& o) noexcept {
        std::swap(d_, o.d_);
        return *this;
    }
    ~Die() {
        if (d_) dwarf_dealloc_die(d_);
    }
    Dwarf_Die get() const { return d_; }
    explicit operator bool() const { return d_ != nullptr; }

private:
    Dwarf_Die d_ = nullptr;
};

// An owned Dwarf_Attribute.
class Attr {
public:
    Attr(Dwarf_Die die, Dwarf_Half name) {
        Dwarf_Error err = nullptr;
        if (dwarf_attr(die, name, &a_, &err) != DW_DLV_OK) a_ = nullptr;
    }
    Attr(const Attr&) = delete;
    Attr& operator=(const Attr&) = delete;
    ~Attr() {
        if (a_) dwarf_dealloc_attribute(a_);
    }
    explicit operator bool() const { return a_ != nullptr; }

    Dwarf_Half form() const {
        Dwarf_Half f = 0;
        Dwarf_Error err = nullptr;
        return dwarf_whatform(a_, &f, &err) == DW_DLV_OK ? f : 0;
    }
    std::optional<std::uint64_t> udata() const {
        Dwarf_Unsigned v = 0;
        Dwarf_Error err = nullptr;
        if (dwarf_formudata(a_, &v, &err) == DW_DLV_OK) return v;
        // DWARF 5's DW_FORM_implicit_const (GCC's bit-field sizes): libdwarf reads it only as
        // signed, and a bit-field read as a whole int prints wrong.
        if (form() == DW_FORM_implicit_const)
            if (auto s = sdata(); s && *s >= 0) return static_cast<std::uint64_t>(*s);
        return std::nullopt;
    }
    std::optional<std::int64_t> sdata() const {
        Dwarf_Signed v = 0;
        Dwarf_Error err = nullptr;
        if (dwarf_formsdata(a_, &v, &err) == DW_DLV_OK) return v;
        return std::nullopt;
    }
    std::optional<std::uint64_t> ref() const {
        Dwarf_Off off = 0;
        Dwarf_Error err = nullptr;
        if (dwarf_global_formref(a_, &off, &err) == DW_DLV_OK) return off;
        return std::nullopt;
    }
    bool flag() const {
        Dwarf_Bool b = 0;
        Dwarf_Error err = nullptr;
        return dwarf_formflag(a_, &b, &err) == DW_DLV_OK && b;
    }
    // DW_OP_plus_uconst N: how DWARF 2 compilers wrote member offsets.
    std::optional<std::uint64_t> plus_uconst() const {
        Dwarf_Unsigned len = 0;
        Dwarf_Ptr ptr = nullptr;
        Dwarf_Error err = nullptr;
        if (dwarf_formexprloc(a_, &len, &ptr, &err) != DW_DLV_OK || len < 2) return std::nullopt;
        auto* p = static_cast<const unsigned char*>(ptr);
        if (p[0] != DW_OP_plus_uconst) return std::nullopt;
        std::uint64_t v = 0;
        unsigned shift = 0;
        for (Dwarf_Unsigned i = 1; i < len && shift < 64; ++i, shift += 7) {
            v |= static_cast<std::uint64_t>(p[i] & 0x7f) << shift;
            if (!(p[i] & 0x80)) break;
        }
        return v;
    }

private:
    Dwarf_Attribute a_ = nullptr;
};

std::string die_name(Dwarf_Die d) {
    char* n = nullptr;
    Dwarf_Error err = nullptr;
    return dwarf_diename(d, &n, &err) == DW_DLV_OK && n ? std::string(n) : std::string();
}

Dwarf_Half die_tag(Dwarf_Die d) {
    Dwarf_Half tag = 0;
    Dwarf_Error err = nullptr;
    return dwarf_tag(d, &tag, &err) == DW_DLV_OK ? tag : 0;
}

// Children of a DIE, in order.
template <typename F>
void for_each_child(Dwarf_Debug dbg, Dwarf_Die parent, F&& f) {
    Dwarf_Die c = nullptr;
    Dwarf_Error err = nullptr;
    if (dwarf_child(parent, &c, &err) != DW_DLV_OK) return;
    Die cur(c);
    for (;;) {
        f(cur.get());
        Dwarf_Die s = nullptr;
        if (dwarf_siblingof_b(dbg, cur.get(), true, &s, &err) != DW_DLV_OK) break;
        cur = Die(s);
    }
}

}  // namespace

Result<void> DwarfTypeLoader::ensure_open() const {
    if (dbg_) return {};
    auto h = secs_.libdwarf();
    if (!h) return h.failure();
    dbg_ = *h;
    return {};
}

const Type* DwarfTypeLoader::synthesize(Type t) const {
    synthesized_.push_back(std::make_unique<Type>(std::move(t)));
    return synthesized_.back().get();
}

const Type* DwarfTypeLoader::load(std::uint64_t die) const {
    auto r = load_checked(die);
    if (r) return *r;
    Type bad;
    bad.name = fmt::format("<unreadable type at DIE {:#x}>", die);
    return synthesize(std::move(bad));
}

Result<const Type*> DwarfTypeLoader::load_checked(std::uint64_t die) const {
    if (auto it = cache_.find(die); it != cache_.end()) return it->second.get();
    auto t = build(die);
    if (!t) return t.failure();
    auto [it, _] = cache_.emplace(die, std::move(*t));
    return it->second.get();
}

Result<const Type*> DwarfTypeLoader::type_of_object(std::uint64_t die) const {
    if (auto r = ensure_open(); !r) return r.failure();
    Dwarf_Die d = nullptr;
    Dwarf_Error err = nullptr;
    if (dwarf_offdie_b(dbg_, die, true, &d, &err) != DW_DLV_OK)
        return fail("cannot read DIE", fmt::format("{:#x}", die));
    Die owned(d);
    if (die_tag(d) == DW_TAG_subprogram) return load_checked(die);  // its function type
    Attr t(d, DW_AT_type);
    if (!t) return fail("object has no type", fmt::format("DIE {:#x}", die));
    auto ref = t.ref();
    if (!ref) return fail("bad type reference", fmt::format("DIE {:#x}", die));
    return load_checked(*ref);
}

Result<std::unique_ptr<Type>> DwarfTypeLoader::build(std::uint64_t off) const {
    if (auto r = ensure_open(); !r) return r.failure();
    Dwarf_Debug dbg = dbg_;
    Dwarf_Die raw = nullptr;
    Dwarf_Error err = nullptr;
    if (dwarf_offdie_b(dbg, off, true, &raw, &err) != DW_DLV_OK)
        return fail("cannot read DIE", fmt::format("{:#x}", off));
    Die d(raw);

    auto t = std::make_unique<Type>();
    t->ref = off;
    t->name = die_name(raw);
    if (Attr a(raw, DW_AT_byte_size); a) {
        if (auto v = a.udata()) t->size = *v;
        // DWARF 5's DW_FORM_implicit_const (GCC's enums): libdwarf reads it only as signed.
        else if (auto sv = a.sdata(); sv && *sv > 0) t->size = static_cast<std::uint64_t>(*sv);
    }
    if (Attr a(raw, DW_AT_type); a)
        if (auto r = a.ref()) t->target = TypeRef(this, *r);
    bool declaration = false;
    if (Attr a(raw, DW_AT_declaration); a) declaration = a.flag();

    const Dwarf_Half tag = die_tag(raw);
    switch (tag) {
        case DW_TAG_base_type: {
            t->kind = TypeKind::Int;
            std::uint64_t enc = 0;
            if (Attr a(raw, DW_AT_encoding); a) enc = a.udata().value_or(0);
            switch (enc) {
                case DW_ATE_float: case DW_ATE_complex_float: t->kind = TypeKind::Float; break;
                case DW_ATE_boolean: t->encoding = IntEncoding::Bool; break;
                case DW_ATE_signed_char: t->encoding = IntEncoding::SignedChar; break;
                case DW_ATE_unsigned_char: t->encoding = IntEncoding::UnsignedChar; break;
                case DW_ATE_unsigned: t->encoding = IntEncoding::Unsigned; break;
                default: t->encoding = IntEncoding::Signed; break;
            }
            break;
        }
        case DW_TAG_unspecified_type: t->kind = TypeKind::Void; break;
        case DW_TAG_pointer_type:
        case DW_TAG_reference_type:
            t->kind = TypeKind::Pointer;
            if (!t->size) t->size = 8;  // the CU's address size; x86-64 only for now
            break;
        case DW_TAG_typedef: t->kind = TypeKind::Typedef; break;
        case DW_TAG_const_type: t->kind = TypeKind::Const; break;
        case DW_TAG_volatile_type: t->kind = TypeKind::Volatile; break;
        case DW_TAG_restrict_type:
        case DW_TAG_atomic_type:
            // Qualifiers that change nothing we print or read: seen through as a typedef would.
            t->kind = TypeKind::Typedef;
            break;
        case DW_TAG_structure_type:
        case DW_TAG_union_type: {
            t->kind = tag == DW_TAG_structure_type ? TypeKind::Struct : TypeKind::Union;
            t->complete = !declaration;
            for_each_child(dbg, raw, [&](Dwarf_Die c) {
                if (die_tag(c) != DW_TAG_member) return;
                Member m;
                m.name = die_name(c);
                if (Attr a(c, DW_AT_type); a)
                    if (auto r = a.ref()) m.type = TypeRef(this, *r);
                std::uint64_t byte_off = 0;
                if (Attr a(c, DW_AT_data_member_location); a)
                    byte_off = a.udata().value_or(a.plus_uconst().value_or(0));
                m.bit_offset = byte_off * 8;
                if (Attr a(c, DW_AT_bit_size); a) m.bit_size = static_cast<std::uint32_t>(a.udata().value_or(0));
                if (Attr a(c, DW_AT_data_bit_offset); a) {
                    m.bit_offset = a.udata().value_or(0);
                } else if (Attr b(c, DW_AT_bit_offset); b && m.bit_size) {
                    // DWARF 2/3: counted from the most significant bit of the storage unit.
                    std::uint64_t storage = 0;
                    if (Attr s(c, DW_AT_byte_size); s) storage = s.udata().value_or(0);
                    m.bit_offset = byte_off * 8 + storage * 8 - b.udata().value_or(0) - m.bit_size;
                }
                t->members.push_back(std::move(m));
            });
            break;
        }
        case DW_TAG_enumeration_type: {
            t->kind = TypeKind::Enum;
            t->complete = !declaration;
            t->encoding = IntEncoding::Unsigned;
            if (const Type* under = t->target.get(); under && under->kind == TypeKind::Int)
                t->encoding = under->encoding;
            for_each_child(dbg, raw, [&](Dwarf_Die c) {
                if (die_tag(c) != DW_TAG_enumerator) return;
                Attr v(c, DW_AT_const_value);
                if (!v) return;
                const Dwarf_Half f = v.form();
                std::int64_t value = f == DW_FORM_sdata || f == DW_FORM_implicit_const
                                         ? v.sdata().value_or(0)
                                         : static_cast<std::int64_t>(v.udata().value_or(0));
                // A data1/2/4 constant of a signed enum is sign-extended from its size.
                if (t->is_signed() && (f == DW_FORM_data1 || f == DW_FORM_data2 || f == DW_FORM_data4)) {
                    unsigned bits = f == DW_FORM_data1 ? 8 : f == DW_FORM_data2 ? 16 : 32;
                    value = static_cast<std::int64_t>(static_cast<std::uint64_t>(value) << (64 - bits)) >> (64 - bits);
                }
                if (value < 0) t->encoding = IntEncoding::Signed;
                t->enumerators.push_back({die_name(c), value});
            });
            break;
        }
        case DW_TAG_array_type: {
            // int a[2][3]: one DIE with two subranges; modelled as array of array, outer first.
            std::vector<std::optional<std::uint64_t>> dims;
            for_each_child(dbg, raw, [&](Dwarf_Die c) {
                if (die_tag(c) != DW_TAG_subrange_type) return;
                std::optional<std::uint64_t> n;
                if (Attr cnt(c, DW_AT_count); cnt) {
                    n = cnt.udata();
                } else if (Attr ub(c, DW_AT_upper_bound); ub) {
                    auto f = ub.form();
                    if (f == DW_FORM_sdata) {
                        auto s = ub.sdata();
                        if (s && *s >= 0) n = static_cast<std::uint64_t>(*s) + 1;
                    } else if (auto u = ub.udata()) {
                        n = *u + 1;
                    }
                }
                dims.push_back(n);
            });
            if (dims.empty()) dims.push_back(std::nullopt);
            TypeRef elem = t->target;
            // Inner dimensions become synthesized array types.
            for (std::size_t i = dims.size(); i-- > 1;) {
                Type inner;
                inner.kind = TypeKind::Array;
                inner.target = elem;
                inner.count = dims[i];
                const Type* et = elem.get();
                inner.size = dims[i] && et ? *dims[i] * type_size(et) : 0;
                elem = TypeRef(synthesize(std::move(inner)));
            }
            t->kind = TypeKind::Array;
            t->target = elem;
            t->count = dims[0];
            const Type* et = elem.get();
            t->size = dims[0] && et ? *dims[0] * type_size(et) : 0;
            break;
        }
        case DW_TAG_subroutine_type:
        case DW_TAG_subprogram: {
            t->kind = TypeKind::Function;
            t->size = 0;
            for_each_child(dbg, raw, [&](Dwarf_Die c) {
                const Dwarf_Half ct = die_tag(c);
                if (ct == DW_TAG_unspecified_parameters) {
                    t->variadic = true;
                } else if (ct == DW_TAG_formal_parameter) {
                    Attr a(c, DW_AT_type);
                    auto r = a ? a.ref() : std::nullopt;
                    t->params.push_back(r ? TypeRef(this, *r) : TypeRef());
                }
            });
            // A function defined in terms of its declaration: the declaration has the type.
            if (t->target.empty() && t->params.empty()) {
                if (Attr spec(raw, DW_AT_specification); spec)
                    if (auto r = spec.ref()) return build(*r);
                if (Attr orig(raw, DW_AT_abstract_origin); orig)
                    if (auto r = orig.ref()) return build(*r);
            }
            break;
        }
        default:
            return fail(fmt::format("DIE tag {:#x} is not a type", tag), fmt::format("{:#x}", off));
    }
    return t;
}

}  // namespace kdive
