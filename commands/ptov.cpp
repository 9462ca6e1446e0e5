// SPDX-License-Identifier: GPL-3.0-or-later
// ptov: the kernel virtual address of a physical one, in the direct map (crash's layout).

#include "kdive/address.hpp"
#include "kdive/command.hpp"

namespace kdive {
namespace {

class PtovCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "ptov",
            .summary = "physical to virtual: the direct-map address",
            .description =
                "Shows the kernel virtual address at which each physical ADDRESS (hex) is mapped\n"
                "in the kernel's direct map (page_offset_base, randomized by KASLR).",
            .arguments = {{.name = "address", .help = "physical address (hex)",
                           .kind = ValueKind::Hex, .repeated = true}},
            .examples = {{.text = "Where physical 16 MiB is in the direct map:",
                          .command = "ptov 1000000",
                          .output = "VIRTUAL           PHYSICAL        \n"
                                    "ff46826a41000000  1000000         "}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        out.print("{:<18}{:<16}\n", "VIRTUAL", "PHYSICAL");
        for (std::uint64_t pa : args.numbers("address")) {
            auto va = session.target().phys_to_virt(pa);
            if (!va) return va.failure();
            out.print("{:<16x}  {:<16x}\n", *va, pa);
        }
        return {};
    }
};
KDIVE_REGISTER_COMMAND(PtovCommand);

}  // namespace
}  // namespace kdive
