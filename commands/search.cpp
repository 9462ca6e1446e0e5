// SPDX-License-Identifier: GPL-3.0-or-later
// search: find values or strings in kernel, user or physical memory, as crash's search does
// and prints ("ffff8880012e5e08: ffffffffb381aa40 (init_task)"). Fast: the scan reads only what
// the dump holds (Target::present_physical: excluded pages are skipped in whole runs, never
// failed one by one), in large chunks, and finds the sparse regions (vmalloc, modules,
// vmemmap, stacks, user memory) through the page tables instead of probing every page.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "kdive/address.hpp"
#include "kdive/command.hpp"
#include "kdive/interrupt.hpp"
#include "kdive/kernel_facts.hpp"
#include "kdive/layout.hpp"
#include "kdive/memory_scan.hpp"
#include "kdive/object.hpp"
#include "kdive/tasks.hpp"
#include "kdive/user_memory.hpp"
#include "util/memory_search.hpp"

namespace kdive {
namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::size_t kChunk = std::size_t{1} << 20;  // bytes per read
constexpr std::uint64_t kStartKernelMap = 0xffffffff80000000;  // __START_KERNEL_map

using Piece = MemoryPiece;

std::optional<std::uint64_t> parse_hex(std::string_view s) {
    if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// A progress line on stderr for searches longer than a second, when stderr is a terminal.
class Progress {
public:
    explicit Progress(std::uint64_t total) : total_(total), tty_(isatty(STDERR_FILENO)) {}
    ~Progress() {
        if (shown_) std::fputs("\r\033[K", stderr);
        // KDIVE_SEARCH_DEBUG: how much was scanned how fast (for bench/ and regressions).
        if (std::getenv("KDIVE_SEARCH_DEBUG")) {
            const std::chrono::duration<double> d = std::chrono::steady_clock::now() - begin_;
            fmt::print(stderr, "search: {:.1f} MiB in {:.3f} s ({:.0f} MiB/s)\n", done_ / 1048576.0,
                       d.count(), done_ / 1048576.0 / d.count());
        }
    }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;
    void advance(std::uint64_t bytes) {
        done_ += bytes;
        if (!tty_ || !total_) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - begin_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200))
            return;
        last_ = now;
        shown_ = true;
        std::fprintf(stderr, "\rsearch: %llu of %llu MiB (%llu%%)  ",
                     static_cast<unsigned long long>(done_ >> 20),
                     static_cast<unsigned long long>(total_ >> 20),
                     static_cast<unsigned long long>(done_ * 100 / total_));
        std::fflush(stderr);
    }

private:
    std::uint64_t total_, done_ = 0;
    bool tty_, shown_ = false;
    std::chrono::steady_clock::time_point begin_ = std::chrono::steady_clock::now(), last_ = begin_;
};

class SearchCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "search",
            .synopsis = "search [-s start] [-e end | -l length] [-k | -K | -V | -u | -p | -t | -T] "
                        "[-m mask] [-x count] [-c | -w | -h] value ...",
            .summary = "search memory",
            .description =
                "Searches memory for values: 64-bit by default, 32-bit with -w, 16-bit with -h, at\n"
                "addresses aligned to their size; or for strings with -c. A value is hex, a symbol\n"
                "(its address) or an expression; symbols and expressions are shown after each match.\n"
                "Kernel virtual memory is searched by default (-k): the direct map, vmalloc and module\n"
                "memory, the vmemmap array and the kernel image mapping, in crash's order; -K leaves out\n"
                "vmalloc, modules and vmemmap, -V the direct map and the kernel image mapping. -u\n"
                "searches the user memory of the current context, -p physical memory, -t each task's\n"
                "kernel stack (-T only the tasks running on a CPU). Pages the dump does not hold\n"
                "(excluded, never captured) are skipped silently. -s, -e and -l limit the range; a\n"
                "string's line shows 56 characters from the match, unprintable ones as '.'.",
            .options = {{.short_name = "s", .argument = "start", .help = "start at this address or symbol",
                         .kind = ValueKind::Address},
                        {.short_name = "e", .argument = "end", .help = "stop at this address or symbol",
                         .kind = ValueKind::Address, .group = "end"},
                        {.short_name = "l", .argument = "length", .help = "search this many bytes",
                         .kind = ValueKind::Number, .group = "end"},
                        {.short_name = "k", .help = "kernel virtual memory (the default)", .group = "memory"},
                        {.short_name = "K", .help = "kernel virtual memory without vmalloc, module and "
                                                    "vmemmap memory", .group = "memory"},
                        {.short_name = "V", .help = "kernel virtual memory without the direct map and the "
                                                    "kernel image mapping", .group = "memory"},
                        {.short_name = "u", .help = "user memory of the current context", .group = "memory"},
                        {.short_name = "p", .help = "physical memory", .group = "memory"},
                        {.short_name = "t", .help = "the kernel stacks of all tasks", .group = "stacks"},
                        {.short_name = "T", .help = "the kernel stacks of the active tasks", .group = "stacks"},
                        {.short_name = "m", .argument = "mask", .help = "ignore the bits set in this hex mask",
                         .kind = ValueKind::Hex},
                        {.short_name = "x", .argument = "count",
                         .help = "show count values before and after each match", .kind = ValueKind::Number},
                        {.short_name = "c", .help = "search for strings", .group = "size"},
                        {.short_name = "w", .help = "search for 32-bit values", .group = "size"},
                        {.short_name = "h", .help = "search for 16-bit values", .group = "size"}},
            .arguments = {{.name = "value", .help = "hex value, symbol, (expression) or string",
                           .kind = ValueKind::Address, .repeated = true}},
            .examples = {{.text = "Where init_task's address is stored in the kernel image:",
                          .command = "search -s _text -e _end init_task",
                          .output = "ffffffffb381b3c0: ffffffffb381aa40 (init_task)\n"
                                    "ffffffffb381b3c8: ffffffffb381aa40 (init_task)\n"
                                    "ffffffffb381b3f0: ffffffffb381aa40 (init_task)"},
                         {.text = "A string in physical memory:",
                          .command = "search -p -c kdive-lab",
                          .output = "374a300: kdive-lab..while read -r ko args; do.    insmod \"/lab/mo"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override;

private:
    struct Options {
        enum class Mem { Kernel, User, Physical, Stacks } mem = Mem::Kernel;
        bool K = false, V = false, active_only = false;
        std::optional<std::uint64_t> start, end, length;
        unsigned size = 8;  // 0: strings
        std::uint64_t mask = 0;
        unsigned context = 0;
    };
};

class Scanner {
public:
    // Reads the memory shown around a match (-x): by the address as the user sees it.
    using Reader = std::function<Result<void>(std::uint64_t, std::span<std::byte>)>;

    Scanner(Session& s, MemoryMatcher& m, Output& out, std::vector<std::string> labels,
            unsigned context, Reader reader)
        : s_(s), m_(m), out_(out), labels_(std::move(labels)), context_(context),
          reader_(std::move(reader)), buf_(kChunk) {}

    void set_total(std::uint64_t total) { progress_.emplace(total); }
    // Printed before the first match of the next scan (a task's header for -t).
    void set_header(std::string header) { header_ = std::move(header); }
    std::size_t matches() const { return matches_; }
    // Called with every match found from now on, besides printing it.
    void set_tap(std::function<void(const MemoryMatcher::Match&)> tap) { tap_ = std::move(tap); }
    // Print a match found elsewhere (the same memory seen through another mapping).
    void emit(const MemoryMatcher::Match& mt) { report(mt); }
    void skip(std::uint64_t bytes) {
        if (progress_) progress_->advance(bytes);
    }

    Result<void> scan(const std::vector<Piece>& pieces) {
        m_.reset();
        return scan_pieces(s_.target(), pieces, buf_,
                           {.data = [&](std::uint64_t addr, std::span<const std::byte> d) { match(addr, d); },
                            .gap = [&] { m_.reset(); },
                            .progress = [&](std::uint64_t n) {
                                if (progress_) progress_->advance(n);
                            }});
    }

private:
    void match(std::uint64_t addr, std::span<const std::byte> data) {
        // Values: only whole 64-bit words are searched, as crash does.
        if (m_.size()) data = data.first(data.size() & ~std::size_t{7});
        m_.scan(addr, data, [&](const MemoryMatcher::Match& mt) { report(mt); });
    }

    void report(const MemoryMatcher::Match& mt) {
        ++matches_;
        if (tap_) tap_(mt);
        if (!header_.empty()) {
            out_.print("{}{}\n", headers_shown_++ ? "\n" : "", header_);
            header_.clear();
        }
        if (!m_.size()) {
            out_.print("{:x}: {}\n", mt.address, mt.context);
            return;
        }
        const std::string& label = labels_[mt.pattern];
        if (!context_) {
            out_.print("{:x}: {:x} {}\n", mt.address, mt.value, label);
            return;
        }
        const unsigned size = m_.size();
        show_memory(mt.address - std::uint64_t{context_} * size, size);
        out_.print("{:>16x}:  {:x} {}\n", mt.address, mt.value, label);
        show_memory(mt.address + size, size);
        out_.print("\n");
    }

    // crash's display_memory of -x: rd's lines of `context_` values around a match.
    void show_memory(std::uint64_t addr, unsigned size) {
        std::vector<std::byte> bytes(std::size_t{context_} * size);
        if (!reader_(addr, bytes)) return;  // crash shows nothing it cannot read here
        const std::size_t per_line = 16 / size;
        for (std::size_t i = 0; i < context_; i += per_line) {
            const std::size_t n = std::min<std::size_t>(per_line, context_ - i);
            std::string text = fmt::format("{:>16x}:  ", addr + i * size);
            std::string ascii;
            for (std::size_t k = 0; k < n; ++k) {
                std::uint64_t v = 0;
                std::memcpy(&v, bytes.data() + (i + k) * size, size);
                text += fmt::format("{:0{}x} ", v, 2 * size);
            }
            for (std::size_t k = 0; k < n * size; ++k) {
                const auto c = static_cast<unsigned char>(bytes[i * size + k]);
                ascii += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.';
            }
            text.append((per_line - n) * (2 * size + 1), ' ');
            out_.print("{}  {}\n", text, ascii);
        }
    }

    Session& s_;
    MemoryMatcher& m_;
    Output& out_;
    std::vector<std::string> labels_;
    unsigned context_;
    Reader reader_;
    std::vector<std::byte> buf_;
    std::optional<Progress> progress_;
    std::function<void(const MemoryMatcher::Match&)> tap_;
    std::string header_;
    std::size_t headers_shown_ = 0, matches_ = 0;
};


Result<void> SearchCommand::run(Session& session, const Arguments& args, Output& out) {
    Options o;
    // Memory selection: one of -k -K -V -u -p (the table's "memory" group); -t/-T, -c/-w/-h
    // and -e/-l are groups too.
    o.K = args.has("K");
    o.V = args.has("V");
    if (args.has("u")) o.mem = Options::Mem::User;
    if (args.has("p")) o.mem = Options::Mem::Physical;
    const bool kinds = args.has("k") || o.K || o.V || args.has("u") || args.has("p");
    const bool t = args.has("t"), T = args.has("T");
    if (t || T) {
        if (kinds || args.has("s") || args.has("e") || args.has("l"))
            return fail(fmt::format("-{} option cannot be used with other memory-selection options",
                                    t ? 't' : 'T'));
        o.mem = Options::Mem::Stacks;
        o.active_only = T;
    }
    o.size = args.has("c") ? 0 : args.has("w") ? 4 : args.has("h") ? 2 : 8;

    const AddressSpace space = o.mem == Options::Mem::Physical ? AddressSpace::Physical
                                                                : AddressSpace::KernelVirtual;
    // -s/-e: symbols and expressions for kernel addresses; plain hex for user and physical.
    const auto address = [&](const std::string& text) -> Result<std::uint64_t> {
        if (space == AddressSpace::KernelVirtual && o.mem == Options::Mem::Kernel)
            return parse_address(session, text);
        if (auto v = parse_hex(text)) return *v;
        return parse_address(session, text);
    };
    if (auto v = args.value("s")) {
        auto a = address(*v);
        if (!a) return a.failure();
        o.start = *a;
    }
    if (auto v = args.value("e")) {
        auto a = address(*v);
        if (!a) return a.failure();
        if (*a == 0) return fail("invalid ending address: 0");
        o.end = *a;
    }
    if (auto n = args.number("l")) {
        if (*n == 0) return fail("length must be a positive number (decimal, or hex with 0x)", "0");
        o.length = *n;
    }
    if (auto m = args.number("m")) o.mask = *m;
    if (auto n = args.number("x")) {
        if (!o.size) return fail("-x option is not allowed with -c");
        const std::uint64_t max = kPage / o.size;
        if (*n > max) return fail(fmt::format("context value {} is too large: maximum is {}", *n, max));
        o.context = static_cast<unsigned>(*n);
    }

    // The values, and what crash shows after each match: "(symbol)", "(expression)".
    std::vector<std::uint64_t> values;
    std::vector<std::string> labels, strings;
    for (const auto& word : args.positionals()) {
        if (!o.size) {
            if (!word.empty()) strings.push_back(word);  // the parser may deliver empty strings
            continue;
        }
        const bool plain = parse_hex(word) && !session.symbol_address(word);
        auto v = parse_address(session, word);
        if (!v) return v.failure();
        const std::uint64_t width_max = o.size == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * o.size)) - 1;
        if (*v > width_max)
            return fail(fmt::format("value too large for -{} option: {:x}", o.size == 4 ? 'w' : 'h', *v), word);
        values.push_back(*v);
        labels.push_back(plain || o.mask ? std::string()
                                         : word.starts_with("(") ? word : "(" + word + ")");
    }
    if (o.size ? values.empty() : strings.empty()) return fail("nothing to search for");
    if (o.mask && !o.size) out.print("search: mask ignored on string search\n");
    MemoryMatcher matcher = o.size ? MemoryMatcher::values(o.size, o.mask, values)
                                   : MemoryMatcher::strings(strings);

    Target& target = session.target();
    std::vector<AddressRange> present;
    if (auto p = target.present_physical()) {
        present = std::move(*p);
    } else {
        // Unknown: try everything, skipping what fails; physical memory then needs an end.
        if (o.mem == Options::Mem::Physical && !o.end && !o.length)
            return fail("this target does not say how much physical memory it holds: give -e or -l");
        present.push_back({0, ~std::uint64_t{0}});
    }

    const Task* user_task = nullptr;
    if (o.mem == Options::Mem::User) {
        auto task = context_task(session);
        if (!task) return fail("needs a task context (" + task.error().message() + ")");
        if ((*task)->kernel_thread())
            return fail(fmt::format("current context has no user address space (pid {} is a kernel thread)",
                                    (*task)->pid));
        user_task = *task;
    }
    // -x reads what surrounds a match the way the scan found it: crash translates the direct
    // map and the kernel image mapping by arithmetic, not through the page tables.
    std::optional<MemoryMap> layout;
    Scanner scanner(session, matcher, out, labels, o.context,
                    [&](std::uint64_t addr, std::span<std::byte> bytes) -> Result<void> {
                        if (o.mem == Options::Mem::Physical) return target.read(AddressSpace::Physical, addr, bytes);
                        if (user_task) return read_user(session, *user_task, addr, bytes);
                        if (layout && addr >= layout->page_offset && addr < layout->high_memory)
                            return target.read(AddressSpace::Physical, addr - layout->page_offset, bytes);
                        if (layout && addr >= kStartKernelMap && addr < layout->kernel_end)
                            return target.read(AddressSpace::Physical, addr - kStartKernelMap + layout->phys_base, bytes);
                        return target.read(AddressSpace::KernelVirtual, addr, bytes);
                    });

    // The range asked for, [lo, hi) by default.
    const auto range = [&](std::uint64_t lo, std::uint64_t hi) -> Result<std::pair<std::uint64_t, std::uint64_t>> {
        std::uint64_t start = o.start.value_or(lo);
        std::uint64_t end = o.end ? *o.end : o.length ? start + *o.length : hi;
        if (o.length && end < start) end = ~std::uint64_t{0};  // wrapped past the top
        if (end < start)
            return fail(fmt::format("ending address {:x} is below starting address {:x}", end, start));
        return std::pair{start, end};
    };

    // crash rounds the start down to a long word once it has checked it.
    const auto round_start = [&](std::uint64_t start) {
        if (start & 7) {
            start &= ~std::uint64_t{7};
            out.print("search: rounding down start address to: {:x}\n", start);
        }
        return start;
    };
    std::vector<Piece> pieces;
    switch (o.mem) {
        case Options::Mem::Physical: {
            auto r = range(0, present.empty() ? 0 : present.back().end);
            if (!r) return r.failure();
            add_present(pieces, present, round_start(r->first), r->second, 0);
            break;
        }
        case Options::Mem::User: {
            auto di = session.debuginfo();
            if (!di) return di.failure();
            auto f = field_of(**di, "struct mm_struct", "pgd");
            if (!f) return f.failure();
            auto pgd = target.read_value<std::uint64_t>(AddressSpace::KernelVirtual, user_task->mm + f->offset);
            if (!pgd) return pgd.failure();
            auto root = target.walk(*pgd);
            if (!root) return root.failure();
            if (!root->mapped) return fail("the process's page table is not mapped", hex_address(*pgd));
            const std::uint64_t top = root->levels == 5 ? 0x00fffffffffff000 : 0x00007ffffffff000;
            auto r = range(0, top);
            if (!r) return r.failure();
            if (r->first >= top) return fail(fmt::format("invalid user virtual address: {:x}", r->first));
            if (r->second > top)
                return fail(fmt::format("ending address {:x} is in kernel space", r->second));
            auto maps = page_table_mappings(target, root->paddr, root->levels, round_start(r->first), r->second);
            if (!maps) return maps.failure();
            add_mappings(pieces, *maps, present);
            break;
        }
        case Options::Mem::Kernel: {
            auto km = memory_map(session);
            if (!km) return km.failure();
            const MemoryMap* k = *km;
            layout = *k;
            auto r = range(k->page_offset, ~std::uint64_t{0});
            if (!r) return r.failure();
            if (r->first < k->kernel_half())
                return fail(fmt::format("invalid kernel virtual address: {:x}", r->first));
            const std::uint64_t start = round_start(r->first), end = r->second;
            // crash's kvaddr ranges, in its order: the direct map, vmalloc (with the modules:
            // both are vmap areas), vmemmap, the kernel image mapping. The direct map and the
            // image mapping are read by arithmetic, as crash's kvtop does; the rest by the page
            // tables.
            std::vector<Piece> unity, middle, image;
            if (!o.V) add_present(unity, present, 0, k->high_memory - k->page_offset, k->page_offset);
            if (!o.K) {
                for (auto [lo, hi] : {std::pair{k->vmalloc_start, k->vmemmap_start},
                                      std::pair{k->modules_start, k->modules_end},
                                      std::pair{k->vmemmap_start, k->vmemmap_end}}) {
                    lo = std::max(lo, start), hi = std::min(hi, end);
                    if (lo >= hi) continue;
                    auto maps = target.kernel_mappings(lo, hi);
                    if (!maps) return maps.failure();
                    add_mappings(middle, *maps, present);
                }
            }
            if (!o.V) {
                // Physical p is at p - phys_base + __START_KERNEL_map, up to _end.
                const auto pb = static_cast<std::int64_t>(k->phys_base);
                const std::uint64_t limit = k->kernel_end - kStartKernelMap;
                for (const auto& pr : present) {
                    const std::int64_t lo = std::max<std::int64_t>(static_cast<std::int64_t>(pr.start) - pb, 0);
                    const std::int64_t hi = std::min<std::int64_t>(static_cast<std::int64_t>(pr.end) - pb,
                                                                   static_cast<std::int64_t>(limit));
                    if (lo < hi)
                        image.push_back({kStartKernelMap + static_cast<std::uint64_t>(lo),
                                         static_cast<std::uint64_t>(hi - lo),
                                         static_cast<std::uint64_t>(lo + pb), true});
                }
            }
            unity = clip(unity, start, end), middle = clip(middle, start, end), image = clip(image, start, end);

            // The image mapping shows physical pages the direct map scan reads too: when that
            // scan covers them all, its matches there are the image mapping's, moved, and the
            // pages are not read (decompressed) a second time.
            const auto covered = [&](const Piece& x) {
                return std::any_of(unity.begin(), unity.end(), [&](const Piece& u) {
                    return x.paddr >= u.paddr && x.paddr + x.size <= u.paddr + u.size;
                });
            };
            const bool replay = !image.empty() && std::all_of(image.begin(), image.end(), covered);
            std::uint64_t total = 0;
            for (const auto* v : {&unity, &middle, &image})
                for (const auto& p : *v) total += p.size;
            scanner.set_total(total);
            std::vector<MemoryMatcher::Match> seen;  // direct map matches in the image's pages
            if (replay) {
                scanner.set_tap([&](const MemoryMatcher::Match& mt) {
                    const std::uint64_t pa = mt.address - k->page_offset;
                    const std::uint64_t len = o.size ? o.size : strings[mt.pattern].size();
                    for (const auto& x : image)
                        if (pa >= x.paddr && pa + len <= x.paddr + x.size) {
                            auto moved = mt;
                            moved.address = x.addr + (pa - x.paddr);
                            seen.push_back(std::move(moved));
                            return;
                        }
                });
            }
            if (auto r = scanner.scan(unity); !r) return r;
            scanner.set_tap(nullptr);
            if (auto r = scanner.scan(middle); !r) return r;
            if (!replay) return scanner.scan(image);
            for (const auto& x : image) scanner.skip(x.size);
            for (const auto& mt : seen) scanner.emit(mt);
            return {};
        }
        case Options::Mem::Stacks: {
            auto list = tasks(session);
            if (!list) return list.failure();
            auto facts = kernel_facts(session);
            if (!facts) return facts.failure();
            const std::uint64_t stack_size = (*facts)->thread_size;
            std::uint64_t total = 0;
            std::vector<std::pair<const Task*, std::vector<Piece>>> stacks;
            for (const Task& task : (*list)->all()) {
                if (o.active_only && !task.active) continue;
                if (!task.stack) continue;
                auto maps = target.kernel_mappings(task.stack, task.stack + stack_size);
                if (!maps) continue;  // a task without a readable stack has nothing to show
                std::vector<Piece> p;
                add_mappings(p, *maps, present);
                for (const auto& x : p) total += x.size;
                stacks.emplace_back(&task, std::move(p));
            }
            scanner.set_total(total);
            for (const auto& [task, p] : stacks) {
                scanner.set_header(task_header(*task));
                if (auto r = scanner.scan(p); !r) return r;
            }
            return {};
        }
    }
    std::uint64_t total = 0;
    for (const auto& p : pieces) total += p.size;
    scanner.set_total(total);
    return scanner.scan(pieces);
}

KDIVE_REGISTER_COMMAND(SearchCommand);

}  // namespace
}  // namespace kdive
