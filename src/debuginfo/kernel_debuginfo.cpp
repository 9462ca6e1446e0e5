// SPDX-License-Identifier: GPL-3.0-or-later
#include "debuginfo/kernel_debuginfo.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace kdive {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// C spellings of base types to the names GCC gives them in DWARF.
std::string dwarf_base_name(std::string_view c) {
    static const std::pair<std::string_view, std::string_view> table[] = {
        {"unsigned", "unsigned int"},
        {"signed", "int"},
        {"signed int", "int"},
        {"long", "long int"},
        {"signed long", "long int"},
        {"long signed int", "long int"},
        {"unsigned long", "long unsigned int"},
        {"unsigned long int", "long unsigned int"},
        {"long long", "long long int"},
        {"signed long long", "long long int"},
        {"unsigned long long", "long long unsigned int"},
        {"unsigned long long int", "long long unsigned int"},
        {"short", "short int"},
        {"signed short", "short int"},
        {"unsigned short", "short unsigned int"},
        {"unsigned short int", "short unsigned int"},
        {"bool", "_Bool"},
    };
    for (auto [from, to] : table)
        if (c == from) return std::string(to);
    return std::string(c);
}

}  // namespace

Result<std::unique_ptr<KernelDebugInfo>> KernelDebugInfo::open(const ElfFile& elf,
                                                               std::uint64_t slide,
                                                               const std::string& cache_dir) {
    auto secs = DwarfSections::collect(elf);
    if (!secs) return secs.failure();
    auto d = open(elf, **secs, slide, cache_dir);
    if (!d) return d.failure();
    (*d)->own_secs_ = std::move(*secs);
    return d;
}

Result<std::unique_ptr<KernelDebugInfo>> KernelDebugInfo::open(const ElfFile& elf,
                                                               const DwarfSections& secs,
                                                               std::uint64_t slide,
                                                               const std::string& cache_dir) {
    std::unique_ptr<KernelDebugInfo> d(new KernelDebugInfo(elf, slide));  // private constructor
    d->cache_dir_ = cache_dir;
    d->secs_ = &secs;
    // Without a build-id the cache could serve another file's index: build in memory only.
    const std::string key = elf.build_id().value_or("");
    auto idx = DwarfIndex::load_or_build(*d->secs_, key, cache_dir, &d->stats_);
    if (!idx) return idx.failure();
    d->index_ = std::move(*idx);
    d->types_ = std::make_unique<DwarfTypeLoader>(*d->secs_);
    // Per-CPU variables live in .data..percpu. Until 6.15 x86-64 linked them at offsets from 0,
    // not relocated; since, at kernel addresses the KASLR slide moves like any other, and a
    // CPU's copy is that address plus its __per_cpu_offset either way.
    const ElfSymbol* start = elf.symbol("__per_cpu_start");
    const ElfSymbol* end = elf.symbol("__per_cpu_end");
    if (start && end && start->address < end->address) {
        d->per_cpu_start_ = start->address;
        d->per_cpu_end_ = end->address;
    }
    return d;
}

bool KernelDebugInfo::is_per_cpu(const ElfSymbol& s) const {
    return per_cpu_end_ && s.address >= per_cpu_start_ && s.address < per_cpu_end_;
}

Result<const Type*> KernelDebugInfo::find_type(std::string_view name) {
    std::string_view n = trim(name);
    int pointers = 0;
    while (!n.empty() && n.back() == '*') {
        ++pointers;
        n = trim(n.substr(0, n.size() - 1));
    }
    if (n.starts_with("const ")) n = trim(n.substr(6));  // qualifiers do not change the layout
    if (n.empty()) return fail("empty type name");
    if (n == "void" && pointers > 0) {  // (void *)ADDR: void has no DWARF entry of its own
        const Type* r = pointer_to(nullptr);
        for (int i = 1; i < pointers; ++i) r = pointer_to(r);
        return r;
    }

    std::optional<std::uint64_t> die;
    auto keyword = [&](std::string_view kw, NameKind kind) {
        if (n.size() > kw.size() && n.starts_with(kw) && n[kw.size()] == ' ') {
            die = index_->find_first(trim(n.substr(kw.size() + 1)), kind);
            return true;
        }
        return false;
    };
    if (!keyword("struct", NameKind::Struct) && !keyword("union", NameKind::Union) &&
        !keyword("enum", NameKind::Enum)) {
        // A bare name: typedef or base type first (as C reads it), then a tag (as crash allows).
        const std::string base = dwarf_base_name(n);
        for (NameKind k : {NameKind::Typedef, NameKind::Base, NameKind::Struct, NameKind::Union,
                           NameKind::Enum}) {
            if ((die = index_->find_first(k == NameKind::Base ? std::string_view(base) : n, k))) break;
        }
    }
    if (!die) {
        for (auto& m : modules_)  // types only a module defines (struct veth_priv)
            if (auto t = m.di->find_type(name)) return t;
        return fail("no such type in the debug info", std::string(n));
    }
    auto t = types_->load_checked(*die);
    if (!t) return t.failure();
    const Type* r = *t;
    for (int i = 0; i < pointers; ++i) r = pointer_to(r);
    return r;
}

Result<SymbolInfo> KernelDebugInfo::find_symbol(std::string_view name) {
    SymbolInfo info;
    info.name = std::string(name);
    const ElfSymbol* sym = elf_.symbol(name);
    if (sym) {
        info.per_cpu = is_per_cpu(*sym);
        info.address = info.per_cpu && per_cpu_zero_based() ? sym->address : sym->address + slide_;
        info.size = sym->size;
        info.is_function = sym->type == STT_FUNC;
    }
    std::optional<std::uint64_t> die = index_->find_first(name, NameKind::Variable);
    if (!die) {
        die = index_->find_first(name, NameKind::Function);
        if (die) info.is_function = true;
    }
    if (die) {
        auto t = types_->type_of_object(*die);
        if (t) info.type = *t;
    }
    // `extern const char linux_banner[];`: the declaration has no bound; the symbol's size does.
    if (const Type* a = strip_typedefs(info.type);
        a && a->kind == TypeKind::Array && !a->count && sym && sym->size) {
        if (const std::uint64_t esize = type_size(a->target.get())) {
            Type sized = *a;
            sized.count = sym->size / esize;
            sized.size = *sized.count * esize;
            info.type = types_->synthesize(std::move(sized));
        }
    }
    if (!sym && !die) {
        // A module's symbol, placed where the dump's kallsyms says, typed by its .ko.
        for (auto& m : modules_) {
            auto it = m.placed.find(std::string(name));
            if (it == m.placed.end()) continue;
            SymbolInfo placed = it->second;
            if (auto own = m.di->find_symbol(name)) {
                placed.type = own->type;
                placed.is_function = own->is_function;
            }
            return placed;
        }
        return fail("no such symbol", std::string(name));
    }
    if (!sym) return fail("in the debug info but not in the symbol table (optimised out?)",
                          std::string(name));
    return info;
}

std::optional<std::pair<const Type*, std::int64_t>> KernelDebugInfo::find_enumerator(std::string_view name) {
    auto die = index_->find_first(name, NameKind::Enumerator);
    if (!die) {
        for (auto& m : modules_)
            if (auto e = m.di->find_enumerator(name)) return e;
        return std::nullopt;
    }
    const Type* e = types_->load(*die);
    for (const auto& en : e->enumerators)
        if (en.name == name) return std::pair{e, en.value};
    return std::nullopt;
}

const Type* KernelDebugInfo::complete(const Type* t) {
    if (!t || t->complete || t->name.empty()) return t;
    NameKind kind = t->kind == TypeKind::Struct  ? NameKind::Struct
                    : t->kind == TypeKind::Union ? NameKind::Union
                                                 : NameKind::Enum;
    auto die = index_->find_first(t->name, kind);
    if (!die) return t;
    auto full = types_->load_checked(*die);
    return full ? *full : t;
}

Result<void> KernelDebugInfo::add_module(const std::string& module, const std::string& path,
                                         std::vector<SymbolInfo> placed) {
    for (const auto& m : modules_)
        if (m.name == module) return fail("debug info already loaded from " + m.path, module);
    auto elf = ElfFile::open(path);
    if (!elf) return elf.failure();
    if ((*elf)->type() != ET_REL) return fail("not a kernel module (.ko)", path);
    if (auto r = (*elf)->load_symbols(); !r) return r.failure();
    // The .ko's own symbol values are section offsets: addresses come from `placed`.
    auto di = KernelDebugInfo::open(**elf, 0, cache_dir_);
    if (!di) return di.failure();
    std::unordered_map<std::string, SymbolInfo> by_name;
    for (auto& p : placed) by_name.emplace(p.name, std::move(p));
    modules_.push_back({module, path, std::move(*elf), std::move(*di), std::move(by_name)});
    return {};
}

std::optional<std::string> KernelDebugInfo::module_file(const std::string& module) const {
    for (const auto& m : modules_)
        if (m.name == module) return m.path;
    return std::nullopt;
}

SymbolEntry KernelDebugInfo::entry(const ElfSymbol& s) const {
    // Per-CPU symbols and absolute ones are not moved by KASLR.
    const bool fixed = (is_per_cpu(s) && per_cpu_zero_based()) || s.letter == 'a' || s.letter == 'A';
    return SymbolEntry{s.name, fixed ? s.address : s.address + slide_, s.size, s.letter};
}

std::optional<SymbolEntry> KernelDebugInfo::symbol_entry(std::string_view name) {
    const ElfSymbol* s = elf_.symbol(name);
    if (!s) return std::nullopt;
    return entry(*s);
}

void KernelDebugInfo::for_each_symbol(const std::function<bool(const SymbolEntry&)>& f) {
    for (const ElfSymbol& s : elf_.symbols())
        if (!f(entry(s))) return;
}

const Type* KernelDebugInfo::pointer_to(const Type* t) {
    if (auto it = pointers_.find(t); it != pointers_.end()) return it->second;
    Type p;
    p.kind = TypeKind::Pointer;
    p.size = 8;
    p.target = TypeRef(t);
    const Type* r = types_->synthesize(std::move(p));
    pointers_.emplace(t, r);
    return r;
}

const Type* KernelDebugInfo::base_type(std::string_view c_name) {
    std::string key(c_name);
    if (auto it = base_types_.find(key); it != base_types_.end()) return it->second;
    const Type* r = nullptr;
    if (auto die = index_->find_first(dwarf_base_name(c_name), NameKind::Base)) r = types_->load(*die);
    if (!r) {  // not in the debug info (unlikely for int/long): make one
        Type t;
        t.kind = TypeKind::Int;
        t.name = std::string(c_name);
        t.size = c_name.find("long") != std::string_view::npos ? 8 : c_name.find("char") != std::string_view::npos ? 1 : 4;
        t.encoding = c_name.find("unsigned") != std::string_view::npos ? IntEncoding::Unsigned : IntEncoding::Signed;
        r = types_->synthesize(std::move(t));
    }
    base_types_.emplace(std::move(key), r);
    return r;
}

std::vector<std::string> KernelDebugInfo::names_with_prefix(std::string_view prefix, NameClass cls,
                                                            std::size_t limit) {
    std::set<std::string_view> names;
    for (const IndexEntry& e : index_->entries()) {
        const auto k = static_cast<NameKind>(e.kind);
        const bool match = cls == NameClass::Type       ? k <= NameKind::Base
                           : cls == NameClass::Variable ? k == NameKind::Variable
                           : cls == NameClass::Function ? k == NameKind::Function
                                                        : k == NameKind::Enumerator;
        if (!match) continue;
        std::string_view n = index_->name_of(e);
        if (n.starts_with(prefix)) names.insert(n);
    }
    std::vector<std::string> out;
    for (auto n : names) {
        if (out.size() >= limit) break;
        out.emplace_back(n);
    }
    return out;
}

}  // namespace kdive
