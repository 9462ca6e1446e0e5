// SPDX-License-Identifier: GPL-3.0-or-later
// Values printed as gdb prints them with `set print pretty on`, which is what crash shows for
// `p` and `struct NAME ADDR`: the value's bytes are read once, then formatted from memory.
#include <algorithm>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "kdive/debuginfo.hpp"
#include "kdive/object.hpp"
#include "debuginfo/value_walk.hpp"

namespace kdive {

namespace {

// crash runs gdb with `set print repeats` at its maximum (no "<repeats N times>"), `set print
// elements` at its default of 256 and `set print max-depth` at 20: these are those limits.
constexpr std::size_t kPrintMax = 256;
constexpr int kMaxDepth = 20;

// gdb's escapes (print_wchar) in a C string or character constant. After an octal escape gdb
// escapes a digit too, so "\0001" does not read as one escape: `after_escape` carries that.
std::string char_escape(unsigned char c, char quote, bool* after_escape = nullptr) {
    const bool escaped_before = after_escape && *after_escape;
    if (after_escape) *after_escape = false;
    switch (c) {
        case '\a': return "\\a";
        case '\b': return "\\b";
        case '\f': return "\\f";
        case '\n': return "\\n";
        case '\r': return "\\r";
        case '\t': return "\\t";
        case '\v': return "\\v";
        default: break;
    }
    // Bytes past ASCII print as octal: crash's gdb runs in the C locale's character set.
    if (c < 0x20 || c >= 0x7f || (escaped_before && c >= '0' && c <= '9')) {
        if (after_escape) *after_escape = true;
        return fmt::format("\\{:03o}", c);
    }
    if (c == static_cast<unsigned char>(quote) || c == '\\') return std::string("\\") + static_cast<char>(c);
    return std::string(1, static_cast<char>(c));
}

// gdb's generic_printstr: `s` as a C string. A trailing NUL is dropped unless the string was
// cut short; runs of one character count whole towards `print elements`, so a run crossing
// the limit still prints entirely, and "..." follows a string not printed to its end.
std::string quoted_string(std::span<const std::byte> s, bool cut_short) {
    std::size_t len = s.size();
    if (!cut_short && len > 0 && s[len - 1] == std::byte{0}) --len;
    if (len == 0) return "\"\"";
    std::size_t end = 0;
    for (std::size_t counted = 0; end < len && counted < kPrintMax;) {
        std::size_t run = 1;
        while (end + run < len && s[end + run] == s[end]) ++run;
        end += run;
        counted += run;
    }
    std::string out = "\"";
    bool after_escape = false;
    for (std::size_t i = 0; i < end; ++i) out += char_escape(static_cast<unsigned char>(s[i]), '"', &after_escape);
    out += '"';
    if (cut_short || end < len) out += "...";
    return out;
}

std::string symbol_suffix(std::string_view name, std::uint64_t offset) {
    return offset ? fmt::format(" <{}+{}>", name, offset) : fmt::format(" <{}>", name);
}

// A type gdb prints as text: char, signed/unsigned char and their typedefs (u8 too).
bool is_textual(DebugInfo& di, const Type* t) {
    const Type* s = di.complete(strip_typedefs(t));
    return s && s->is_char();
}

// The text visitor: gdb's `print pretty` form, as crash shows it.
class ObjectPrinter final : public ValueVisitor {
public:
    ObjectPrinter(Session& s, DebugInfo& di, const ObjectFormatOptions& opt) : s_(s), di_(di), opt_(opt) {}

    std::string take() { return std::move(out_); }

    int max_depth() const override { return kMaxDepth; }
    std::uint64_t max_elements() const override { return kPrintMax; }

    void struct_begin(const Type*, int) override { out_ += '{'; }
    void member(const Member& m, std::size_t i, int depth) override {
        out_ += i ? ",\n" : "\n";
        out_.append(static_cast<std::size_t>(depth + 1) * 2, ' ');
        if (!m.name.empty()) out_ += m.name + " = ";
    }
    void struct_end(const Type*, std::size_t members, int depth) override {
        if (!members) {
            out_ += "<No data fields>}";
            return;
        }
        out_ += '\n';
        out_.append(static_cast<std::size_t>(depth) * 2, ' ');
        out_ += '}';
    }
    void array_begin(const Type*, int) override { out_ += '{'; }
    void element(std::uint64_t i, int) override {
        if (i) out_ += ", ";
    }
    void array_end(const Type*, bool cut, int) override { out_ += cut ? "...}" : "}"; }
    void char_array(const Type*, std::span<const std::byte> chars) override { out_ += quoted_string(chars, false); }
    // An array of no length prints as a pointer to its first element.
    void flexible_array(const Type* t, std::uint64_t address) override {
        out_ += address_value(t->target.get(), address);
    }
    void too_deep() override { out_ += "{...}"; }

    void scalar(const ScalarValue& v) override {
        const Type* t = v.type;
        if (!t) {
            out_ += "void";
            return;
        }
        switch (t->kind) {
            case TypeKind::Pointer: out_ += address_value(t->target.get(), v.value); return;
            case TypeKind::Enum: out_ += enumeration(t, v.value); return;
            case TypeKind::Int: out_ += number(t, v.value); return;
            case TypeKind::Float: out_ += floating(t, v.bytes); return;
            case TypeKind::Function: out_ += "{function}"; return;
            default: out_ += "void"; return;
        }
    }

    // A pointer's value as gdb prints it: the address, the symbol it points into, and for a
    // pointer to characters the string there.
    std::string address_value(const Type* target, std::uint64_t v) {
        const Type* st = strip_typedefs(target);
        if (st && st->kind == TypeKind::Function) return code_address(v);
        std::string out = fmt::format("{:#x}", v);
        if (v) out += data_symbol(v);
        if (v && is_textual(di_, target)) out += " " + string_at(v);
        return out;
    }

    // A code address with the function it is in (module functions too, named as crash does).
    std::string code_address(std::uint64_t v) {
        std::string out = fmt::format("{:#x}", v);
        if (v)
            if (auto sym = s_.symbolize_any(v, SymbolRule::Code); sym && !sym->name.empty()) out += symbol_suffix(sym->name, sym->offset);
        return out;
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

    // " <sym+off>" for a data address, as crash's gdb names it: vmlinux symbols by gdb's
    // minimal-symbol rule, module symbols (crash's hook into gdb) as the nearest one below.
    std::string data_symbol(std::uint64_t v) {
        auto sym = s_.symbolize_any(v, SymbolRule::Data);
        return sym && !sym->name.empty() ? symbol_suffix(sym->name, sym->offset) : "";
    }

    // gdb's val_print_string: up to `print elements` characters before a NUL; "..." when
    // more follow; an unreadable start is an error in the value, not a failed command.
    std::string string_at(std::uint64_t addr) {
        std::vector<std::byte> buf;
        std::optional<std::uint64_t> bad;
        while (!bad && buf.size() < kPrintMax && (buf.empty() || buf.back() != std::byte{0})) {
            // A page at a time; byte by byte where a page cannot be read, to find where.
            const std::uint64_t at = addr + buf.size();
            const std::size_t n = std::min<std::uint64_t>(kPrintMax - buf.size(), 4096 - at % 4096);
            std::vector<std::byte> chunk(n);
            std::size_t got = 0;
            if (read(at, chunk)) {
                got = n;
            } else {
                while (got < n && read(at + got, std::span(chunk).subspan(got, 1))) ++got;
                if (got < n) bad = at + got;
            }
            const auto end = chunk.begin() + static_cast<std::ptrdiff_t>(got);
            auto nul = std::find(chunk.begin(), end, std::byte{0});
            if (nul != end) bad.reset();  // the string ended before the unreadable byte
            buf.insert(buf.end(), chunk.begin(), nul == end ? end : nul + 1);
        }
        bool cut_short = false;
        if (!bad && buf.back() != std::byte{0}) {
            std::byte next{};
            cut_short = read(addr + buf.size(), std::span(&next, 1)) && next != std::byte{0};
        }
        std::string out = bad && buf.empty() ? "" : quoted_string(buf, cut_short);
        if (bad) out += fmt::format("<error: Cannot access memory at address {:#x}>", *bad);
        return out;
    }

    bool read(std::uint64_t addr, std::span<std::byte> out) {
        return static_cast<bool>(s_.target().read(AddressSpace::KernelVirtual, addr, out));
    }

    Session& s_;
    DebugInfo& di_;
    const ObjectFormatOptions& opt_;
    std::string out_;
};

}  // namespace

Result<std::string> format_object(Session& session, const Object& v, const ObjectFormatOptions& opt) {
    auto di = session.debuginfo();
    if (!di) return di.failure();
    const Type* t = strip_typedefs(v.type());
    if (t && t->kind == TypeKind::Function) {
        // gdb: {void (void)} 0xffffffff81c2e8e0 <schedule>
        std::string s = fmt::format("{{{}}} ", type_name(v.type()));
        if (!v.symbol().empty()) return s + fmt::format("{:#x} <{}>", v.address(), v.symbol());
        return s + ObjectPrinter(session, **di, opt).code_address(v.address());
    }
    auto bytes = v.bytes();
    if (!bytes) return bytes.failure();
    ObjectPrinter printer(session, **di, opt);
    walk_value(**di, printer, v.type(), *bytes, v.address(), 0, v.bit_offset(), v.bit_size());
    return printer.take();
}

}  // namespace kdive
