// SPDX-License-Identifier: GPL-3.0-or-later
// QEMU dump-guest-memory files carry no VMCOREINFO: the KASLR slide and phys_base are found
// from the dump itself and checked against the live guest's /proc/kallsyms _text.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "session/dump_session.hpp"
#include "kdive/utsname.hpp"
#include "lab.hpp"
#include "memory/vmcoreinfo.hpp"

using kdive::AddressSpace;

namespace {

std::uint64_t hex(const std::string& s) {
    auto v = kdive::parse_unsigned(s, 16);
    if (!v) FAIL("not a hex number: '" << s << "'");
    return *v;
}

// The slide the live kernel had: its /proc/kallsyms _text minus the vmlinux's, from nm (an
// independent reader of the symbol table).
std::uint64_t true_slide(const std::string& scenario) {
    const std::string nm = lab::run("nm " + lab::vmlinux().string() + " | grep ' _text$'");
    REQUIRE(nm.size() > 16);
    return hex(lab::truth(scenario, "text_addr")) - hex(nm.substr(0, 16));
}

}  // namespace

TEST_CASE("QEMU dumps: the KASLR slide is found and kernel reads match the live kernel",
          "[lab][kaslr]") {
    for (const char* scenario : {"qemu-l5", "qemu-l4"}) {
        INFO(scenario);
        auto s = kdive::DumpSession::open(lab::vmlinux(), lab::dir() / scenario / "qemu.elf");
        REQUIRE(s);
        auto& session = **s;
        CHECK(session.warnings().empty());
        CHECK(session.kaslr_offset() == true_slide(scenario));
        CHECK_THAT(session.kaslr_source(), Catch::StartsWith("found: linux_banner through the page "
                                                             "tables of CR3 of CPU"));
        // Paging depth from CR4.LA57 agrees with the CPU model QEMU ran.
        CHECK(session.target().paging_levels() == (std::string(scenario).ends_with("l5") ? 5 : 4));

        auto uts = kdive::read_utsname(session);
        REQUIRE(uts);
        CHECK(uts->release == lab::truth(scenario, "uname"));
        CHECK(uts->nodename == lab::truth(scenario, "hostname"));
        auto banner = session.target().read_string(AddressSpace::KernelVirtual,
                                                    *session.symbol_address("linux_banner"), 512);
        REQUIRE(banner);
        CHECK(*banner == lab::truth(scenario, "version") + "\n");

        // phys_base as found equals the kernel's own phys_base variable.
        REQUIRE(session.phys_base());
        auto pb = session.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual,
                                                             *session.symbol_address("phys_base"));
        REQUIRE(pb);
        CHECK(*session.phys_base() == *pb);

        // The direct map works too: init_uts_ns through its physical address and back.
        auto w = session.target().walk(*session.symbol_address("init_uts_ns"));
        REQUIRE(w);
        REQUIRE(w->mapped);
        auto direct = session.target().phys_to_virt(w->paddr);
        REQUIRE(direct);
        auto rel = session.target().read_string(AddressSpace::KernelVirtual, *direct + 2 * 65, 65);
        REQUIRE(rel);
        CHECK(*rel == lab::truth(scenario, "uname"));
    }
}

TEST_CASE("a KASLR offset given with --kaslr overrides detection and is checked", "[lab][kaslr]") {
    const auto dump = lab::dir() / "qemu-l4" / "qemu.elf";
    const std::uint64_t slide = true_slide("qemu-l4");

    auto right = kdive::DumpSession::open(lab::vmlinux(), dump, {.kaslr = slide});
    REQUIRE(right);
    CHECK((*right)->kaslr_offset() == slide);
    CHECK_THAT((*right)->kaslr_source(), Catch::StartsWith("--kaslr (command line), checked"));

    // A wrong offset is a mismatch: refused, or with --force taken as given, with a warning.
    auto wrong = kdive::DumpSession::open(lab::vmlinux(), dump, {.kaslr = slide + (2 << 20)});
    REQUIRE_FALSE(wrong);
    CHECK_THAT(wrong.error().message(), Catch::Contains("vmlinux does not match the dump"));
    auto forced =
        kdive::DumpSession::open(lab::vmlinux(), dump, {.kaslr = slide + (2 << 20), .force = true});
    REQUIRE(forced);
    CHECK((*forced)->kaslr_offset() == slide + (2 << 20));
    CHECK((*forced)->warnings().size() == 1);
    CHECK_THAT((*forced)->kaslr_source(), Catch::Contains("NOT confirmed"));

    // On the command line.
    int status = -1;
    const std::string out = lab::run(std::string(KDIVE_BINARY) + " " +
                                     fmt::format("--kaslr={:x} ", slide) + lab::vmlinux().string() +
                                     " " + dump.string() + " < /dev/null 2>&1", &status);
    INFO(out);
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains(fmt::format("KASLR OFFSET: {:#x} (--kaslr", slide)));
    CHECK_THAT(out, Catch::Contains("RELEASE: " + lab::truth("qemu-l4", "uname")));
    const std::string bad = lab::run(std::string(KDIVE_BINARY) + " --kaslr=zz " +
                                     lab::vmlinux().string() + " " + dump.string() + " 2>&1", &status);
    CHECK(status == 2);
    CHECK_THAT(bad, Catch::Contains("option '--kaslr' needs a hex number, not 'zz'"));
}
