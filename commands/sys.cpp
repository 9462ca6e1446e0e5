// SPDX-License-Identifier: GPL-3.0-or-later
// sys: the system summary crash users read first.
#include "kdive/command.hpp"
#include "kdive/utsname.hpp"

namespace kdive {
namespace {

class SysCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            "sys", {}, "sys", "system data: kernel, dump file, release, CPUs, KASLR offset",
            "Displays the kernel and dump file names, the release, version, node name and\n"
            "machine read from the dumped kernel's utsname, the CPU count and the KASLR offset."};
        return s;
    }

    Result<void> run(Session& session, const std::vector<std::string>& args,
                     Output& out) override {
        if (args.size() > 1) return fail("unexpected argument '" + args[1] + "'", "sys");
        Target& t = session.target();
        out.print("      KERNEL: {}\n", session.vmlinux_path());
        out.print("    DUMPFILE: {}  [{}]\n", t.path(), t.format_name());
        out.print("        CPUS: {}\n", session.num_cpus());
        auto uts = read_utsname(session);
        if (uts) {
            out.print("    NODENAME: {}\n", uts->nodename);
            out.print("     RELEASE: {}\n", uts->release);
            out.print("     VERSION: {}\n", uts->version);
            out.print("     MACHINE: {}\n", uts->machine);
        } else {
            out.print("     RELEASE: - ({})\n", uts.error().message());
        }
        out.print("KASLR OFFSET: {:#x} ({})\n", session.kaslr_offset(), session.kaslr_source());
        return {};
    }
};
KDIVE_REGISTER_COMMAND(SysCommand);

}  // namespace
}  // namespace kdive
