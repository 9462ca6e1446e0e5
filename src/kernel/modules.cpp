// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/modules.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "kdive/list_walk.hpp"
#include "kdive/object.hpp"

namespace kdive {

namespace {

// Elf64_Sym as kallsyms keeps it in module memory.
struct ElfSym64 {
    std::uint32_t st_name;
    unsigned char st_info, st_other;
    std::uint16_t st_shndx;
    std::uint64_t st_value, st_size;
};
static_assert(sizeof(ElfSym64) == 24);

// No kernel has this many modules; a longer walk is a corrupt list.
constexpr std::size_t kMaxModules = 100'000;

// Where a module's core memory is: core_layout (base, size) before 6.4, then mem[] by memory
// type, whose core types /proc/modules adds up. Told apart by the debug info, not the version.
Result<void> read_extent(const Object& mod, LoadedModule& m) {
    if (auto layout = mod.member("core_layout")) {
        auto base = layout->member("base");
        if (!base) return base.failure();
        auto b = base->pointer();
        auto size = layout->member("size").and_then([](const Object& o) { return o.to_u64(); });
        if (!b) return b.failure();
        if (!size) return size.failure();
        m.base = *b;
        m.size = *size;
        return {};
    }
    auto mem = mod.member("mem");
    if (!mem) return fail("struct module has neither core_layout nor mem[]", m.name);
    Session& s = *mod.session();
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto type_index = [&](std::string_view name) -> std::optional<std::int64_t> {
        if (auto e = (*di)->find_enumerator(name)) return e->second;
        return std::nullopt;
    };
    const auto text = type_index("MOD_TEXT").value_or(0);
    auto base = mem->index(text).and_then([](const Object& o) { return o.member("base"); });
    if (!base) return base.failure();
    auto b = base->pointer();
    if (!b) return b.failure();
    m.base = *b;
    m.size = 0;
    for (std::string_view t : {"MOD_TEXT", "MOD_DATA", "MOD_RODATA", "MOD_RO_AFTER_INIT"}) {
        auto i = type_index(t);
        if (!i) continue;
        auto size = mem->index(*i).and_then([](const Object& o) { return o.member("size"); });
        if (!size) return size.failure();
        auto n = size->to_u64();
        if (!n) return n.failure();
        m.size += *n;
    }
    return {};
}

Result<ModuleList> read_modules(Session& s) {
    auto head = Object::variable(s, "modules");
    if (!head) return head.failure();
    auto module_type = Object::at(s, "struct module", 0);
    if (!module_type) return module_type.failure();
    const Type* mtype = module_type->type();
    auto list_off = member_offset(s, mtype, "list");
    if (!list_off) return list_off.failure();

    // Both ways round the list: a module whose list node is not in the dump is still found
    // from its neighbours.
    ModuleList out;
    ListWalk walk = list_entries(s, head->address(), *list_off, kMaxModules);
    if (walk.broken)
        out.problems.push_back(walk.broken->prefixed(walk.complete() ? "the module list is broken, read around: "
                                                                     : "the module list is broken, modules after it are missing: "));
    for (std::uint64_t address : walk.nodes) {
        const Object mod = Object::at(s, mtype, address);
        LoadedModule m;
        m.module = address;
        auto name = mod.member("name").and_then([](const Object& o) { return o.c_string(); });
        if (name) m.name = std::move(*name);
        auto extent = read_extent(mod, m);
        if (!name || !extent) {
            m.readable = false;
            ++out.unreadable;
        }
        out.all.push_back(std::move(m));
    }
    return out;
}

}  // namespace

Result<const ModuleList*> modules(Session& s) {
    return s.cache().get<ModuleList>([&] { return read_modules(s); });
}

Result<std::vector<LoadedModule>> loaded_modules(Session& s) {
    auto list = modules(s);
    if (!list) return list.failure();
    return (*list)->all;
}

Result<std::vector<ModuleSymbol>> module_symbols(Session& s, const LoadedModule& mod) {
    auto ks = Object::at(s, "struct module", mod.module).and_then([](const Object& m) {
        return m.member("kallsyms").and_then([](const Object& p) { return p.deref(); });
    });
    if (!ks) return ks.failure();
    auto field = [&](std::string_view name) {
        return ks->member(name).and_then([](const Object& o) { return o.to_u64(); });
    };
    auto symtab = field("symtab");
    auto num = field("num_symtab");
    auto strtab = field("strtab");
    auto typetab = field("typetab");
    if (!symtab || !num || !strtab || !typetab)
        return fail("cannot read the module's kallsyms", mod.name);
    if (*num > 1'000'000) return fail("implausible kallsyms count", mod.name);

    std::vector<ElfSym64> syms(*num);
    auto r = s.target().read(AddressSpace::KernelVirtual, *symtab, std::as_writable_bytes(std::span{syms}));
    if (!r) return r.failure();
    std::vector<char> types(*num);
    if (auto t = s.target().read(AddressSpace::KernelVirtual, *typetab, std::as_writable_bytes(std::span{types})); !t)
        std::fill(types.begin(), types.end(), '?');  // older layouts: letters unknown, names still good

    std::vector<ModuleSymbol> out;
    for (std::size_t i = 0; i < syms.size(); ++i) {
        const ElfSym64& e = syms[i];
        if (!e.st_name || !e.st_value) continue;  // the null symbol, undefined ones
        // Per-CPU variables (offsets, not addresses) and absolute symbols are not places in the
        // module: keep what lies in its memory, as crash does.
        if (e.st_value < mod.base || e.st_value >= mod.base + mod.size) continue;
        auto name = s.target().read_string(AddressSpace::KernelVirtual, *strtab + e.st_name, 512);
        if (!name || name->empty()) continue;
        out.push_back({std::move(*name), e.st_value, e.st_size, types[i]});
    }
    // Stable: aliases keep kallsyms order (the function before its module_init/exit alias).
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
    return out;
}

}  // namespace kdive
