// SPDX-License-Identifier: GPL-3.0-or-later
// An example kdive plugin: `uts` prints the dumped kernel's utsname through the public API.
// Build it with the CMakeLists.txt next to it; load it with `extend kdive_uts.so`.
#include <memory>

#include "kdive/command.hpp"
#include "kdive/plugin.hpp"
#include "kdive/utsname.hpp"

namespace {

class UtsCommand final : public kdive::Command {
public:
    const kdive::CommandSpec& spec() const override {
        static const kdive::CommandSpec s{
            .name = "uts",
            .summary = "the dumped kernel's utsname (an example plugin)",
            .description = "Prints init_uts_ns.name, as `uname -a' did on the crashed system.\n"
                           "With -f, prints one field only.",
            .options = {{.short_name = "f", .long_name = "field", .argument = "FIELD",
                         .help = "sysname, nodename, release, version, machine or domainname"}},
            .examples = {{.text = "The release only:", .command = "uts -f release", .output = "6.1.0-56-amd64"}},
        };
        return s;
    }

    kdive::Result<void> run(kdive::Session& session, const kdive::Arguments& args,
                            kdive::Output& out) override {
        auto uts = kdive::read_utsname(session);
        if (!uts) return uts.failure();
        const std::pair<const char*, const std::string*> fields[] = {
            {"SYSNAME", &uts->sysname}, {"NODENAME", &uts->nodename}, {"RELEASE", &uts->release},
            {"VERSION", &uts->version}, {"MACHINE", &uts->machine},   {"DOMAINNAME", &uts->domainname},
        };
        kdive::Record r;
        auto only = args.value("field");
        for (const auto& [label, value] : fields) {
            std::string key = label;
            for (auto& c : key) c = static_cast<char>(c - 'A' + 'a');
            if (!only || *only == key) r.field(label, *value);
        }
        if (r.fields().empty()) return kdive::fail("no such field", *only);
        if (only && !out.json()) out.print("{}\n", r.fields().front().value.text());
        else out.record(r);
        return {};
    }
};

}  // namespace

KDIVE_PLUGIN(host) { host.add_command(std::make_unique<UtsCommand>()); }
