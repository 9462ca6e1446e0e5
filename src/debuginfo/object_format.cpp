// SPDX-License-Identifier: GPL-3.0-or-later
// Values printed as gdb prints them with `set print pretty on`, which is what crash shows for
// `p` and `struct NAME ADDR`: the value's bytes are read once, then formatted from memory.
#include <cstring>

#include <fmt/format.h>

#include "kdive/object.hpp"
#include "kdive/output.hpp"
#include "kdive/unwind.hpp"

namespace kdive {

namespace {

// gdb collapses runs of identical array elements at this length ("0 <repeats 16 times>").
constexpr std::size_t kRepeatThreshold = 10;

// An integer (or bit-field) from its bytes, sign-extended if its type is signed.
std::uint64_t integer(const Type* t, std::span<const std::byte> b, std::uint32_t bit_offset,
                      std::uint32_t bit_size) {
    std::uint64_t raw = 0;
    std::memcpy(&raw, b.data(), std::min<std::size_t>(8, b.size()));
    const unsigned bits = bit_size ? bit_size : static_cast<unsigned>(std::min<std::size_t>(8, b.size()) * 8);
    if (bit_size) raw >>= bit_offset;
    if (bits < 64) {
        raw &= (1ULL << bits) - 1;
        if (t->is_signed() && ((raw >> (bits - 1)) & 1)) raw |= ~((1ULL << bits) - 1);
    }
    return raw;
}

// gdb's escapes in a C string or character constant.
std::string char_escape(unsigned char c, char quote) {
    switch (c) {
        case '\n': return "\\n";
        case '\t': return "\\t";
        case '\r': return "\\r";
        case '\\': return "\\\\";
        default: break;
    }
    if (c == static_cast<unsigned char>(quote)) return std::string("\\") + quote;
    if (c < 0x20 || c >= 0x7f) return fmt::format("\\{:03o}", c);
    return std::string(1, static_cast<char>(c));
}

// The bytes of member m inside an aggregate's bytes (empty if beyond them).
std::span<const std::byte> member_bytes(const Member& m, std::span<const std::byte> b) {
    const std::uint64_t off = std::min<std::uint64_t>(m.bit_offset / 8, b.size());
    const std::uint64_t size = m.bit_size ? (m.bit_offset % 8 + m.bit_size + 7) / 8 : type_size(m.type.get());
    return b.subspan(off, std::min<std::uint64_t>(size, b.size() - off));
}

class ObjectPrinter {
public:
    ObjectPrinter(Session& s, DebugInfo& di, const ObjectFormatOptions& opt) : s_(s), di_(di), opt_(opt) {}

    // `bytes` holds the value; bit-fields come with their position.
    std::string print(const Type* type, std::span<const std::byte> bytes, int indent,
                      std::uint32_t bit_offset = 0, std::uint32_t bit_size = 0) {
        const Type* t = di_.complete(strip_typedefs(type));
        if (!t) return "void";
        switch (t->kind) {
            case TypeKind::Struct:
            case TypeKind::Union: return aggregate(t, bytes, indent);
            case TypeKind::Array: return array(t, bytes, indent);
            case TypeKind::Pointer: return pointer(t, bytes);
            case TypeKind::Enum: return enumeration(t, integer(t, bytes, bit_offset, bit_size));
            case TypeKind::Int: return number(t, integer(t, bytes, bit_offset, bit_size));
            case TypeKind::Float: return floating(t, bytes);
            case TypeKind::Function: return "{function}";
            default: return "void";
        }
    }

private:

    std::string number(const Type* t, std::uint64_t v) {
        if (t->encoding == IntEncoding::Bool) return v ? "true" : "false";
        if (opt_.radix == 16) return fmt::format("{:#x}", t->size < 8 && t->is_signed() ? v & ((1ULL << (t->size * 8)) - 1) : v);
        std::string s = t->is_signed() ? fmt::format("{}", static_cast<std::int64_t>(v)) : fmt::format("{}", v);
        if (t->is_char()) s += fmt::format(" {}", char_literal(static_cast<unsigned char>(v)));
        return s;
    }

    static std::string char_literal(unsigned char c) { return "'" + char_escape(c, '\'') + "'"; }

    std::string enumeration(const Type* t, std::uint64_t v) {
        if (!opt_.enums_as_numbers)
            for (const auto& e : t->enumerators)
                if (static_cast<std::uint64_t>(e.value) == v) return e.name;
        return opt_.radix == 16 ? fmt::format("{:#x}", v) : fmt::format("{}", static_cast<std::int64_t>(v));
    }

    static std::string floating(const Type* t, std::span<const std::byte> b) {
        if (t->size == 4) {
            float f;
            std::memcpy(&f, b.data(), 4);
            return fmt::format("{}", f);
        }
        if (t->size == 8) {
            double d;
            std::memcpy(&d, b.data(), 8);
            return fmt::format("{}", d);
        }
        return "<float>";
    }

    std::string pointer(const Type* t, std::span<const std::byte> b) {
        std::uint64_t v = 0;
        std::memcpy(&v, b.data(), std::min<std::size_t>(8, b.size()));
        const Type* target = strip_typedefs(t->target.get());
        if (target && target->kind == TypeKind::Function && v) {
            // Module functions too (net_device_ops of a driver), named as crash does: no module.
            if (auto sym = symbolize_code(s_, v); sym && !sym->name.empty())
                return sym->offset ? fmt::format("{:#x} <{}+{}>", v, sym->name, sym->offset)
                                   : fmt::format("{:#x} <{}>", v, sym->name);
        }
        return fmt::format("{:#x}", v);
    }

    std::string array(const Type* t, std::span<const std::byte> b, int indent) {
        const Type* elem = t->target.get();
        const Type* se = di_.complete(strip_typedefs(elem));
        const std::uint64_t esize = type_size(se);
        if (!t->count || esize == 0) return "{}";  // flexible array: no elements of its own
        const std::uint64_t n = std::min<std::uint64_t>(*t->count, b.size() / esize);
        if (se && se->is_char()) {
            // Char arrays print as strings up to the first NUL.
            std::string s = "\"";
            for (std::uint64_t i = 0; i < n; ++i) {
                auto c = static_cast<unsigned char>(b[i]);
                if (c == 0) break;
                s += char_escape(c, '"');
            }
            return s + "\"";
        }
        std::string out = "{";
        for (std::uint64_t i = 0; i < n;) {
            auto span = b.subspan(i * esize, esize);
            std::uint64_t run = 1;
            while (i + run < n && std::memcmp(b.data() + (i + run) * esize, span.data(), esize) == 0) ++run;
            if (i) out += ", ";
            out += print(elem, span, indent);
            if (run >= kRepeatThreshold) {
                out += fmt::format(" <repeats {} times>", run);
                i += run;
            } else {
                ++i;
            }
        }
        return out + "}";
    }

    std::string aggregate(const Type* t, std::span<const std::byte> b, int indent) {
        std::string out = "{\n";
        const std::string pad(static_cast<std::size_t>(indent + 1) * 2, ' ');
        for (std::size_t i = 0; i < t->members.size(); ++i) {
            const Member& m = t->members[i];
            std::string v = print(m.type.get(), member_bytes(m, b), indent + 1,
                                  static_cast<std::uint32_t>(m.bit_offset % 8), m.bit_size);
            out += pad;
            if (!m.name.empty()) out += m.name + " = ";
            out += v;
            out += i + 1 < t->members.size() ? ",\n" : "\n";
        }
        return out + std::string(static_cast<std::size_t>(indent) * 2, ' ') + "}";
    }

    Session& s_;
    DebugInfo& di_;
    const ObjectFormatOptions& opt_;
};

// The JSON form: the same walk over the bytes, another printer.
class JsonPrinter {
public:
    JsonPrinter(DebugInfo& di) : di_(di) {}

    std::string print(const Type* type, std::span<const std::byte> b, std::uint32_t bit_offset = 0,
                      std::uint32_t bit_size = 0) {
        const Type* t = di_.complete(strip_typedefs(type));
        if (!t) return "null";
        switch (t->kind) {
            case TypeKind::Struct:
            case TypeKind::Union: {
                std::string out = "{";
                fields(t, b, out);
                return out + "}";
            }
            case TypeKind::Array: return array(t, b);
            case TypeKind::Pointer: {
                std::uint64_t v = 0;
                std::memcpy(&v, b.data(), std::min<std::size_t>(8, b.size()));
                return fmt::format("\"{:#x}\"", v);
            }
            case TypeKind::Enum: {
                const std::uint64_t v = integer(t, b, bit_offset, bit_size);
                for (const auto& e : t->enumerators)
                    if (static_cast<std::uint64_t>(e.value) == v) return json_quote(e.name);
                return number(t, v);
            }
            case TypeKind::Int: {
                const std::uint64_t v = integer(t, b, bit_offset, bit_size);
                if (t->encoding == IntEncoding::Bool) return v ? "true" : "false";
                return number(t, v);
            }
            case TypeKind::Float: {
                double d = 0;
                if (t->size == 4) {
                    float f;
                    std::memcpy(&f, b.data(), 4);
                    d = f;
                } else if (t->size == 8) {
                    std::memcpy(&d, b.data(), 8);
                }
                return fmt::format("{}", d);
            }
            default: return "null";
        }
    }

private:
    static std::string number(const Type* t, std::uint64_t v) {
        constexpr std::uint64_t kExact = 1ULL << 53;  // beyond it JSON readers round
        if (t->is_signed()) {
            const auto s = static_cast<std::int64_t>(v);
            return s > -static_cast<std::int64_t>(kExact) && s < static_cast<std::int64_t>(kExact)
                       ? fmt::format("{}", s) : fmt::format("\"{}\"", s);
        }
        return v < kExact ? fmt::format("{}", v) : fmt::format("\"{}\"", v);
    }

    // Members as "name": value pairs; an anonymous member's fields are merged in, as C sees them.
    void fields(const Type* t, std::span<const std::byte> b, std::string& out) {
        for (const Member& m : t->members) {
            auto mb = member_bytes(m, b);
            const Type* mt = di_.complete(strip_typedefs(m.type.get()));
            if (m.name.empty() && mt && (mt->kind == TypeKind::Struct || mt->kind == TypeKind::Union)) {
                // Offsets inside the anonymous member are from its own start.
                fields(mt, b.subspan(std::min<std::uint64_t>(m.bit_offset / 8, b.size())), out);
                continue;
            }
            if (out.size() > 1 && out.back() != '{') out += ',';
            out += json_quote(m.name.empty() ? "<anonymous>" : m.name);
            out += ':';
            out += print(m.type.get(), mb, static_cast<std::uint32_t>(m.bit_offset % 8), m.bit_size);
        }
    }

    std::string array(const Type* t, std::span<const std::byte> b) {
        const Type* se = di_.complete(strip_typedefs(t->target.get()));
        const std::uint64_t esize = type_size(se);
        if (!t->count || esize == 0) return "[]";
        const std::uint64_t n = std::min<std::uint64_t>(*t->count, b.size() / esize);
        if (se && se->is_char()) {
            std::string s;
            for (std::uint64_t i = 0; i < n && b[i] != std::byte{0}; ++i) s += static_cast<char>(b[i]);
            return json_quote(s);
        }
        std::string out = "[";
        for (std::uint64_t i = 0; i < n; ++i) {
            if (i) out += ',';
            out += print(t->target.get(), b.subspan(i * esize, esize));
        }
        return out + "]";
    }

    DebugInfo& di_;
};

}  // namespace

Result<std::string> format_object_json(Session& session, const Object& v) {
    auto di = session.debuginfo();
    if (!di) return di.failure();
    const Type* t = strip_typedefs(v.type);
    if (t && t->kind == TypeKind::Function) return fmt::format("\"{:#x}\"", v.address);
    auto bytes = object_bytes(session, v);
    if (!bytes) return bytes.failure();
    return JsonPrinter(**di).print(v.type, *bytes, v.bit_offset, v.bit_size);
}

Result<std::string> format_object(Session& session, const Object& v, const ObjectFormatOptions& opt) {
    auto di = session.debuginfo();
    if (!di) return di.failure();
    const Type* t = strip_typedefs(v.type);
    if (t && t->kind == TypeKind::Function) {
        // gdb: {void (void)} 0xffffffff81c2e8e0 <schedule>
        std::string s = fmt::format("{{{}}} {:#x}", type_name(v.type), v.address);
        if (!v.symbol.empty()) s += fmt::format(" <{}>", v.symbol);
        return s;
    }
    auto bytes = object_bytes(session, v);
    if (!bytes) return bytes.failure();
    return ObjectPrinter(session, **di, opt).print(v.type, *bytes, 0, v.bit_offset, v.bit_size);
}

}  // namespace kdive
