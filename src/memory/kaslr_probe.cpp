// SPDX-License-Identifier: GPL-3.0-or-later
#include "memory/kaslr_probe.hpp"

#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace kdive {

namespace {

constexpr std::uint64_t kStartKernelMap = 0xffffffff80000000ULL;  // __START_KERNEL_map
constexpr std::uint64_t kSlideAlign = 2ULL << 20;    // CONFIG_PHYSICAL_ALIGN's minimum on x86-64
constexpr std::uint64_t kImageSpace = 1ULL << 30;    // KERNEL_IMAGE_SIZE with KASLR
constexpr std::uint64_t kScanChunk = 1ULL << 20;

struct Root {
    std::uint64_t addr;
    unsigned levels;
    std::string source;
};

bool banner_at(KdumpTarget& t, std::uint64_t addr, const std::string& want) {
    std::vector<std::byte> buf(want.size());
    if (!t.read(AddressSpace::KernelVirtual, addr, buf)) return false;
    return std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()) == want;
}

// Physical addresses where `needle` starts, scanning RAM in chunks that overlap by its length.
std::vector<std::uint64_t> find_in_physical(KdumpTarget& t, const std::string& needle,
                                            std::uint64_t max_phys, bool first_only = false) {
    std::vector<std::uint64_t> hits;
    std::vector<std::byte> chunk(kScanChunk + needle.size());
    for (std::uint64_t pa = 0; pa < max_phys && !(first_only && !hits.empty()); pa += kScanChunk) {
        if (!t.read(AddressSpace::Physical, pa, chunk)) {
            // A hole or a short last chunk: fall back to pages.
            std::vector<std::byte> page(4096);
            for (std::uint64_t p = pa; p < pa + kScanChunk; p += page.size()) {
                if (!t.read(AddressSpace::Physical, p, page)) continue;
                std::string_view sv(reinterpret_cast<const char*>(page.data()), page.size());
                if (auto i = sv.find(std::string_view(needle).substr(0, 64));
                    i != std::string_view::npos)
                    hits.push_back(p + i);
            }
            continue;
        }
        std::string_view sv(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        for (auto i = sv.find(needle); i != std::string_view::npos; i = sv.find(needle, i + 1))
            if (i < kScanChunk) hits.push_back(pa + i);
    }
    return hits;
}

}  // namespace

std::optional<std::string> find_linux_banner(KdumpTarget& target) {
    auto hits = find_in_physical(target, "Linux version ", target.max_phys(), true);
    if (hits.empty()) return std::nullopt;
    auto s = target.read_string(AddressSpace::Physical, hits.front(), 256);
    if (!s) return std::nullopt;
    return *s;
}

Result<KaslrFinding> find_kaslr(KdumpTarget& target, const KernelImage& image,
                                std::optional<std::uint64_t> slide) {
    if (image.banner == 0 || image.banner_text.empty())
        return fail("the vmlinux has no linux_banner to look for");

    std::vector<Root> roots;
    for (const auto& cpu : target.qemu_cpus()) {
        bool seen = false;
        for (const auto& r : roots) seen = seen || r.addr == cpu.root_table();
        if (!seen && cpu.root_table())
            roots.push_back({cpu.root_table(), cpu.la57() ? 5U : 4U,
                             fmt::format("CR3 of CPU {}", cpu.cpu)});
    }

    const auto try_root = [&](const Root& r) -> std::optional<KaslrFinding> {
        if (!target.use_page_tables(r.addr, r.levels)) return std::nullopt;
        std::vector<std::uint64_t> slides;
        if (slide)
            slides.push_back(*slide);
        else
            for (std::uint64_t s = 0; s < kImageSpace; s += kSlideAlign) slides.push_back(s);
        for (std::uint64_t s : slides) {
            if (!banner_at(target, image.banner + s, image.banner_text)) continue;
            KaslrFinding f;
            f.slide = s;
            f.root = r.addr;
            f.levels = r.levels;
            f.how = fmt::format("linux_banner through the page tables of {} ({}-level)", r.source,
                                r.levels);
            if (auto w = target.walk(image.text + s); w && w->mapped)
                f.phys_base = w->paddr - (image.text + s - kStartKernelMap);
            return f;
        }
        return std::nullopt;
    };

    for (const auto& r : roots)
        if (auto f = try_root(r)) return *f;

    // No CPU state (or none that works): find the banner in physical memory; init_top_pgt is
    // at the same distance from it in the loaded image as in the vmlinux.
    if (image.top_pgt) {
        for (std::uint64_t pa : find_in_physical(target, image.banner_text, target.max_phys())) {
            const std::uint64_t root = pa + (image.top_pgt - image.banner);
            for (unsigned levels : {5U, 4U}) {
                Root r{root, levels, fmt::format("init_top_pgt next to linux_banner at physical {:#x}", pa)};
                if (auto f = try_root(r)) return *f;
            }
        }
    }
    if (!roots.empty()) (void)target.use_page_tables(roots.front().addr, roots.front().levels);
    if (slide)
        return fail(fmt::format("the vmlinux's linux_banner is not at KASLR offset {:#x} in the dump",
                                *slide));
    return fail("the vmlinux's linux_banner is not in the dump's memory");
}

}  // namespace kdive
