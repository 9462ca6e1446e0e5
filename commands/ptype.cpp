// SPDX-License-Identifier: GPL-3.0-or-later
// ptype: gdb's "type = ..." for a type name or an expression, with struct bodies expanded.
#include "kdive/command.hpp"
#include "kdive/type_format.hpp"

namespace kdive {
namespace {

class PtypeCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "ptype",
            .summary = "the type of an expression or type name, expanded",
            .description =
                "Prints \"type = \" and the type, with typedefs resolved and struct, union and\n"
                "enum bodies written out, as gdb's ptype does.",
            .options = {{.short_name = "o", .help = "show member offsets"}},
            .arguments = {{.name = "name", .help = "an expression or type name",
                           .kind = ValueKind::Type, .repeated = true}},
            .examples = {{.text = "A typedef:", .command = "ptype pid_t", .output = "type = int"},
                         {.text = "A member's type:", .command = "ptype init_task.se.load",
                          .output = "type = struct load_weight {\n"
                                    "    unsigned long weight;\n"
                                    "    u32 inv_weight;\n"
                                    "}"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        auto r = resolve_type_or_expression(session, args.joined());
        if (!r) return r.failure();
        DebugInfo& di = *r->debuginfo;
        const Type* t = r->is_type ? r->type : r->object_type;
        // Typedefs resolved at the top (gdb's ptype); pointers to structs keep the name.
        const Type* shown = strip_typedefs(t);
        TypeFormatOptions opt;
        opt.offsets = args.has("o");
        if (shown && shown->kind == TypeKind::Function) {
            out.print("type = {}\n", type_name(shown));
            return {};
        }
        out.print("type = {}\n", format_type_definition(shown, di, opt));
        return {};
    }
};
KDIVE_REGISTER_COMMAND(PtypeCommand);

}  // namespace
}  // namespace kdive
