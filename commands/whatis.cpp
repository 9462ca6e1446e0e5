// SPDX-License-Identifier: GPL-3.0-or-later
// whatis: the declaration of a symbol or expression, or the definition of a type.
#include "kdive/command.hpp"
#include "kdive/type_format.hpp"

namespace kdive {
namespace {

class WhatisCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "whatis",
            .summary = "the type of a symbol or expression, or a type's definition",
            .description =
                "For a variable or function, prints its declaration (\"struct task_struct\n"
                "init_task;\", \"void schedule(void);\"). For an expression, its type. For a\n"
                "struct, union or enum, its definition and size; for a typedef, what it names.",
            .options = {{.short_name = "o", .help = "show member offsets"}},
            .arguments = {{.name = "name", .help = "a symbol, expression or type name",
                           .kind = ValueKind::Type, .repeated = true}},
            .examples = {{.text = "A variable:", .command = "whatis init_task",
                          .output = "struct task_struct init_task;"},
                         {.text = "A typedef:", .command = "whatis pid_t",
                          .output = "typedef int pid_t;"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        auto r = resolve_type_or_expression(session, args.joined());
        if (!r) return r.failure();
        DebugInfo& di = *r->debuginfo;
        if (!r->is_type) {
            out.print("{};\n", declaration(r->object_type, r->symbol.empty() ? "" : r->symbol));
            return {};
        }
        const Type* t = r->type;
        if (t->kind == TypeKind::Typedef) {
            out.print("typedef {};\n", declaration(t->target.get(), t->name));
            return {};
        }
        TypeFormatOptions opt;
        opt.offsets = args.has("o");
        out.print("{}\n", format_type_definition(t, di, opt));
        if (const Type* full = di.complete(strip_typedefs(t));
            full && (full->kind == TypeKind::Struct || full->kind == TypeKind::Union))
            out.print("SIZE: {}\n", full->size);
        return {};
    }
};
KDIVE_REGISTER_COMMAND(WhatisCommand);

}  // namespace
}  // namespace kdive
