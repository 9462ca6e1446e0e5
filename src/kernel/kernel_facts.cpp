// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/kernel_facts.hpp"

#include <charconv>

#include <fmt/format.h>

namespace kdive {

namespace {

constexpr std::uint64_t kStartKernelMap = 0xffffffff80000000;  // __START_KERNEL_map
constexpr std::uint64_t kModulesStart = 0xffffffffc0000000;    // MODULES_VADDR (with KASLR)
constexpr std::uint64_t kModulesEnd = 0xffffffffff000000;      // MODULES_END
// No x86-64 kernel supports more (CONFIG_NR_CPUS_RANGE_END); a larger value is corruption.
constexpr std::uint64_t kMaxCpus = 8192;

// A cpumask variable's set bits below `n`; nullopt if the kernel or the dump lacks it.
std::optional<std::vector<unsigned>> read_cpumask(Session& s, std::string_view name, unsigned n) {
    auto mask = Object::variable(s, name);
    if (!mask) return std::nullopt;
    std::vector<std::byte> bits((n + 63) / 64 * 8);
    if (!s.target().read(AddressSpace::KernelVirtual, mask->address(), bits)) return std::nullopt;
    std::vector<unsigned> cpus;
    for (unsigned c = 0; c < n; ++c)
        if (static_cast<unsigned>(bits[c / 8]) >> (c % 8) & 1) cpus.push_back(c);
    return cpus;
}

// THREAD_SIZE: union thread_union holds the stack array (`unsigned long stack[THREAD_SIZE /
// sizeof(long)]`); init_stack is declared with the same size. KASAN kernels double it.
std::uint64_t thread_size(Session& s) {
    if (auto n = type_size_of(s, "union thread_union"); n && *n >= 4096) return *n;
    if (auto v = Object::variable(s, "init_stack"))
        if (const std::uint64_t n = type_size(v->underlying()); n >= 4096) return n;
    return 16384;
}

Result<KernelFacts> compute_facts(Session& s) {
    KernelFacts f;
    if (auto v = s.vmcoreinfo("PAGESIZE")) {
        std::uint64_t n = 0;
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec == std::errc{} && n >= 4096 && (n & (n - 1)) == 0) f.page_size = n;
    }
    f.thread_size = thread_size(s);
    // nr_cpu_ids is a variable unless the kernel was built with CONFIG_FORCE_NR_CPUS; then
    // the dump's CPU count is the best there is.
    f.nr_cpu_ids = std::max(1u, s.num_cpus());
    if (auto nr = Object::variable(s, "nr_cpu_ids"))
        if (auto n = nr->to_u64(); n && *n > 0 && *n <= kMaxCpus) f.nr_cpu_ids = static_cast<unsigned>(*n);
    // __per_cpu_offset[NR_CPUS]: read the ones in use in one piece.
    auto offsets = Object::variable(s, "__per_cpu_offset");
    if (!offsets) return offsets.failure();
    std::vector<std::uint64_t> off(f.nr_cpu_ids);
    if (auto r = s.target().read(AddressSpace::KernelVirtual, offsets->address(),
                                 std::as_writable_bytes(std::span{off}));
        !r)
        return Failure{r.error().prefixed("cannot read __per_cpu_offset: ")};
    f.per_cpu_offset = std::move(off);
    auto all = [&] {
        std::vector<unsigned> v(f.nr_cpu_ids);
        for (unsigned c = 0; c < f.nr_cpu_ids; ++c) v[c] = c;
        return v;
    };
    f.possible_cpus = read_cpumask(s, "__cpu_possible_mask", f.nr_cpu_ids).value_or(all());
    f.online_cpus = read_cpumask(s, "__cpu_online_mask", f.nr_cpu_ids).value_or(f.possible_cpus);
    return f;
}

std::optional<std::uint64_t> read_pointer(Session& s, std::string_view symbol) {
    auto v = Object::variable(s, symbol);
    if (!v) return std::nullopt;
    auto p = v->to_u64();
    if (!p) return std::nullopt;
    return *p;
}

Result<MemoryMap> compute_memory_map(Session& s) {
    MemoryMap k;
    Target& t = s.target();
    auto text = s.symbol_address("_text");
    if (!text) return text.failure();
    auto end = s.symbol_address("_end");
    if (!end) return end.failure();
    k.kernel_start = *text;
    k.kernel_end = *end;
    // Where the kernel text is in physical memory gives phys_base (through the page tables of
    // a dump, /proc/kcore's text segment on a live system).
    auto text_map = t.kernel_mappings(*text, *text + 1);
    if (!text_map) return text_map.failure();
    if (text_map->empty() || !text_map->front().has_paddr)
        return fail("the kernel text is not mapped", hex_address(*text));
    k.phys_base = text_map->front().paddr - (*text - kStartKernelMap);
    // Without CONFIG_RANDOMIZE_MEMORY the bases are constants; with it, variables.
    auto page_offset = read_pointer(s, "page_offset_base");
    if (!page_offset)
        if (auto v = t.phys_to_virt(0)) page_offset = *v;
    if (auto w = t.walk(*text))
        k.levels = w->levels;
    else
        k.levels = page_offset && *page_offset < 0xffff800000000000 ? 5 : 4;
    const bool l5 = k.levels == 5;
    k.page_offset = page_offset.value_or(l5 ? 0xff11000000000000 : 0xffff888000000000);
    k.vmalloc_start = read_pointer(s, "vmalloc_base").value_or(l5 ? 0xffa0000000000000 : 0xffffc90000000000);
    k.vmemmap_start = read_pointer(s, "vmemmap_base").value_or(l5 ? 0xffd4000000000000 : 0xffffea0000000000);
    k.modules_start = kModulesStart;
    k.modules_end = kModulesEnd;
    std::uint64_t ram_end = 0;
    if (auto present = t.present_physical(); present && !present->empty()) ram_end = present->back().end;
    k.high_memory = read_pointer(s, "high_memory").value_or(k.page_offset + ram_end);
    if (k.high_memory < k.page_offset) k.high_memory = k.page_offset + ram_end;
    if (auto n = type_size_of(s, "struct page")) k.struct_page_size = *n;
    std::uint64_t page_size = 4096;
    if (auto f = kernel_facts(s)) page_size = (*f)->page_size;
    k.vmemmap_end = k.vmemmap_start + (k.high_memory - k.page_offset) / page_size * k.struct_page_size;
    return k;
}

}  // namespace

Result<const KernelFacts*> kernel_facts(Session& session) {
    return session.cache().get<KernelFacts>([&] { return compute_facts(session); });
}

Result<std::uint64_t> per_cpu_address(Session& session, std::uint64_t offset, unsigned cpu) {
    auto f = kernel_facts(session);
    if (!f) return f.failure();
    if (cpu >= (*f)->per_cpu_offset.size())
        return fail(fmt::format("no CPU {} in this kernel (nr_cpu_ids {})", cpu, (*f)->nr_cpu_ids));
    return offset + (*f)->per_cpu_offset[cpu];
}

Result<Object> per_cpu(Session& session, std::string_view name, unsigned cpu) {
    const std::size_t cut = name.find_first_of(".[");
    auto v = Object::variable(session, name.substr(0, cut));
    if (!v) return v.failure();
    if (!v->is_per_cpu()) return fail_type("not a per-CPU variable", std::string(name.substr(0, cut)));
    auto a = per_cpu_address(session, v->address(), cpu);
    if (!a) return a.failure();
    Object o = Object::at(session, v->type(), *a);
    if (cut == std::string_view::npos) return o;
    std::string_view rest = name.substr(cut);
    if (rest.starts_with('.')) rest.remove_prefix(1);
    return o.member(rest);
}

Result<const MemoryMap*> memory_map(Session& session) {
    return session.cache().get<MemoryMap>([&] { return compute_memory_map(session); });
}

}  // namespace kdive
