// SPDX-License-Identifier: GPL-3.0-or-later
// mod: the loaded modules, from the dump; -s/-S load their debug .ko files so the types only
// a module defines (struct veth_priv) become known.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "kdive/command.hpp"
#include "kdive/layout.hpp"
#include "kdive/object.hpp"
#include "kdive/type.hpp"
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
                        {.short_name = "S", .help = "load every module's debug info: mod -S [DIR]"},
                        {.short_name = "t", .help = "modules that taint the kernel, with the taint letters"}},
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
        if (args.has("t")) return taints(session, **di, *mods, out);
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
        // As crash: by address, the NAME column as wide as the longest name.
        std::sort(shown.begin(), shown.end(), [](auto* a, auto* b) { return a->base < b->base; });
        std::size_t w = 4;
        for (const LoadedModule* m : shown) w = std::max(w, m->name.size());
        if (!out.json() && !shown.empty())
            out.print("     MODULE       {:<{}}        BASE           SIZE  OBJECT FILE\n", "NAME", w);
        for (const LoadedModule* m : shown) {
            auto file = (*di)->module_file(m->name);
            const std::string object = file ? *file : "(not loaded)  [CONFIG_KALLSYMS]";
            if (out.json())
                out.raw_json(fmt::format(R"({{"module":"{:#x}","name":{},"base":"{:#x}","size":{},"object_file":{}}})",
                                         m->module, json_quote(m->name), m->base, m->size,
                                         file ? json_quote(*file) : "null"));
            else if (!m->readable)  // its struct module is not (wholly) in the dump
                out.print("{:016x}  {:<{}}  {:>16}  {:>7}  {}\n", m->module, m->name.empty() ? "-" : m->name, w,
                          m->base ? fmt::format("{:016x}", m->base) : "-", m->size ? std::to_string(m->size) : "-",
                          "(not in the dump)");
            else
                out.print("{:016x}  {:<{}}  {:016x}  {:>7}  {}\n", m->module, m->name, w, m->base, m->size, object);
        }
        // Said once, after the rows: what the walk had to read around.
        if (auto list = modules(session)) {
            for (const Error& e : (*list)->problems) out.print("mod: {}\n", e.message());
            if ((*list)->unreadable)
                out.print("mod: {} module{} not wholly in the dump\n", (*list)->unreadable,
                          (*list)->unreadable == 1 ? " is" : "s are");
        }
        return {};
    }

    // mod -t: modules whose taint mask is not empty, with the kernel's own letters for it
    // (taint_flags[], read from the dump).
    static Result<void> taints(Session& session, DebugInfo& di, const std::vector<LoadedModule>& mods, Output& out) {
        auto flags = di.find_symbol("taint_flags");
        if (!flags) return flags.failure();
        auto type = di.find_type("struct taint_flag");
        if (!type) return type.failure();
        const std::uint64_t entry = type_size(*type);
        auto c_true = field_of(di, "struct taint_flag", "c_true");
        if (!c_true || !entry) return fail("cannot read struct taint_flag");
        std::vector<std::pair<std::string, std::string>> tainted;
        for (const auto& m : mods) {
            auto mask = read_member(session, m.module);
            if (!mask || !*mask) continue;
            std::string letters;
            for (unsigned bit = 0; bit < 64; ++bit) {
                if (!(*mask >> bit & 1)) continue;
                auto c = session.target().read_value<char>(AddressSpace::KernelVirtual,
                                                          flags->address + bit * entry + c_true->offset);
                letters += c && *c ? *c : '?';
            }
            tainted.emplace_back(m.name, letters);
        }
        if (tainted.empty()) {
            out.write("no tainted modules\n");
            return {};
        }
        out.print("{:<20}  TAINTS\n", "NAME");
        for (const auto& [name, letters] : tainted) out.print("{:<20}  {}\n", name, letters);
        return {};
    }

    static Result<std::uint64_t> read_member(Session& session, std::uint64_t module) {
        return Object::at(session, "struct module", module)
            .and_then([](const Object& m) { return m.member("taints"); })
            .and_then([](const Object& t) { return t.to_u64(); });
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
