// SPDX-License-Identifier: GPL-3.0-or-later
// list: walk a linked list in the dump — crash's command, with loop detection.
#include <charconv>
#include <unordered_set>

#include <fmt/format.h>

#include "kdive/command.hpp"
#include "kdive/interrupt.hpp"
#include "kdive/object.hpp"
#include "kdive/type_format.hpp"

namespace kdive {
namespace {

// No kernel list is this long; a walk this long is following garbage.
constexpr std::size_t kMaxEntries = 10'000'000;

class ListCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "list",
            .summary = "walk a linked list",
            .description =
                "Follows next pointers from START and prints each entry's address. The next\n"
                "pointer's offset in the entry is -o OFFSET, or STRUCT.MEMBER (first argument),\n"
                "default 0. Without -h/-H the pointers point at entries. With -h, START is an\n"
                "entry with an embedded list_head at the offset, and the pointers point at the\n"
                "next entry's list_head; with -H, START is a list_head that heads the list (not\n"
                "an entry). -r follows prev instead of next. -s STRUCT[.member,...] prints each\n"
                "entry, with -x or -d its integers in hex or decimal. The walk stops at NULL or\n"
                "back at the start, and says so when it meets an entry twice (a corrupt list) or\n"
                "cannot read a pointer.",
            .options = with_radix_options({
                {.short_name = "o", .argument = "OFFSET", .help = "next pointer offset (number or struct.member)"},
                {.short_name = "s", .argument = "STRUCT[.MEMBER,...]", .help = "print each entry as STRUCT", .kind = ValueKind::Member},
                {.short_name = "h", .help = "START is an entry with an embedded list_head"},
                {.short_name = "H", .help = "START is a list_head heading the list"},
                {.short_name = "r", .help = "follow prev pointers (list_head)"}
            }),
            .arguments = {{.name = "struct.member|offset", .kind = ValueKind::Member, .optional = true},
                          {.name = "start", .help = "address, symbol or expression", .kind = ValueKind::Address}},
            .examples = {{.text = "Every process from init_task:",
                          .command = "list task_struct.tasks -h init_task -s task_struct.pid,comm"},
                         {.text = "The modules list:",
                          .command = "list -H modules -o module.list -s module.name"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        auto di = session.debuginfo();
        if (!di) return di.failure();
        std::optional<std::string> offset_text = args.value("o");
        if (auto m = args.value("struct.member|offset")) offset_text = m;

        std::uint64_t offset = 0;
        if (offset_text) {
            auto o = parse_offset(**di, *offset_text);
            if (!o) return o.failure();
            offset = *o;
        }
        auto start = args.address(session, "start");
        if (!start) return start.failure();

        // -s STRUCT[.member,...]: printed with the struct command's own code path.
        std::optional<std::string> show = args.value("s");
        const bool head = args.has("H"), embedded = args.has("h"), reverse = args.has("r");
        const std::uint64_t link = reverse ? 8 : 0;  // prev follows next in a list_head

        Target& t = session.target();
        auto next_of = [&](std::uint64_t at) -> Result<std::uint64_t> {
            return t.read_value<std::uint64_t>(AddressSpace::KernelVirtual, at);
        };
        std::unordered_set<std::uint64_t> seen;
        std::uint64_t entry, stop;
        if (head) {
            auto first = next_of(*start + link);
            if (!first) return first.failure();
            stop = *start;
            entry = *first - offset;
            if (*first == *start) return {};  // an empty list
        } else {
            entry = *start;
            stop = *start;
        }
        for (std::size_t n = 0;; ++n) {
            if (interrupted()) return fail("interrupted");
            if (n >= kMaxEntries) return fail(fmt::format("more than {} entries: stopped", kMaxEntries));
            if (!seen.insert(entry).second)
                return fail("duplicate list entry: the list loops back on itself", fmt::format("{:#x}", entry));
            out.print("{:x}\n", entry);
            if (show) {
                if (auto r = print_entry(session, *show, entry, args, out); !r) return r;
            }
            auto next = next_of(entry + offset + ((head || embedded) ? link : 0));
            if (!next) return Failure{Error{"cannot read the next pointer: " + next.error().what, next.error().where}};
            if (*next == 0) return {};
            const std::uint64_t following = (head || embedded) ? *next - offset : *next;
            if ((head && *next == stop) || (!head && following == stop)) return {};
            entry = following;
        }
    }

private:
    static Result<std::uint64_t> parse_offset(DebugInfo& di, const std::string& text) {
        std::uint64_t v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
        if (ec == std::errc{} && p == text.data() + text.size()) return v;
        auto dot = text.find('.');
        if (dot == std::string::npos) return fail("offset is neither a number nor STRUCT.MEMBER", text);
        auto type = di.find_type(text.substr(0, dot));
        if (!type) type = di.find_type("struct " + text.substr(0, dot));
        if (!type) return type.failure();
        auto m = find_member(di.complete(strip_typedefs(*type)), text.substr(dot + 1));
        if (!m) return fail("no such member", text);
        return m->bit_offset / 8;
    }


    // The entry as `struct NAME[.members] ADDR` would show it.
    static Result<void> print_entry(Session& session, const std::string& spec, std::uint64_t entry,
                                    const Arguments& args, Output& out) {
        Command* st = CommandRegistry::global().find("struct");
        if (!st) return fail("the struct command is not available");
        std::vector<std::string> words{"struct", spec, fmt::format("{:#x}", entry)};
        if (args.has("x")) words.push_back("-x");
        if (args.has("d")) words.push_back("-d");
        auto parsed = Arguments::parse(st->spec(), words, args.shell());
        if (!parsed) return parsed.failure();
        return st->run(session, *parsed, out);
    }
};
KDIVE_REGISTER_COMMAND(ListCommand);

}  // namespace
}  // namespace kdive
