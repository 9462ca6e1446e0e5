// SPDX-License-Identifier: GPL-3.0-or-later
// p / print: evaluate a C expression and print its value as gdb (and so crash) does.
#include <fmt/format.h>

#include "kdive/command.hpp"
#include "kdive/kernel_facts.hpp"
#include "kdive/object.hpp"

namespace kdive {
namespace {

class PrintCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "p",
            .aliases = {"print"},
            .summary = "print the value of an expression",
            .description =
                "Evaluates a C expression over the dumped kernel and prints its value: global\n"
                "variables, struct members (. and ->), array elements, pointers (* and &), casts\n"
                "to any type such as (struct task_struct *)ADDR, arithmetic, comparisons,\n"
                "sizeof, enum constants. A per-CPU variable shows its address on each CPU;\n"
                "NAME:CPU is its value on one CPU. Structures print as gdb prints them.",
            // crash's p -x is gdb's print/x: the whole value in that radix, enums included.
            .options = with_radix_options({}),
            .arguments = {{.name = "expression", .help = "a C expression", .repeated = true}},
            .examples = {{.text = "A global variable:", .command = "p jiffies",
                          .output = "jiffies = $1 = 4294896350"},
                         {.text = "A member through a cast pointer:",
                          .command = "p ((struct task_struct *)0xffff888003a2b000)->comm"},
                         {.text = "The offset of a member:",
                          .command = "p &((struct task_struct *)0)->tasks",
                          .output = "$2 = (struct list_head *) 0x890"},
                         {.text = "A per-CPU variable on CPU 1:", .command = "p runqueues:1"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        const std::string expr = args.joined();
        auto obj = evaluate(session, expr);
        if (!obj) return obj.failure();
        if (obj->is_per_cpu()) return per_cpu(session, *obj, out);

        if (out.json()) {
            auto json = format_object_json(session, *obj);
            if (!json) return json.failure();
            out.raw_json(fmt::format("{{\"history\":{},\"expression\":{},\"type\":{},\"value\":{}}}",
                                     ++history_, json_quote(expr), json_quote(type_name(obj->type())), *json));
            return {};
        }
        ObjectFormatOptions opt;
        opt.radix = static_cast<int>(args.radix(out.radix()));
        opt.enums_as_numbers = args.radix(0) != 0;
        auto text = format_object(session, *obj, opt);
        if (!text) return text.failure();
        const unsigned n = ++history_;
        // gdb shows a pointer's type before it: $1 = (struct list_head *) 0xffff...
        std::string shown = shows_pointer_type(obj->type()) ? fmt::format("({}) {}", type_name(obj->type()), *text)
                                                          : *text;
        // crash moves a one-line braced value of a named symbol (an array, a function) to the
        // next line: "__per_cpu_offset = $1 = \n {1, 2, ...}"; a struct's "{" stays.
        if (!obj->symbol().empty() && shown.starts_with('{') && !shown.starts_with("{\n"))
            out.print("{} = ${} = \n {}\n", obj->symbol(), n, shown);
        else if (!obj->symbol().empty()) out.print("{} = ${} = {}\n", obj->symbol(), n, shown);
        else out.print("${} = {}\n", n, shown);
        return {};
    }

private:
    // gdb's c_value_print: a pointer value gets its type in front, except a plain (possibly
    // const) char pointer, whose string says what it is: $1 = 0xffff... "swapper/0".
    static bool shows_pointer_type(const Type* type) {
        const Type* t = skip_cv(type);
        if (t && t->kind == TypeKind::Pointer) {
            const Type* target = skip_cv(t->target.get());
            return !(target && target->kind == TypeKind::Int && target->name == "char");
        }
        const Type* s = strip_typedefs(t);
        return s && s->kind == TypeKind::Pointer;  // a pointer typedef: shown by its name
    }

    static const Type* skip_cv(const Type* t) {
        for (int hops = 0; t && hops < 8 && (t->kind == TypeKind::Const || t->kind == TypeKind::Volatile); ++hops)
            t = t->target.get();
        return t;
    }

    // crash's form for a per-CPU variable named alone.
    Result<void> per_cpu(Session& session, const Object& obj, Output& out) {
        out.print("PER-CPU DATA TYPE:\n  {};\nPER-CPU ADDRESSES:\n", declaration(obj.type(), obj.symbol()));
        for (unsigned cpu = 0; cpu < session.num_cpus(); ++cpu) {
            auto a = per_cpu_address(session, obj.address(), cpu);
            if (!a) return a.failure();
            out.print("  [{}]: {:x}\n", cpu, *a);
        }
        return {};
    }

    unsigned history_ = 0;  // gdb's $N
};
KDIVE_REGISTER_COMMAND(PrintCommand);

}  // namespace
}  // namespace kdive
