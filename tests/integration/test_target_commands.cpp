// SPDX-License-Identifier: GPL-3.0-or-later
// rd, vtop and ptov print what crash prints on the same dump (crash 8.0.2 as Debian ships it
// is the reference), and agree across the formats of one crash.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "lab.hpp"
#include "memory/vmcoreinfo.hpp"

namespace {



std::uint64_t hex(const std::string& s) {
    auto v = kdive::parse_unsigned(s, 16);
    if (!v) FAIL("not a hex number: '" << s << "'");
    return *v;
}

}  // namespace

TEST_CASE("rd, vtop, ptov, mod and sys -i print what crash prints", "[lab][commands][crash]") {
    const auto dump = lab::dir() / "kdump-l4" / "vmcore.zlib";
    // Addresses crash and kdive are both given: a module's text (4 KiB pages, from the live
    // /proc/modules) and the slid linux_banner (a 2 MiB page of the kernel image).
    std::istringstream mods(lab::truth("kdump-l4", "modules"));
    std::string name, size, refs, deps, state, module_addr;
    mods >> name >> size >> refs >> deps >> state >> module_addr;
    REQUIRE(module_addr.starts_with("0x"));
    const std::string nm = lab::run("nm " + lab::vmlinux().string() + " | grep -E ' (_text|linux_banner)$' | sort");
    REQUIRE(nm.size() > 40);
    const std::uint64_t text_link = hex(nm.substr(0, 16));
    const std::uint64_t banner_link = hex(nm.substr(nm.find('\n') + 1, 16));
    const std::uint64_t banner = banner_link - text_link + hex(lab::truth("kdump-l4", "text_addr"));

    const std::vector<std::string> cmds = {
        "rd linux_banner 4",  "rd -8 linux_banner 20", "rd -32 jiffies 6",
        "rd -16 linux_banner 9", "rd -p 1000000 4",    "rd -64 -x linux_banner 3",
        fmt::format("vtop {:x}", banner), "vtop " + module_addr.substr(2),
        "ptov 1000000",       "mod",                   "mod -t",
        "sys -i",
    };
    const auto expected = lab::crash_run(dump, cmds);
    REQUIRE(expected.size() == cmds.size());
    for (std::size_t i = 0; i < cmds.size(); ++i) {
        INFO(cmds[i]);
        int status = -1;
        const std::string got = lab::kdive_batch(cmds[i] + "\n", dump, &status);
        CHECK(status == 0);
        if (cmds[i].starts_with("vtop")) {
            // crash goes on with the struct page line (kdive does not print it yet).
            REQUIRE(expected[i].size() >= got.size());
            CHECK(expected[i].substr(0, got.size()) == got);
            CHECK(got.size() > 200);
        } else {
            CHECK(got == expected[i]);
        }
    }
}

TEST_CASE("vtop agrees across the formats of one crash", "[lab][commands]") {
    for (const char* scenario : {"kdump-l5", "kdump-l4"}) {
        INFO(scenario);
        std::map<std::string, std::string> outs;
        for (const char* f : {"vmcore.zlib", "vmcore.lzo", "vmcore.elf"})
            outs[f] = lab::kdive_batch("vtop linux_banner jiffies init_uts_ns\n", lab::dir() / scenario / f);
        CHECK_THAT(outs["vmcore.zlib"], Catch::Contains("PAGE DIRECTORY:"));
        CHECK_THAT(outs["vmcore.zlib"], Catch::Contains("   PMD: "));
        // P4D only with 5-level paging.
        CHECK((outs["vmcore.zlib"].find("   P4D: ") != std::string::npos) == (scenario == std::string("kdump-l5")));
        CHECK(outs["vmcore.zlib"] == outs["vmcore.lzo"]);
        CHECK(outs["vmcore.zlib"] == outs["vmcore.elf"]);
    }
}

TEST_CASE("QEMU dumps: vtop's physical address holds the live kernel's banner", "[lab][commands]") {
    for (const char* scenario : {"qemu-l5", "qemu-l4"}) {
        INFO(scenario);
        const auto dump = lab::dir() / scenario / "qemu.elf";
        const std::string v = lab::kdive_batch("vtop linux_banner\n", dump);
        std::istringstream in(v);
        std::string line, vaddr, paddr;
        std::getline(in, line);  // header
        in >> vaddr >> paddr;
        INFO(v);
        REQUIRE_FALSE(paddr.empty());
        const std::string r = lab::kdive_batch("rd -p -a " + paddr + " 28\n", dump);
        CHECK_THAT(r, Catch::Contains(lab::truth(scenario, "version").substr(0, 28)));
    }
}

TEST_CASE("bad addresses are one-line errors", "[lab][commands]") {
    const auto dump = lab::dir() / "kdump-l5" / "vmcore.zlib";
    for (const std::string cmd : {"rd 1000", "rd nosuchsymbol", "rd -u 1000", "vtop 1000",
                                   "ptov zz", "rd linux_banner 0", "rd -32 linux_banner+1"}) {
        int status = -1;
        const lab::TempFile batch(cmd + "\nsys\n");
        const std::string base = std::string(KDIVE_BINARY) + " -s -i " + batch.path() + " " +
                                 lab::vmlinux().string() + " " + dump.string();
        const std::string err = lab::run(base + " 2>&1 >/dev/null", &status);
        const std::string out = lab::run(base + " 2>/dev/null");
        INFO(cmd << ":\n" << err);
        CHECK(status == 1);
        // One error line naming the command, then sys: the session went on.
        CHECK(std::count(err.begin(), err.end(), '\n') == 1);
        CHECK_THAT(err, Catch::StartsWith(cmd.substr(0, cmd.find(' ')) + ": "));
        CHECK_THAT(out, Catch::Contains("RELEASE: " + lab::truth("kdump-l5", "uname")));
    }
}

TEST_CASE("rd -s names module addresses from the dump's kallsyms", "[lab][commands]") {
    // The modules list head points at the newest module's struct module (its __this_module).
    const auto out = lab::kdive_batch("rd -s modules 2\n", lab::dir() / "kdump-l5" / "vmcore.zlib");
    CHECK_THAT(out, Catch::Contains("__this_module+8  __this_module+8"));
}
