// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/type_format.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace kdive {

namespace {

class DefinitionPrinter {
public:
    DefinitionPrinter(DebugInfo& di, const TypeFormatOptions& opt) : di_(di), opt_(opt) {}

    std::string print(const Type* t) {
        const Type* full = di_.complete(t);
        if (full->kind == TypeKind::Struct || full->kind == TypeKind::Union) {
            out_ += fmt::format("{} {{\n", type_name(full));
            body(full, 1, 0);
            out_ += "}";
        } else if (full->kind == TypeKind::Enum) {
            out_ += fmt::format("{} {{\n", type_name(full));
            for (std::size_t i = 0; i < full->enumerators.size(); ++i) {
                const auto& e = full->enumerators[i];
                out_ += fmt::format("    {} = {}{}\n", e.name, e.value,
                                    i + 1 < full->enumerators.size() ? "," : "");
            }
            out_ += "}";
        } else {
            out_ += type_name(full);
        }
        return std::move(out_);
    }

private:
    void body(const Type* t, int depth, std::uint64_t base_bits) {
        for (const Member& m : t->members) {
            const Type* mt = m.type.get();
            const std::uint64_t bits = base_bits + m.bit_offset;
            const std::uint64_t offset = shown_offset(m, bits);
            std::string indent(static_cast<std::size_t>(depth) * 4, ' ');
            if (opt_.offsets)
                indent += opt_.hex_offsets ? fmt::format("[{:#x}] ", offset) : fmt::format("[{}] ", offset);
            if (m.name.empty() && mt && (mt->kind == TypeKind::Struct || mt->kind == TypeKind::Union) &&
                mt->name.empty()) {
                // Anonymous struct/union: its members belong to the enclosing type.
                out_ += fmt::format("{}{} {{\n", indent, mt->kind == TypeKind::Struct ? "struct" : "union");
                // Corrupt DWARF can nest an anonymous struct in itself (kdive_fuzz_dwarf).
                if (depth < 32)
                    body(mt, depth + 1, bits);
                else
                    out_ += indent + "    /* nested too deeply: corrupt debug info? */\n";
                out_ += fmt::format("{}}};\n", std::string(static_cast<std::size_t>(depth) * 4, ' '));
                continue;
            }
            std::string decl = declaration(mt, m.name);
            if (m.bit_size) decl += fmt::format(" : {}", m.bit_size);
            out_ += fmt::format("{}{};\n", indent, decl);
        }
    }

    DebugInfo& di_;
    const TypeFormatOptions& opt_;
    std::string out_;
};

}  // namespace

std::string format_type_definition(const Type* t, DebugInfo& di, const TypeFormatOptions& opt) {
    return DefinitionPrinter(di, opt).print(t);
}

}  // namespace kdive

#include "kdive/object.hpp"

namespace kdive {

Result<TypeOrObjectName> resolve_type_or_expression(Session& session, std::string_view text) {
    auto di = session.debuginfo();
    if (!di) return di.failure();
    TypeOrObjectName r;
    r.debuginfo = *di;
    // A type name first, unless a symbol of that name exists (init_task is a variable).
    const bool keyword = text.starts_with("struct ") || text.starts_with("union ") ||
                         text.starts_with("enum ");
    if (keyword || !(*di)->find_symbol(text)) {
        if (auto t = (*di)->find_type(text)) {
            r.type = *t;
            r.is_type = true;
            return r;
        } else if (keyword) {
            return t.failure();
        }
    }
    auto obj = evaluate(session, text);
    if (!obj) return obj.failure();
    r.object_type = obj->type();
    r.symbol = obj->symbol();
    return r;
}

}  // namespace kdive
