// SPDX-License-Identifier: GPL-3.0-or-later
// mod: the loaded modules, from the dump; -s/-S load their debug .ko files so the types only
// a module defines (struct veth_priv) become known.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "kdive/command.hpp"
#include "kdive/modules.hpp"
#include "kdive/utsname.hpp"

namespace kdive {
namespace {

namespace fs = std::filesystem;

// Module names use '_' where file names may use '-' (crc32c_intel is crc32c-intel.ko).
std::string canonical(std::string s) {
    std::replace(s.begin(), s.end(), '-', '_');
    return s;
}

class ModCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "mod",
            .summary = "loaded modules; load their debug info",
            .description =
                "Lists the modules the dumped kernel had loaded (MODULE is the struct module,\n"
                "BASE and SIZE its core memory, OBJECT FILE the debug file loaded for it). With\n"
                "-s, loads MODULE's debug .ko (FILE, or found under\n"
                "/usr/lib/debug/lib/modules/RELEASE, /lib/modules/RELEASE, or the debug/ tree\n"
                "next to the vmlinux); -S loads every module's that can be found (under DIR if\n"
                "given). Their types are then known to struct, p, whatis and ptype. Module\n"
                "symbols are always available from the dump's kallsyms (sym -m).",
            .options = {{.short_name = "s", .help = "load one module's debug info: mod -s MODULE [FILE]"},
                        {.short_name = "S", .help = "load every module's debug info: mod -S [DIR]"}},
            .arguments = {{.name = "module|dir", .optional = true},
                          {.name = "file", .kind = ValueKind::File, .optional = true}},
            .examples = {{.text = "The module list:", .command = "mod"},
                         {.text = "A module's types:", .command = "mod -s veth"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        auto di = session.debuginfo();
        if (!di) return di.failure();
        auto mods = loaded_modules(session);
        if (!mods) return mods.failure();
        const auto& pos = args.positionals();
        std::vector<const LoadedModule*> shown;
        if (args.has("s")) {
            if (pos.empty()) return fail("mod -s needs a module name");
            auto it = std::find_if(mods->begin(), mods->end(),
                                   [&](const LoadedModule& m) { return m.name == canonical(pos[0]); });
            if (it == mods->end()) return fail("no such module loaded", pos[0]);
            std::string file = pos.size() > 1 ? pos[1] : find_debug_file(session, it->name, {});
            if (file.empty()) return fail("no debug file found for it (give mod -s NAME FILE)", it->name);
            if (auto r = load(session, **di, *it, file); !r) return r;
            shown.push_back(&*it);
        } else if (args.has("S")) {
            for (const auto& m : *mods) {
                if ((*di)->module_file(m.name)) continue;
                std::string file = find_debug_file(session, m.name, pos.empty() ? "" : pos[0]);
                if (file.empty()) continue;
                if (auto r = load(session, **di, m, file); !r) return r;
                shown.push_back(&m);
            }
        } else {
            for (const auto& m : *mods) shown.push_back(&m);
        }
        out.begin_table({{"module", "     MODULE      ", 16}, {"name", " NAME", 18, true},
                         {"base", "      BASE      ", 16}, {"size", "  SIZE", 7},
                         {"object_file", " OBJECT FILE", 0, true}});
        for (const LoadedModule* m : shown) {
            auto file = (*di)->module_file(m->name);
            out.row({Hex{m->module}, m->name, Hex{m->base}, m->size,
                     file ? Value(*file) : Value("(not loaded)  [CONFIG_KALLSYMS]")});
        }
        return {};
    }

private:
    // The .ko's types, with the module's symbols at the addresses its kallsyms has in the dump.
    static Result<void> load(Session& session, DebugInfo& di, const LoadedModule& m, const std::string& file) {
        auto syms = module_symbols(session, m);
        if (!syms) return syms.failure();
        std::vector<SymbolInfo> placed;
        placed.reserve(syms->size());
        for (const auto& s : *syms)
            placed.push_back(SymbolInfo{.name = s.name, .address = s.address, .size = s.size,
                                        .is_function = s.letter == 't' || s.letter == 'T'});
        return di.add_module(m.name, file, std::move(placed));
    }

    // NAME.ko under the usual debug trees of this kernel's release.
    static std::string find_debug_file(Session& session, const std::string& module, const std::string& dir) {
        std::vector<fs::path> roots;
        if (!dir.empty()) {
            roots.emplace_back(dir);
        } else {
            auto uts = read_utsname(session);
            const std::string rel = uts ? uts->release : session.vmcoreinfo("OSRELEASE").value_or("");
            roots.push_back(fs::path("/usr/lib/debug/lib/modules") / rel);
            roots.push_back(fs::path("/lib/modules") / rel);
            roots.push_back(fs::path(session.vmlinux_path()).parent_path() / "debug/lib/modules" / rel);
        }
        const std::string want = canonical(module) + ".ko";
        for (const auto& root : roots) {
            std::error_code ec;
            for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (it->is_regular_file(ec) && canonical(it->path().filename().string()) == want)
                    return it->path().string();
            }
        }
        return {};
    }
};
KDIVE_REGISTER_COMMAND(ModCommand);

}  // namespace
}  // namespace kdive
