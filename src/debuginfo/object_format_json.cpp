// SPDX-License-Identifier: GPL-3.0-or-later
// A value as JSON: the value walk (value_walk.hpp) with a visitor of its own. Structs are
// objects with anonymous members merged in, arrays arrays, char arrays strings, enums names,
// pointers "0x..." strings, integers numbers (strings past 2^53, which JSON readers round).
#include <cstring>

#include <fmt/format.h>

#include "debuginfo/value_walk.hpp"
#include "kdive/json.hpp"
#include "kdive/object.hpp"

namespace kdive {

namespace {

std::string json_number(const Type* t, std::uint64_t v) {
    constexpr std::uint64_t kExact = 1ULL << 53;  // beyond it JSON readers round
    if (t->is_signed()) {
        const auto s = static_cast<std::int64_t>(v);
        return s > -static_cast<std::int64_t>(kExact) && s < static_cast<std::int64_t>(kExact)
                   ? fmt::format("{}", s) : fmt::format("\"{}\"", s);
    }
    return v < kExact ? fmt::format("{}", v) : fmt::format("\"{}\"", v);
}

class JsonPrinter final : public ValueVisitor {
public:
    std::string take() { return std::move(out_); }

    bool merge_anonymous() const override { return true; }

    void struct_begin(const Type*, int) override { out_ += '{'; }
    void member(const Member& m, std::size_t i, int) override {
        if (i) out_ += ',';
        out_ += json_quote(m.name.empty() ? "<anonymous>" : m.name);
        out_ += ':';
    }
    void struct_end(const Type*, std::size_t, int) override { out_ += '}'; }
    void array_begin(const Type*, int) override { out_ += '['; }
    void element(std::uint64_t i, int) override {
        if (i) out_ += ',';
    }
    void array_end(const Type*, bool, int) override { out_ += ']'; }
    // To the first NUL, as C reads it.
    void char_array(const Type*, std::span<const std::byte> chars) override {
        std::string s;
        for (auto c : chars) {
            if (c == std::byte{0}) break;
            s += static_cast<char>(c);
        }
        out_ += json_quote(s);
    }
    // A char[0] is an empty string, any other array of no length an empty array.
    void flexible_array(const Type* t, std::uint64_t) override {
        const Type* elem = strip_typedefs(t->target.get());
        out_ += t->count && elem && elem->is_char() ? "\"\"" : "[]";
    }
    void too_deep() override { out_ += "null"; }

    void scalar(const ScalarValue& v) override {
        const Type* t = v.type;
        if (!t) {
            out_ += "null";
            return;
        }
        switch (t->kind) {
            case TypeKind::Pointer: out_ += fmt::format("\"{:#x}\"", v.value); return;
            case TypeKind::Enum:
                for (const auto& e : t->enumerators)
                    if (static_cast<std::uint64_t>(e.value) == v.value) {
                        out_ += json_quote(e.name);
                        return;
                    }
                out_ += json_number(t, v.value);
                return;
            case TypeKind::Int:
                if (t->encoding == IntEncoding::Bool) out_ += v.value ? "true" : "false";
                else out_ += json_number(t, v.value);
                return;
            case TypeKind::Float: {
                double d = 0;
                if (t->size == 4) {
                    float f;
                    std::memcpy(&f, v.bytes.data(), 4);
                    d = f;
                } else if (t->size == 8) {
                    std::memcpy(&d, v.bytes.data(), 8);
                }
                out_ += fmt::format("{}", d);
                return;
            }
            default: out_ += "null"; return;
        }
    }

private:
    std::string out_;
};

}  // namespace

Result<std::string> format_object_json(Session& session, const Object& v) {
    auto di = session.debuginfo();
    if (!di) return di.failure();
    const Type* t = strip_typedefs(v.type());
    if (t && t->kind == TypeKind::Function) return fmt::format("\"{:#x}\"", v.address());
    auto bytes = v.bytes();
    if (!bytes) return bytes.failure();
    JsonPrinter printer;
    walk_value(**di, printer, v.type(), *bytes, v.address(), 0, v.bit_offset(), v.bit_size());
    return printer.take();
}

}  // namespace kdive
