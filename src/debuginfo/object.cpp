// SPDX-License-Identifier: GPL-3.0-or-later
// The object layer: typed, lazy reads. Member paths are resolved against a type once per
// session (MemberPathCache) and objects read only their own bytes.
#include "kdive/object.hpp"

#include <cstring>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

namespace kdive {

// The evaluator (expression.cpp) makes objects the public constructors do not: named
// variables' per-CPU offsets.
struct ObjectAccess {
    static Object& set_symbol(Object& o, std::string name, bool per_cpu) {
        o.symbol_ = std::move(name);
        o.per_cpu_ = per_cpu;
        return o;
    }
};

namespace {

// Values larger than this are not read in one piece (a corrupt size must not allocate GiBs).
constexpr std::uint64_t kMaxRead = 64u << 20;

Result<DebugInfo*> debuginfo_of(Session* s) {
    if (!s) return fail("an object without a session");
    return s->debuginfo();
}

const Type* complete(Session* s, const Type* t) {
    t = strip_typedefs(t);
    if (t && !t->complete && s)
        if (auto di = s->debuginfo()) t = (*di)->complete(t);
    return t;
}

// sizeof through typedefs, qualifiers and declarations (a pointer's target is often only
// declared in the pointer's unit: `const struct sched_class *`).
std::uint64_t size_of(Session* s, const Type* t) { return type_size(complete(s, t)); }

// A member path's static part ("se.sum_exec_runtime", "mem[1].base") resolved in a type.
struct ResolvedPath {
    const Type* type = nullptr;  // the member's own type
    std::uint64_t bit_offset = 0;
    std::uint32_t bit_size = 0;
    std::optional<Error> error;  // resolution failures are cached too (feature detection)
};

struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Per session: type → path → resolution. Types live as long as the session's debug info.
struct MemberPathCache {
    std::unordered_map<const Type*,
                       std::unordered_map<std::string, ResolvedPath, PathHash, std::equal_to<>>>
        by_type;
    MemberPathStats stats;
};

ResolvedPath resolve_uncached(Session* s, const Type* type, std::string_view path) {
    ResolvedPath r;
    const Type* cur = type;
    std::size_t i = 0;
    auto failed = [&](Failure f) {
        r.error = std::move(f.error);
        return r;
    };
    bool expect_name = true;
    while (i < path.size()) {
        if (path[i] == '.') {
            if (expect_name) return failed(fail_type("empty member name in path", std::string(path)));
            ++i;
            expect_name = true;
            continue;
        }
        if (path[i] == '[') {
            const std::size_t close = path.find(']', i);
            if (close == std::string_view::npos)
                return failed(fail_type("unclosed '[' in member path", std::string(path)));
            std::uint64_t n = 0;
            const std::string_view digits = path.substr(i + 1, close - i - 1);
            if (digits.empty()) return failed(fail_type("empty index in member path", std::string(path)));
            for (char c : digits) {
                if (c < '0' || c > '9')
                    return failed(fail_type("member path indices are numbers", std::string(path)));
                n = n * 10 + static_cast<std::uint64_t>(c - '0');
            }
            const Type* t = complete(s, cur);
            if (!t || t->kind != TypeKind::Array)
                return failed(fail_type(fmt::format("{} is not an array", type_name(cur)), std::string(path)));
            if (t->count && n >= *t->count)
                return failed(fail_type(fmt::format("index {} past the end of {}", n, type_name(cur)),
                                        std::string(path)));
            cur = t->target.get();
            r.bit_offset += n * size_of(s, cur) * 8;
            r.bit_size = 0;
            i = close + 1;
            expect_name = false;
            continue;
        }
        std::size_t end = i;
        while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
        const std::string_view name = path.substr(i, end - i);
        const Type* t = complete(s, cur);
        if (!t || (t->kind != TypeKind::Struct && t->kind != TypeKind::Union))
            return failed(fail_type(fmt::format("{} is not a struct or union", type_name(cur)),
                                    std::string(name)));
        auto m = find_member(t, name);
        if (!m) return failed(fail_lookup(fmt::format("{} has no member named '{}'", type_name(t), name)));
        r.bit_offset += m->bit_offset;
        r.bit_size = m->member->bit_size;
        cur = m->member->type.get();
        i = end;
        expect_name = false;
    }
    if (expect_name) return failed(fail_type("empty member path", std::string(path)));
    r.type = cur;
    return r;
}

const ResolvedPath& resolve(Session* s, const Type* type, std::string_view path) {
    auto& cache = s->cache().state<MemberPathCache>();
    auto& per_type = cache.by_type[type];
    if (auto it = per_type.find(path); it != per_type.end()) {
        ++cache.stats.reused;
        return it->second;
    }
    ++cache.stats.resolved;
    return per_type.emplace(std::string(path), resolve_uncached(s, type, path)).first->second;
}

bool is_aggregate(const Type* t) {
    return t && (t->kind == TypeKind::Struct || t->kind == TypeKind::Union);
}

}  // namespace

Object Object::at(Session& s, const Type* type, std::uint64_t address) {
    Object o;
    o.session_ = &s;
    o.type_ = type;
    o.lvalue_ = true;
    o.address_ = address;
    return o;
}

Result<Object> Object::at(Session& s, std::string_view type_name, std::uint64_t address) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto t = (*di)->find_type(type_name);
    if (!t) return t.failure();
    return at(s, *t, address);
}

Object Object::from_bytes(Session& s, const Type* type, std::vector<std::byte> bytes) {
    Object o;
    o.session_ = &s;
    o.type_ = type;
    o.bytes_ = std::move(bytes);
    return o;
}

Object Object::from_u64(Session& s, const Type* type, std::uint64_t v) {
    std::vector<std::byte> b(std::max<std::uint64_t>(1, std::min<std::uint64_t>(8, size_of(&s, type))));
    std::memcpy(b.data(), &v, b.size());  // little-endian host and target
    return from_bytes(s, type, std::move(b));
}

Result<Object> Object::variable(Session& s, std::string_view name) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto sym = (*di)->find_symbol(name);
    if (!sym) return sym.failure();
    const Type* t = sym->type;
    // In the symbol table only (assembly, or no debug info): gdb's "<data variable, no debug
    // info>"; read as an unsigned long.
    if (!t) t = sym->is_function ? (*di)->base_type("char") : (*di)->base_type("unsigned long");
    Object o = at(s, t, sym->address);
    return ObjectAccess::set_symbol(o, std::string(name), sym->per_cpu);
}

const Type* Object::underlying() const { return complete(session_, type_); }

Result<Object> Object::member(std::string_view path) const {
    if (!session_) return fail("an object without a session");
    const Type* t = underlying();
    if (t && t->kind == TypeKind::Pointer && is_aggregate(complete(session_, t->target.get()))) {
        auto d = deref();
        if (!d) return d;
        return d->member(path);
    }
    // `->` steps: the part before it is an offset, then the pointer there is read.
    if (const auto arrow = path.find("->"); arrow != std::string_view::npos) {
        auto head = member(path.substr(0, arrow));
        if (!head) return head;
        auto d = head->deref();
        if (!d) return d;
        return d->member(path.substr(arrow + 2));
    }
    const ResolvedPath& r = resolve(session_, type_, path);
    if (r.error) return fail(*r.error);
    Object v;
    v.session_ = session_;
    v.type_ = r.type;
    // A member of a per-CPU variable is per-CPU too: the offset moves, NAME:CPU still applies.
    v.per_cpu_ = per_cpu_;
    if (per_cpu_) v.symbol_ = symbol_;
    if (lvalue_) {
        v.lvalue_ = true;
        v.address_ = address_ + (bit_offset_ + r.bit_offset) / 8;
        if (r.bit_size) {
            v.bit_offset_ = static_cast<std::uint32_t>((bit_offset_ + r.bit_offset) % 8);
            v.bit_size_ = r.bit_size;
        }
        return v;
    }
    const std::uint64_t off = r.bit_offset / 8;
    const std::uint64_t size =
        r.bit_size ? (r.bit_offset % 8 + r.bit_size + 7) / 8 : size_of(session_, r.type);
    if (off + size > bytes_.size()) return fail_type("member beyond the value", std::string(path));
    v.bytes_.assign(bytes_.begin() + static_cast<std::ptrdiff_t>(off),
                    bytes_.begin() + static_cast<std::ptrdiff_t>(off + size));
    if (r.bit_size) {
        v.bit_offset_ = static_cast<std::uint32_t>(r.bit_offset % 8);
        v.bit_size_ = r.bit_size;
    }
    return v;
}

Result<Object> Object::index(std::int64_t i) const {
    const Type* t = underlying();
    if (t && t->kind == TypeKind::Array) {
        const Type* e = t->target.get();
        const std::uint64_t esize = size_of(session_, e);
        const std::uint64_t off = static_cast<std::uint64_t>(i) * esize;
        if (lvalue_) return at(*session_, e, address_ + off);
        if (i < 0 || off + esize > bytes_.size()) return fail_type("index past the end of the value");
        return from_bytes(*session_, e,
                          std::vector<std::byte>(bytes_.begin() + static_cast<std::ptrdiff_t>(off),
                                                 bytes_.begin() + static_cast<std::ptrdiff_t>(off + esize)));
    }
    if (!t || t->kind != TypeKind::Pointer) return fail_type(fmt::format("cannot index {}", type_name(type_)));
    auto p = to_u64();
    if (!p) return p.failure();
    const Type* e = t->target.get();
    if (!strip_typedefs(e)) return fail_type("cannot dereference a void pointer");
    return at(*session_, e, *p + static_cast<std::uint64_t>(i) * size_of(session_, e));
}

Result<Object> Object::deref() const {
    const Type* t = underlying();
    if (t && t->kind == TypeKind::Array) return index(0);
    if (!t || t->kind != TypeKind::Pointer)
        return fail_type(fmt::format("cannot dereference {}", type_name(type_)));
    const Type* target = t->target.get();
    if (!target || !strip_typedefs(target)) return fail_type("cannot dereference a void pointer");
    auto p = to_u64();
    if (!p) return p.failure();
    return at(*session_, target, *p);
}

Result<Object> Object::address_of() const {
    if (!lvalue_) return fail_type("cannot take the address of a value that is not in memory");
    if (bit_size_) return fail_type("cannot take the address of a bit-field");
    if (per_cpu_) return fail_type("a per-CPU variable has an address per CPU: use NAME:CPU", symbol_);
    auto di = debuginfo_of(session_);
    if (!di) return di.failure();
    return from_u64(*session_, (*di)->pointer_to(type_), address_);
}

Result<Object> Object::decay() const {
    const Type* t = underlying();
    if (t && (t->kind == TypeKind::Array || t->kind == TypeKind::Function)) {
        if (!lvalue_) return fail_type("cannot take the address of a value that is not in memory");
        auto di = debuginfo_of(session_);
        if (!di) return di.failure();
        const Type* target = t->kind == TypeKind::Array ? t->target.get() : type_;
        return from_u64(*session_, (*di)->pointer_to(target), address_);
    }
    return *this;
}

Result<Object> Object::cast(const Type* to) const {
    const Type* t = complete(session_, to);
    if (!t) return fail_type("cannot cast to void");
    if (t->kind == TypeKind::Struct || t->kind == TypeKind::Union || t->kind == TypeKind::Array) {
        if (!lvalue_) return fail_type(fmt::format("cannot cast a value to {}", type_name(to)));
        Object v = *this;  // reinterpret the place
        v.type_ = to;
        v.bit_offset_ = v.bit_size_ = 0;
        v.symbol_.clear();
        return v;
    }
    auto from = decay();
    if (!from) return from;
    const Type* ft = from->underlying();
    if (!ft || !ft->is_scalar())
        return fail_type(fmt::format("operator cast needs a number or pointer, not {}", type_name(type_)));
    auto raw = from->to_u64();
    if (!raw) return raw.failure();
    std::uint64_t v = *raw;
    if (t->is_integer() && t->size > 0 && t->size < 8) {
        const std::uint64_t bits = t->size * 8;
        v &= (1ULL << bits) - 1;
        if (t->is_signed() && (v >> (bits - 1)) & 1) v |= ~((1ULL << bits) - 1);
    }
    return from_u64(*session_, to, v);
}

Result<Object> Object::cast(std::string_view type_name) const {
    auto di = debuginfo_of(session_);
    if (!di) return di.failure();
    auto t = (*di)->find_type(type_name);
    if (!t) return t.failure();
    return cast(*t);
}

Result<Object> Object::container_of(const Type* container, std::string_view member_path) const {
    std::uint64_t addr = address();
    if (const Type* t = underlying(); t && t->kind == TypeKind::Pointer) {
        auto p = to_u64();
        if (!p) return p.failure();
        addr = *p;
    } else if (!lvalue_) {
        return fail_type("container_of needs a pointer or an object in memory");
    }
    auto off = member_offset(*session_, container, member_path);
    if (!off) return off.failure();
    return at(*session_, container, addr - *off);
}

Result<Object> Object::container_of(std::string_view container, std::string_view member_path) const {
    auto di = debuginfo_of(session_);
    if (!di) return di.failure();
    auto t = (*di)->find_type(container);
    if (!t) return t.failure();
    return container_of(*t, member_path);
}

Result<std::vector<std::byte>> Object::bytes() const {
    if (!lvalue_) return bytes_;
    if (per_cpu_) return fail_type("a per-CPU variable has a value per CPU: use NAME:CPU", symbol_);
    if (!session_) return fail("an object without a session");
    // `*p` where p points to a declared-only struct: read as much as the definition holds.
    std::uint64_t size = size_of(session_, type_);
    if (bit_size_) size = (bit_offset_ + bit_size_ + 7) / 8;
    if (size > kMaxRead) return fail("value too large to read", hex_address(address_));
    std::vector<std::byte> b(size);
    if (auto r = session_->target().read(AddressSpace::KernelVirtual, address_, b); !r)
        return r.failure();
    return b;
}

Result<std::uint64_t> Object::to_u64() const {
    const Type* t = strip_typedefs(type_);
    if (!t || !(t->is_scalar() || t->kind == TypeKind::Function))
        return fail_type(fmt::format("{} is not a number or pointer", type_name(type_)));
    if (t->kind == TypeKind::Function) return address_;
    if (lvalue_ && !bit_size_ && t->size > 8)
        return fail_type(fmt::format("{} is wider than 64 bits", type_name(type_)));
    auto bytes = this->bytes();
    if (!bytes) return bytes.failure();
    std::uint64_t raw = 0;
    std::memcpy(&raw, bytes->data(), std::min<std::size_t>(8, bytes->size()));
    if (bit_size_) {
        raw >>= bit_offset_;
        if (bit_size_ < 64) raw &= (1ULL << bit_size_) - 1;
        if (t->is_signed() && bit_size_ < 64 && ((raw >> (bit_size_ - 1)) & 1))
            raw |= ~((1ULL << bit_size_) - 1);
        return raw;
    }
    const std::size_t n = std::min<std::size_t>(8, bytes->size());
    if (n < 8 && t->kind != TypeKind::Pointer && t->is_signed() && n > 0 && ((raw >> (n * 8 - 1)) & 1))
        raw |= ~((1ULL << (n * 8)) - 1);
    return raw;
}

Result<std::int64_t> Object::to_s64() const {
    auto v = to_u64();
    if (!v) return v.failure();
    return static_cast<std::int64_t>(*v);
}

Result<bool> Object::to_bool() const {
    auto v = to_u64();
    if (!v) return v.failure();
    return *v != 0;
}

Result<std::uint64_t> Object::pointer() const {
    const Type* t = underlying();
    if (t && (t->kind == TypeKind::Array || t->kind == TypeKind::Function)) {
        if (!lvalue_) return fail_type("an array value not in memory has no address");
        return address_;
    }
    if (!t || t->kind != TypeKind::Pointer)
        return fail_type(fmt::format("{} is not a pointer", type_name(type_)));
    return to_u64();
}

Result<std::string> Object::c_string(std::size_t max) const {
    const Type* t = underlying();
    if (t && t->kind == TypeKind::Array && complete(session_, t->target.get()) &&
        complete(session_, t->target.get())->is_char()) {
        auto b = bytes();
        if (!b) return b.failure();
        const std::size_t n = std::min(max, b->size());
        const char* p = reinterpret_cast<const char*>(b->data());
        return std::string(p, strnlen(p, n));
    }
    if (t && t->kind == TypeKind::Pointer) {
        auto p = to_u64();
        if (!p) return p.failure();
        return session_->target().read_string(AddressSpace::KernelVirtual, *p, max);
    }
    return fail_type(fmt::format("{} is not a string", type_name(type_)));
}

MemberPathStats member_path_stats(Session& s) { return s.cache().state<MemberPathCache>().stats; }

Result<std::uint64_t> member_offset(Session& s, const Type* type, std::string_view path) {
    if (path.find("->") != std::string_view::npos)
        return fail_type("an offset cannot cross a pointer", std::string(path));
    const ResolvedPath& r = resolve(&s, type, path);
    if (r.error) return fail(*r.error);
    return r.bit_offset / 8;
}

Result<std::uint64_t> member_offset(Session& s, std::string_view type_name, std::string_view path) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto t = (*di)->find_type(type_name);
    if (!t) return t.failure();
    return member_offset(s, *t, path);
}

Result<std::uint64_t> type_size_of(Session& s, std::string_view type_name) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto t = (*di)->find_type(type_name);
    if (!t) return t.failure();
    const std::uint64_t n = size_of(&s, *t);
    if (n == 0) return fail_type("type has no size", std::string(type_name));
    return n;
}

}  // namespace kdive
