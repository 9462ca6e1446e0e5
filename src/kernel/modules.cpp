// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/modules.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include <fmt/format.h>

#include "kdive/object.hpp"

namespace kdive {

namespace {

// A scalar member of a struct at `address`, read through the type engine.
Result<std::uint64_t> read_member(Session& s, std::string_view type, std::uint64_t address,
                                  std::string_view path) {
    auto obj = evaluate(s, fmt::format("(({} *){:#x})->{}", type, address, path));
    if (!obj) return obj.failure();
    return object_scalar(s, *obj);
}

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

}  // namespace

Result<std::vector<LoadedModule>> loaded_modules(Session& s) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto head = (*di)->find_symbol("modules");
    if (!head) return head.failure();
    auto off = evaluate(s, "&((struct module *)0)->list");
    if (!off) return off.failure();
    const std::uint64_t list_off = *object_scalar(s, *off);

    std::vector<LoadedModule> mods;
    std::unordered_set<std::uint64_t> seen;
    auto next = s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, head->address);
    while (next && *next != head->address) {
        if (!seen.insert(*next).second || mods.size() >= kMaxModules)
            return fail("the modules list loops back on itself", hex_address(*next));
        LoadedModule m;
        m.module = *next - list_off;
        auto name = evaluate(s, fmt::format("((struct module *){:#x})->name", m.module));
        if (!name) return name.failure();
        auto bytes = object_bytes(s, *name);
        if (!bytes) return bytes.failure();
        m.name.assign(reinterpret_cast<const char*>(bytes->data()),
                      strnlen(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
        auto base = read_member(s, "struct module", m.module, "core_layout.base");
        auto size = read_member(s, "struct module", m.module, "core_layout.size");
        if (!base) return base.failure();
        if (!size) return size.failure();
        m.base = *base;
        m.size = *size;
        mods.push_back(std::move(m));
        next = s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, *next);
    }
    if (!next) return next.failure();
    return mods;
}

Result<std::vector<ModuleSymbol>> module_symbols(Session& s, const LoadedModule& mod) {
    auto ks = read_member(s, "struct module", mod.module, "kallsyms");
    if (!ks) return ks.failure();
    auto symtab = read_member(s, "struct mod_kallsyms", *ks, "symtab");
    auto num = read_member(s, "struct mod_kallsyms", *ks, "num_symtab");
    auto strtab = read_member(s, "struct mod_kallsyms", *ks, "strtab");
    auto typetab = read_member(s, "struct mod_kallsyms", *ks, "typetab");
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
