// SPDX-License-Identifier: GPL-3.0-or-later
// struct / union: a type's layout, or the contents of one at an address — crash's command.
// `union` is the same command for union types, so both live here.
#include <fmt/format.h>

#include "kdive/command.hpp"
#include "kdive/object.hpp"
#include "kdive/type_format.hpp"

namespace kdive {
namespace {

class StructCommand : public Command {
public:
    explicit StructCommand(TypeKind kind = TypeKind::Struct) : kind_(kind) {}

    const CommandSpec& spec() const override {
        static const CommandSpec s = make_spec("struct");
        static const CommandSpec u = make_spec("union");
        return kind_ == TypeKind::Struct ? s : u;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        auto di = session.debuginfo();
        if (!di) return di.failure();
        const auto& pos = args.positionals();
        const std::string keyword = kind_ == TypeKind::Struct ? "struct" : "union";

        // NAME[.member[,member...]]
        std::string name = pos[0];
        std::vector<std::string> members;
        if (auto dot = name.find('.'); dot != std::string::npos) {
            std::string list = name.substr(dot + 1);
            name.resize(dot);
            for (std::size_t b = 0; b <= list.size();) {
                auto e = list.find(',', b);
                if (e == std::string::npos) e = list.size();
                if (e > b) members.push_back(list.substr(b, e - b));
                b = e + 1;
            }
        }
        auto found = (*di)->find_type(keyword + " " + name);
        if (!found) return found.failure();
        const Type* type = (*di)->complete(*found);

        ObjectFormatOptions opt;
        opt.radix = static_cast<int>(args.radix(out.radix()));
        TypeFormatOptions topt;
        topt.offsets = args.has("o");

        if (pos.size() < 2) return layout(**di, type, members, topt, out);

        auto addr = args.address(session, "address");
        if (!addr) return addr.failure();
        const long count = static_cast<long>(args.integer("count").value_or(1));
        if (count == 0) return fail("count must be a non-zero number", pos[2]);
        const long step = count < 0 ? -1 : 1;
        for (long i = 0; i != count; i += step) {
            const Object obj = Object::at(session, type, *addr + static_cast<std::uint64_t>(i) * type->size);
            if (auto r = contents(session, obj, members, opt, out); !r) return r;
        }
        return {};
    }

private:
    static CommandSpec make_spec(const std::string& kw) {
        return CommandSpec{
            .name = kw,
            .summary = kw + " contents or definition",
            .description =
                "Without an address, shows the definition of " + kw + " NAME (with -o, each\n"
                "member's offset) and its size. With an address (a number, a symbol or an\n"
                "expression), shows the " + kw + " there as gdb prints it. NAME.member[,member]\n"
                "limits the output to those members (nested: NAME.a.b). A count shows that many\n"
                "consecutive " + kw + "s (negative: backwards).",
            // crash's struct -x is gdb's output-radix: integers in hex, enums still by name.
            .options = with_radix_options({{.short_name = "o", .help = "show member offsets"}}),
            .arguments = {{.name = "name[.member,...]", .help = kw + " name and members",
                           .kind = ValueKind::Member},
                          {.name = "address", .help = "address, symbol or expression",
                           .kind = ValueKind::Address, .optional = true},
                          {.name = "count", .help = "how many", .kind = ValueKind::Integer,
                           .optional = true}},
            .examples = {{.text = "The layout with offsets:", .command = kw + " list_head -o",
                          .output = kw == "struct" ? "struct list_head {\n    [0] struct list_head *next;\n"
                                                     "    [8] struct list_head *prev;\n}\nSIZE: 16"
                                                   : ""},
                         {.text = "Members of one at an address:",
                          .command = kw == "struct" ? "struct task_struct.pid,comm init_task"
                                                    : "union bpf_attr"}},
        };
    }


    Result<void> layout(DebugInfo& di, const Type* type, const std::vector<std::string>& members,
                        const TypeFormatOptions& topt, Output& out) {
        if (members.empty()) {
            out.print("{}\nSIZE: {}\n", format_type_definition(type, di, topt), type->size);
            return {};
        }
        out.print("{} {{\n", type_name(type));
        for (const auto& m : members) {
            auto path = member_path(type, m);
            if (!path) return path.failure();
            std::string decl = declaration(path->first->type.get(), path->first->name);
            if (path->first->bit_size) decl += fmt::format(" : {}", path->first->bit_size);
            if (topt.offsets) out.print("  [{}] {};\n", path->second / 8, decl);
            else out.print("  {};\n", decl);
        }
        out.print("}}\n");
        return {};
    }

    // a.b.c: the member and its bit offset from the start of `type`.
    static Result<std::pair<const Member*, std::uint64_t>> member_path(const Type* type, const std::string& path) {
        const Type* t = type;
        const Member* m = nullptr;
        std::uint64_t bits = 0;
        for (std::size_t b = 0; b <= path.size();) {
            auto e = path.find('.', b);
            if (e == std::string::npos) e = path.size();
            std::string part = path.substr(b, e - b);
            auto found = find_member(t, part);
            if (!found) return fail(fmt::format("{} has no member named '{}'", type_name(t), part), path);
            m = found->member;
            bits += found->bit_offset;
            t = m->type.get();
            b = e + 1;
        }
        return std::pair{m, bits};
    }

    Result<void> contents(Session& session, const Object& obj, const std::vector<std::string>& members,
                          const ObjectFormatOptions& opt, Output& out) {
        if (members.empty()) {
            auto text = format_object(session, obj, opt);
            if (!text) return text.failure();
            out.print("{} {}\n", type_name(obj.type()), *text);
            return {};
        }
        for (const auto& m : members) {
            auto path = member_path(obj.type(), m);
            if (!path) return path.failure();
            auto mo = obj.member(m);
            if (!mo) return mo.failure();
            auto text = format_object(session, *mo, opt);
            if (!text) return text.failure();
            // Nested values keep gdb's indentation under the member name.
            std::string indented;
            for (char c : *text) {
                indented += c;
                if (c == '\n') indented += "  ";
            }
            // crash cuts these lines out of gdb's print of the whole struct: a member keeps the
            // comma that follows it there, and a path (se.vruntime) is shown as given.
            const bool comma = !is_last_member(obj.type(), *path->first, 0);
            out.print("  {} = {}{}\n", m, indented, comma ? "," : "");
        }
        return {};
    }

    // Whether m is the last member of the struct or union holding it (within `t`, looking
    // into anonymous members and, for a path, the struct the path leads to).
    static bool is_last_member(const Type* type, const Member& m, int depth) {
        const Type* t = strip_typedefs(type);
        if (!t || depth > 32) return false;
        for (const Member& c : t->members) {
            if (&c == &m) return &c == &t->members.back();
            const Type* ct = strip_typedefs(c.type.get());
            if (!ct || (ct->kind != TypeKind::Struct && ct->kind != TypeKind::Union)) continue;
            if (contains(ct, m, depth + 1)) return is_last_member(ct, m, depth + 1);
        }
        return false;
    }

    static bool contains(const Type* type, const Member& m, int depth) {
        const Type* t = strip_typedefs(type);
        if (!t || depth > 32) return false;
        for (const Member& c : t->members) {
            if (&c == &m) return true;
            const Type* ct = strip_typedefs(c.type.get());
            if (ct && (ct->kind == TypeKind::Struct || ct->kind == TypeKind::Union) && contains(ct, m, depth + 1))
                return true;
        }
        return false;
    }

    TypeKind kind_;
};

class UnionCommand final : public StructCommand {
public:
    UnionCommand() : StructCommand(TypeKind::Union) {}
};

KDIVE_REGISTER_COMMAND(StructCommand);
KDIVE_REGISTER_COMMAND(UnionCommand);

}  // namespace
}  // namespace kdive
