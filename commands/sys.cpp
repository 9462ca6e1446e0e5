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
            .name = "sys",
            .summary = "system data: kernel, dump file, release, CPUs, KASLR offset",
            .description =
                "Displays the kernel and dump file names, the release, version, node name and\n"
                "machine read from the dumped kernel's utsname, the CPU count and the KASLR offset.\n"
                "With --json (or `set output json') it is one JSON object.",
            .examples = {{.text = "The system data of a dump:",
                          .command = "sys",
                          .output = "      KERNEL: vmlinux\n"
                                    "    DUMPFILE: kdump-l5/vmcore.zlib  [kdump-compressed]\n"
                                    "        CPUS: 2\n"
                                    "    NODENAME: kdive-lab\n"
                                    "     RELEASE: 6.1.0-56-amd64\n"
                                    "     VERSION: #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2\n"
                                    "     MACHINE: x86_64\n"
                                    "KASLR OFFSET: 0x3000000 (VMCOREINFO KERNELOFFSET)"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments&, Output& out) override {
        Target& t = session.target();
        Record r;
        r.field("KERNEL", session.vmlinux_path());
        r.field("DUMPFILE", t.path(), fmt::format("{}  [{}]", t.path(), t.format_name()));
        r.json_only("dumpfile_format", t.format_name());
        r.field("CPUS", session.num_cpus());
        auto uts = read_utsname(session);
        if (uts) {
            r.field("NODENAME", uts->nodename);
            r.field("RELEASE", uts->release);
            r.field("VERSION", uts->version);
            r.field("MACHINE", uts->machine);
        } else {
            r.field("RELEASE", nullptr, "- (" + uts.error().message() + ")");
            r.json_only("utsname_error", uts.error().message());
        }
        r.field("KASLR OFFSET", Hex{session.kaslr_offset()},
                fmt::format("{:#x} ({})", session.kaslr_offset(), session.kaslr_source()));
        r.json_only("kaslr_source", session.kaslr_source());
        out.record(r);
        return {};
    }
};
KDIVE_REGISTER_COMMAND(SysCommand);

}  // namespace
}  // namespace kdive
