// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/type.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace kdive {

const Type* strip_typedefs(const Type* t) {
    // Bounded: corrupt DWARF can make a typedef its own target (found by kdive_fuzz_dwarf).
    for (int hops = 0; t && (t->kind == TypeKind::Typedef || t->kind == TypeKind::Const ||
                             t->kind == TypeKind::Volatile);
         ++hops) {
        if (hops == 256) return nullptr;
        t = t->target.get();
    }
    return t;
}

std::uint64_t type_size(const Type* t) {
    const Type* s = strip_typedefs(t);
    return s ? s->size : 0;
}

namespace {

// GCC names base types "long unsigned int"; C programmers (and gdb, and crash) say
// "unsigned long".
std::string_view c_spelling(std::string_view dwarf) {
    static const std::pair<std::string_view, std::string_view> table[] = {
        {"long unsigned int", "unsigned long"},   {"long int", "long"},
        {"short unsigned int", "unsigned short"}, {"short int", "short"},
        {"long long unsigned int", "unsigned long long"}, {"long long int", "long long"},
    };
    for (auto [from, to] : table)
        if (dwarf == from) return to;
    return dwarf;
}

std::string base_name(const Type* t) {
    if (!t) return "void";
    auto tagged = [&](const char* kw) {
        return t->name.empty() ? fmt::format("{} {{...}}", kw) : fmt::format("{} {}", kw, t->name);
    };
    switch (t->kind) {
        case TypeKind::Struct: return tagged("struct");
        case TypeKind::Union: return tagged("union");
        case TypeKind::Enum: return tagged("enum");
        case TypeKind::Void: return "void";
        default: return t->name.empty() ? "<anonymous>" : std::string(c_spelling(t->name));
    }
}

const Type* skip_qualifiers(const Type* t) {
    while (t && (t->kind == TypeKind::Const || t->kind == TypeKind::Volatile)) t = t->target.get();
    return t;
}

}  // namespace

namespace {

// `nesting` counts function types inside parameter lists: corrupt DWARF or BTF can make a
// prototype take a pointer to itself, which would recurse without end.
std::string declaration_in(const Type* t, std::string_view declarator, int nesting) {
    if (nesting > 8) return "...";
    // C's inside-out declarators: walk from the outermost type constructor to the base type,
    // wrapping the declarator as we go.
    std::string d(declarator);
    std::string quals;  // qualifiers of the base type ("const char")
    for (int depth = 0; depth < 64; ++depth) {
        if (!t) break;
        switch (t->kind) {
            case TypeKind::Pointer:
                d = "*" + d;
                t = t->target.get();
                continue;
            case TypeKind::Array:
                if (!d.empty() && d.front() == '*') d = "(" + d + ")";
                d += t->count ? fmt::format("[{}]", *t->count) : std::string("[]");
                t = t->target.get();
                continue;
            case TypeKind::Function: {
                if (!d.empty() && d.front() == '*') d = "(" + d + ")";
                std::string params;
                for (const auto& p : t->params) {
                    if (!params.empty()) params += ", ";
                    params += declaration_in(p.get(), "", nesting + 1);
                }
                if (t->variadic) params += params.empty() ? "..." : ", ...";
                if (params.empty()) params = "void";
                d += "(" + params + ")";
                t = t->target.get();
                continue;
            }
            case TypeKind::Const:
            case TypeKind::Volatile: {
                const char* q = t->kind == TypeKind::Const ? "const" : "volatile";
                const Type* under = skip_qualifiers(t->target.get());
                if (under && under->kind == TypeKind::Pointer) {
                    d = d.empty() ? std::string(q) : fmt::format("{} {}", q, d);  // char *const p
                } else if (quals.find(q) == std::string::npos) {  // const const char: once
                    quals += q;
                    quals += ' ';
                }
                t = t->target.get();
                continue;
            }
            default: break;
        }
        break;
    }
    std::string base = quals + base_name(t);
    if (d.empty()) return base;
    return base + " " + d;
}

}  // namespace

std::string declaration(const Type* t, std::string_view declarator) { return declaration_in(t, declarator, 0); }

std::string type_name(const Type* t) { return declaration(t, ""); }

namespace {

// `depth` bounds the descent: corrupt DWARF can nest an anonymous struct in itself.
std::optional<MemberPath> find_member_in(const Type* t, std::string_view name, int depth) {
    t = strip_typedefs(t);
    if (!t || depth > 32 || (t->kind != TypeKind::Struct && t->kind != TypeKind::Union))
        return std::nullopt;
    for (const auto& m : t->members) {
        if (m.name == name) return MemberPath{&m, m.bit_offset};
        if (m.name.empty()) {  // C11 anonymous struct/union: its members are ours
            if (auto inner = find_member_in(m.type.get(), name, depth + 1))
                return MemberPath{inner->member, m.bit_offset + inner->bit_offset};
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<MemberPath> find_member(const Type* t, std::string_view name) {
    return find_member_in(t, name, 0);
}

std::uint64_t shown_offset(const Member& m, std::uint64_t bit_offset) {
    if (!m.bit_size) return bit_offset / 8;
    const std::uint64_t unit = std::max<std::uint64_t>(1, type_size(m.type.get()));
    return bit_offset / (unit * 8) * unit;
}

}  // namespace kdive
