// SPDX-License-Identifier: GPL-3.0-or-later
// One ELF mapping and one set of .debug_* sections per session: the debug info (index and type
// loader), the unwinder's ORC and CFI tables and the line/inline tables all read the session's
// (Session::vmlinux_elf / vmlinux_sections), and none opens the file again. On a small program
// compiled here (tests/data/object_sample.c) behind the same SampleSession as the object tests.
#include <catch2/catch.hpp>


#include "debuginfo/dwarf_sections.hpp"
#include "debuginfo/elf_file.hpp"
#include "debuginfo/kernel_debuginfo.hpp"
#include "kdive/unwind.hpp"
#include "kernel/unwind_cfi.hpp"
#include "kernel/unwind_orc.hpp"
#include "kernel/vmlinux_dwarf.hpp"
#include "support/sample_session.hpp"

using namespace kdive;

namespace {

std::unique_ptr<testing::SampleSession> compile_sample() {
    // -fno-asynchronous-unwind-tables: GCC then writes .debug_frame (as the kernel's build does)
    // instead of .eh_frame, so the CFI reader has a table to read.
    std::string error;
    auto session = testing::compile_sample(KDIVE_TEST_DATA "/object_sample.c", "-fno-asynchronous-unwind-tables",
                                           "handle", error);
    if (!session) FAIL(error);
    return session;
}

}  // namespace

TEST_CASE("the index, the type loader, CFI and the line tables share the session's sections",
          "[debuginfo][unwind]") {
    auto session = compile_sample();
    auto elf = session->vmlinux_elf();
    auto secs = session->vmlinux_sections();
    REQUIRE(elf);
    REQUIRE(secs);
    CHECK(&(*secs)->elf() == *elf);

    const unsigned opens = ElfFile::opens();
    const unsigned collections = DwarfSections::collections();

    // The debug info is built over the session's sections, not a copy of its own.
    auto di = session->debuginfo();
    REQUIRE(di);
    auto* kdi = dynamic_cast<KernelDebugInfo*>(*di);
    REQUIRE(kdi);
    CHECK(&kdi->sections() == *secs);
    REQUIRE((*di)->find_type("struct item"));

    // Line and inline tables: the same sections and the same libdwarf handle as the types.
    auto vd = vmlinux_dwarf(*session);
    REQUIRE(vd);
    CHECK((*vd)->secs == *secs);
    auto dbg = (*secs)->libdwarf();
    REQUIRE(dbg);
    CHECK((*vd)->dbg == *dbg);
    auto main_addr = session->symbol_address("main");
    REQUIRE(main_addr);
    auto line = source_line(*session, *main_addr);
    REQUIRE(line);
    CHECK(line->file.ends_with("object_sample.c"));

    // CFI reads .debug_frame out of those sections.
    auto cfi = cfi::vmlinux_table(*session);
    REQUIRE(cfi);
    CHECK(cfi->size() > 0);
    CHECK(cfi->find(*main_addr).has_value());

    // ORC: a user program has none, but the answer comes from the session's file.
    auto orc = orc::vmlinux_table(*session, orc::layout_for(orc::Format::V1));
    REQUIRE_FALSE(orc);
    CHECK(orc.error().what.find(".orc_unwind_ip") != std::string::npos);

    CHECK(ElfFile::opens() == opens);
    CHECK(DwarfSections::collections() == collections);
}
