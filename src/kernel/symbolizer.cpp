// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/symbolizer.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "kdive/bpf.hpp"

namespace kdive {

namespace {

bool is_text(char letter) { return letter == 'T' || letter == 't' || letter == 'W' || letter == 'w'; }
bool is_absolute(char letter) { return letter == 'A' || letter == 'a'; }

}  // namespace

Symbolizer::Symbolizer(LinkSymbols vmlinux, std::uint64_t text, std::uint64_t end)
    : vmlinux_(vmlinux), text_(text), end_(end) {}

void Symbolizer::add_module(std::string name, std::uint64_t base, std::uint64_t size, ModuleLoader load) {
    Module m{std::move(name), base, size, std::move(load), std::nullopt};
    auto at = std::upper_bound(modules_.begin(), modules_.end(), base,
                               [](std::uint64_t b, const Module& x) { return b < x.base; });
    modules_.insert(at, std::move(m));
}

void Symbolizer::set_programs(ProgramLoader load) {
    load_programs_ = std::move(load);
    programs_.reset();
}

// Per-CPU symbols are offsets and absolute ones values: neither is a place the slide moves.
bool Symbolizer::eligible(const ElfSymbol& s) const {
    return !is_absolute(s.letter) && !(vmlinux_.per_cpu_end && s.address < vmlinux_.per_cpu_end);
}

bool Symbolizer::in_image(std::uint64_t addr) const {
    const std::uint64_t link = addr - vmlinux_.slide;
    return addr >= vmlinux_.slide && link >= text_ && link < end_;
}

SymbolHit Symbolizer::hit(const ElfSymbol& s, std::uint64_t addr) const {
    const std::uint64_t start = s.address + vmlinux_.slide;
    return SymbolHit{s.name, start, s.size, addr - start, s.letter, {}};
}

std::optional<SymbolHit> Symbolizer::vmlinux(std::uint64_t addr) const {
    if (!in_image(addr)) return std::nullopt;
    const std::uint64_t link = addr - vmlinux_.slide;
    const auto v = vmlinux_.symbols;
    auto it = std::upper_bound(v.begin(), v.end(), link, [](std::uint64_t a, const ElfSymbol& e) { return a < e.address; });
    // Of several at one address the last in symbol-table order answers, as it always has.
    while (it != v.begin()) {
        --it;
        if (eligible(*it)) return hit(*it, addr);
    }
    return std::nullopt;
}

std::optional<SymbolHit> Symbolizer::containing(std::uint64_t addr) const {
    auto h = vmlinux(addr);
    if (h && (!h->size || h->offset < h->size || is_text(h->letter))) return h;
    return std::nullopt;
}

std::optional<SymbolHit> Symbolizer::module_symbol(std::uint64_t addr) const {
    auto m = std::upper_bound(modules_.begin(), modules_.end(), addr,
                              [](std::uint64_t a, const Module& x) { return a < x.base; });
    if (m == modules_.begin()) return std::nullopt;
    --m;
    if (addr - m->base >= m->size) return std::nullopt;
    if (!m->symbols) m->symbols = m->load ? m->load() : std::vector<ModuleSymbol>{};
    const auto& syms = *m->symbols;
    auto it = std::upper_bound(syms.begin(), syms.end(), addr,
                               [](std::uint64_t a, const ModuleSymbol& s) { return a < s.address; });
    if (it == syms.begin()) return SymbolHit{{}, m->base, 0, addr - m->base, '?', m->name};
    --it;
    // Aliases share an address: the first in kallsyms order is the function's own name
    // (dummy_cleanup_module, before the cleanup_module alias module_exit() adds), as crash says.
    while (it != syms.begin() && std::prev(it)->address == it->address) --it;
    return SymbolHit{it->name, it->address, it->size, addr - it->address, it->letter, m->name};
}

std::optional<SymbolHit> Symbolizer::code(std::uint64_t addr) const {
    if (auto h = vmlinux(addr)) return h;
    return module_symbol(addr);
}

// gdb's lookup_minimal_symbol_by_pc_section and build_address_symbolic over gdb's order (by
// address, then name): the nearest symbol below `addr` that has a size, if addr is inside it;
// else the nearest zero-sized one, but only a text one (a label like _stext), since gdb drops
// zero-sized data symbols. That is why init_task.stack (init_stack, no size) shows no <symbol>.
// The table is in symbol-table order within an address, so each address's group is searched
// for the symbol gdb's order would meet first.
std::optional<SymbolHit> Symbolizer::data(std::uint64_t addr) const {
    if (!in_image(addr)) {
        auto h = module_symbol(addr);
        if (h && !h->name.empty()) return h;
        return std::nullopt;
    }
    const std::uint64_t link = addr - vmlinux_.slide;
    const auto v = vmlinux_.symbols;
    auto i = std::upper_bound(v.begin(), v.end(), link, [](std::uint64_t a, const ElfSymbol& e) { return a < e.address; });
    const ElfSymbol* zero_sized = nullptr;
    while (i != v.begin()) {
        auto g = std::prev(i);
        while (g != v.begin() && std::prev(g)->address == g->address) --g;
        // Scanning down in gdb's order meets the greatest name first.
        const ElfSymbol* sized = nullptr;
        for (auto p = g; p != i; ++p)
            if (eligible(*p) && p->size && (!sized || p->name > sized->name)) sized = &*p;
        const ElfSymbol* zero = nullptr;
        for (auto p = g; p != i; ++p)
            if (eligible(*p) && !p->size && (!sized || p->name > sized->name) && (!zero || p->name > zero->name))
                zero = &*p;
        if (!zero_sized) zero_sized = zero;
        if (sized) {
            if (link < sized->address + sized->size) return hit(*sized, addr);
            break;
        }
        i = g;
    }
    if (zero_sized && is_text(zero_sized->letter)) return hit(*zero_sized, addr);
    return std::nullopt;
}

std::optional<SymbolHit> Symbolizer::jited(std::uint64_t addr) const {
    if (!programs_) {
        programs_ = load_programs_ ? load_programs_() : std::vector<Program>{};
        std::sort(programs_->begin(), programs_->end(), [](const Program& a, const Program& b) { return a.start < b.start; });
    }
    const auto& p = *programs_;
    auto it = std::upper_bound(p.begin(), p.end(), addr, [](std::uint64_t a, const Program& x) { return a < x.start; });
    if (it != p.begin() && addr - std::prev(it)->start < std::prev(it)->size) {
        --it;
        return SymbolHit{it->name, it->start, it->size, addr - it->start, 't', {}};
    }
    return code(addr);
}

Result<const Symbolizer*> symbolizer(Session& session) {
    return session.cache().get<Symbolizer>([&]() -> Result<Symbolizer> {
        auto di = session.debuginfo();
        if (!di) return di.failure();
        const LinkSymbols table = (*di)->link_symbols();
        auto text = (*di)->symbol_entry("_text");
        auto end = (*di)->symbol_entry("_end");
        if (!text || !end) return fail("the vmlinux has no _text or _end symbol");
        Symbolizer s(table, text->address - table.slide, end->address - table.slide);
        // The module list is one walk; each module's kallsyms are read when first needed.
        if (auto mods = loaded_modules(session))
            for (const auto& m : *mods)
                s.add_module(m.name, m.base, m.size, [&session, m] {
                    auto syms = module_symbols(session, m);
                    return syms ? std::move(*syms) : std::vector<ModuleSymbol>{};
                });
        s.set_programs([&session] {
            std::vector<Symbolizer::Program> out;
            if (auto progs = bpf_programs(session))
                for (const auto& p : *progs)
                    if (p.bpf_func && p.jited_len)
                        out.push_back({fmt::format("bpf_prog_{}_{}", p.tag_hex(), p.name), p.bpf_func, p.jited_len});
            return out;
        });
        return s;
    });
}

std::optional<CodeSymbol> symbolize(Session& session, std::uint64_t addr, SymbolRule rule) {
    auto s = symbolizer(session);
    if (!s) return std::nullopt;
    auto h = rule == SymbolRule::Data ? (*s)->data(addr) : (*s)->code(addr);
    if (!h) return std::nullopt;
    return CodeSymbol{std::string(h->name), h->offset, std::string(h->module)};
}

}  // namespace kdive
