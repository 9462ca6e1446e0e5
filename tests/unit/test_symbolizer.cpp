// SPDX-License-Identifier: GPL-3.0-or-later
// The symbolizer's lookup rules on a small hand-made symbol table: KASLR-slid vmlinux symbols,
// per-CPU and absolute ones (never slid, never naming an image address), gdb's size-aware rule
// for data pointers, aliases, a module's kallsyms (read once, the function before its alias),
// and JITed BPF programs.
#include <catch2/catch.hpp>

#include <vector>

#include "kdive/symbolizer.hpp"

using namespace kdive;

namespace {

constexpr std::uint64_t kSlide = 0x1000000;
constexpr std::uint64_t kText = 0xffffffff81000000, kEnd = 0xffffffff83000000;
constexpr std::uint64_t kModule = 0xffffffffc0000000;
constexpr std::uint64_t kProg = 0xffffffffc1000000;

// Link-time addresses in address order, aliases in symbol-table order, as ElfFile keeps them.
const std::vector<ElfSymbol>& table() {
    static const std::vector<ElfSymbol> t = {
        {"fixed_percpu_data", 0x0, 0x28, 0, 'D'},  // per-CPU: offsets below per_cpu_end
        {"runqueues", 0x2000, 0x1000, 0, 'D'},
        {"_text", kText, 0, 0, 'T'},
        {"_stext", kText + 0x1000, 0, 0, 'T'},
        {"schedule", kText + 0x1000, 0x100, 0, 'T'},
        {"ret_label", kText + 0x1200, 0, 0, 't'},  // a zero-sized text label
        {"init_per_cpu__gdt_page", kText + 0x2000, 0x1000, 0, 'A'},  // absolute, inside the image
        {"init_stack", kText + 0x1000000, 0, 0, 'D'},  // zero-sized data
        {"init_task", kText + 0x1004000, 0x100, 0, 'D'},
        {"jiffies_64", kText + 0x1010000, 8, 0, 'D'},
        {"jiffies", kText + 0x1010000, 8, 0, 'D'},
        {"_end", kEnd, 0, 0, 'B'},
    };
    return t;
}

std::uint64_t run(std::uint64_t link) { return link + kSlide; }

struct Fixture {
    int module_loads = 0;
    Symbolizer s{LinkSymbols{table(), kSlide, 0x30000}, kText, kEnd};

    Fixture() {
        s.add_module("dummy", kModule, 0x2000, [this] {
            ++module_loads;
            return std::vector<ModuleSymbol>{{"dummy_cleanup_module", kModule + 0x100, 0x10, 't'},
                                             {"cleanup_module", kModule + 0x100, 0x10, 't'},
                                             {"dummy_data", kModule + 0x1000, 0x40, 'd'}};
        });
        s.set_programs([] {
            return std::vector<Symbolizer::Program>{{"bpf_prog_0123456789abcdef_probe", kProg, 0x80}};
        });
    }
};

std::string named(const std::optional<SymbolHit>& h) {
    if (!h) return "-";
    std::string out(h->name);
    if (h->offset) out += "+" + std::to_string(h->offset);
    if (!h->module.empty()) out += " [" + std::string(h->module) + "]";
    return out;
}

}  // namespace

TEST_CASE("vmlinux symbols are found at their slid addresses, inside the image only", "[symbolizer]") {
    Fixture f;
    CHECK(named(f.s.vmlinux(run(kText + 0x1004))) == "schedule+4");
    CHECK(named(f.s.code(run(kText + 0x1004))) == "schedule+4");
    CHECK(named(f.s.vmlinux(kText + 0x1004)) == "-");  // the link-time address is not the kernel's
    CHECK(named(f.s.vmlinux(run(kEnd))) == "-");       // past _end the last symbols claim nothing
    CHECK(named(f.s.vmlinux(run(kText) - 1)) == "-");
    // crash's rule is the nearest symbol below, whatever its size.
    CHECK(named(f.s.vmlinux(run(kText + 0x1004200))) == "init_task+512");
}

TEST_CASE("per-CPU and absolute symbols are not slid and name no image address", "[symbolizer]") {
    Fixture f;
    CHECK(named(f.s.vmlinux(0x2010)) == "-");
    CHECK(named(f.s.vmlinux(run(0x2010))) == "-");
    // The absolute symbol inside the image's link range: the symbol below it answers.
    CHECK(named(f.s.vmlinux(run(kText + 0x2010))) == "ret_label+3600");
    CHECK(named(f.s.data(run(kText + 0x2010))) == "ret_label+3600");  // gdb: a text label reaches on
    CHECK(named(f.s.vmlinux(kText + 0x2010)) == "-");  // nor at its own, unslid, value
}

TEST_CASE("sym names an address inside a symbol by its size, text reaching to the next", "[symbolizer]") {
    Fixture f;
    CHECK(named(f.s.containing(run(kText + 0x1004))) == "schedule+4");
    CHECK(named(f.s.containing(run(kText + 0x1004200))) == "-");        // past init_task's size
    CHECK(named(f.s.containing(run(kText + 0x1000010))) == "init_stack+16");  // zero-sized
    CHECK(named(f.s.containing(run(kText + 0x1100))) == "schedule+256");  // text: to the next
    auto h = f.s.containing(run(kText + 0x1004010));
    REQUIRE(h);
    CHECK(h->letter == 'D');
    CHECK(h->address == run(kText + 0x1004000));
    CHECK(h->size == 0x100);
}

TEST_CASE("data pointers follow gdb's minimal-symbol rule", "[symbolizer]") {
    Fixture f;
    CHECK(named(f.s.data(run(kText + 0x1004010))) == "init_task+16");
    CHECK(named(f.s.data(run(kText + 0x1004200))) == "-");  // past the nearest sized symbol
    CHECK(named(f.s.data(run(kText + 0x1000008))) == "-");  // zero-sized data: gdb drops it
    CHECK(named(f.s.data(run(kText + 0x1204))) == "ret_label+4");  // a zero-sized text label
    // At one address gdb's order (by name) meets the greatest name first; the sized one wins
    // over a zero-sized label that sorts before it.
    CHECK(named(f.s.data(run(kText + 0x1010004))) == "jiffies_64+4");
    CHECK(named(f.s.data(run(kText + 0x1008))) == "schedule+8");
    // crash's rule for the same aliases: the last in symbol-table order.
    CHECK(named(f.s.vmlinux(run(kText + 0x1010004))) == "jiffies+4");
}

TEST_CASE("module addresses are named from kallsyms, read once, the function before its alias",
          "[symbolizer]") {
    Fixture f;
    CHECK(f.module_loads == 0);  // nothing read until a module address is asked about
    CHECK(named(f.s.code(kModule + 0x104)) == "dummy_cleanup_module+4 [dummy]");
    CHECK(named(f.s.code(kModule + 0x10)) == "+16 [dummy]");  // before the first symbol
    CHECK(named(f.s.data(kModule + 0x1008)) == "dummy_data+8 [dummy]");
    CHECK(named(f.s.data(kModule + 0x10)) == "-");
    CHECK(named(f.s.code(kModule + 0x2000)) == "-");  // past the module's memory
    CHECK(f.module_loads == 1);
}

TEST_CASE("JITed BPF programs are named as kallsyms names them, for the bpf command only",
          "[symbolizer]") {
    Fixture f;
    CHECK(named(f.s.jited(kProg + 0x10)) == "bpf_prog_0123456789abcdef_probe+16");
    CHECK(named(f.s.jited(kProg)) == "bpf_prog_0123456789abcdef_probe");
    CHECK(named(f.s.jited(kProg + 0x80)) == "-");
    CHECK(named(f.s.code(kProg + 0x10)) == "-");  // crash's gdb does not know them either
    CHECK(named(f.s.jited(run(kText + 0x1000))) == "schedule");
    CHECK(named(f.s.jited(kModule + 0x100)) == "dummy_cleanup_module [dummy]");
}
