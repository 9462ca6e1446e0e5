// SPDX-License-Identifier: GPL-3.0-or-later
// vtop: a kernel virtual address walked through the page tables, level by level, in crash's
// layout.
#include <string>

#include "kdive/address.hpp"
#include "kdive/command.hpp"

namespace kdive {
namespace {

// x86-64 page-table entry bits, named as crash names them.
std::string pte_flags(std::uint64_t pte) {
    static const struct {
        unsigned bit;
        const char* name;
    } bits[] = {{0, "PRESENT"}, {1, "RW"},  {2, "USER"},   {3, "PWT"},     {4, "PCD"},
                {5, "ACCESSED"}, {6, "DIRTY"}, {7, "PSE"}, {8, "GLOBAL"}, {63, "NX"}};
    std::string s;
    for (const auto& b : bits) {
        if (!(pte & (std::uint64_t{1} << b.bit))) continue;
        if (!s.empty()) s += '|';
        s += b.name;
    }
    return "(" + s + ")";
}

std::string centered(std::string_view s, std::size_t width) {
    if (s.size() >= width) return std::string(s);
    const std::size_t left = (width - s.size()) / 2;
    return std::string(left, ' ') + std::string(s) + std::string(width - s.size() - left, ' ');
}

class VtopCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "vtop",
            .summary = "virtual to physical: the page-table walk",
            .description =
                "Translates each kernel virtual ADDRESS (hex or a symbol) through the dumped\n"
                "kernel's page tables and shows every level crash shows: the top-level table, then\n"
                "each entry's physical address and value (P4D only with 5-level paging), the page\n"
                "and its size, and the last entry's flags. An address that is not mapped shows the\n"
                "levels that were read and ends with an error naming the missing level.",
            .arguments = {{.name = "address", .help = "kernel virtual address or symbol",
                           .kind = ValueKind::Address, .repeated = true}},
            .examples = {{.text = "linux_banner, in a 2 MiB page of the kernel image:",
                          .command = "vtop linux_banner",
                          .output = "VIRTUAL           PHYSICAL        \n"
                                    "ffffffff9cd61900  c761900         \n\n"
                                    "PGD DIRECTORY: ffffffff9d610000\n"
                                    "PAGE DIRECTORY: d014067\n"
                                    "   P4D: d014ff8 => d015067\n"
                                    "   PUD: d015ff0 => d016063\n"
                                    "   PMD: d016730 => 800000000c6001e1\n"
                                    "  PAGE: c600000  (2MB)\n\n"
                                    "      PTE         PHYSICAL  FLAGS\n"
                                    "800000000c6001e1   c600000  (PRESENT|ACCESSED|DIRTY|PSE|GLOBAL|NX)"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        bool first = true;
        for (const auto& a : args.positionals()) {
            auto addr = parse_address(session, a);
            if (!addr) return addr.failure();
            if (!first) out.print("\n");
            first = false;
            auto r = show(session, *addr, out);
            if (!r) return r;
        }
        return {};
    }

private:
    // The top-level table as crash names it: by the kernel virtual address it has.
    static std::uint64_t root_virtual(Session& session, std::uint64_t root) {
        if (auto pgt = session.symbol_address("init_top_pgt")) {
            if (auto w = session.target().walk(*pgt); w && w->mapped && w->paddr == root) return *pgt;
        }
        return session.target().phys_to_virt(root).value_or(root);
    }

    static Result<void> show(Session& session, std::uint64_t vaddr, Output& out) {
        auto w = session.target().walk(vaddr);
        if (!w) return w.failure();
        out.print("{:<18}{:<16}\n", "VIRTUAL", "PHYSICAL");
        out.print("{:<16x}  {:<16}\n\n", vaddr,
                  w->mapped ? fmt::format("{:x}", w->paddr) : std::string("(not mapped)"));
        out.print("PGD DIRECTORY: {:x}\n", root_virtual(session, w->root));
        for (std::size_t i = 0; i < w->entries.size(); ++i) {
            const auto& e = w->entries[i];
            if (i == 0)
                out.print("PAGE DIRECTORY: {:x}\n", e.value);
            else
                out.print("{:>6}: {:x} => {:x}\n", e.level, e.entry, e.value);
        }
        if (!w->mapped)
            return fail(fmt::format("not mapped ({})", w->fault), hex_address(vaddr));
        const std::uint64_t page = w->paddr & ~(w->page_size - 1);
        const char* size = w->page_size == (1ULL << 30) ? "  (1GB)"
                           : w->page_size == (2ULL << 20) ? "  (2MB)" : "";
        out.print("{:>6}: {:x}{}\n\n", "PAGE", page, size);
        const std::uint64_t pte = w->entries.back().value;
        const std::string pte_hex = fmt::format("{:x}", pte);
        const std::string phys_hex = fmt::format("{:x}", page);
        const std::size_t phys_width = std::max<std::size_t>(phys_hex.size(), 8);
        out.print("{}  {:<{}}  FLAGS\n", centered("PTE", pte_hex.size()), "PHYSICAL", phys_width);
        out.print("{}  {:>{}}  {}\n", pte_hex, phys_hex, phys_width, pte_flags(pte));
        return {};
    }
};
KDIVE_REGISTER_COMMAND(VtopCommand);

}  // namespace
}  // namespace kdive
