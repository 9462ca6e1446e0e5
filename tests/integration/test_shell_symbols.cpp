// SPDX-License-Identifier: GPL-3.0-or-later
// Symbol-name completion from the lab vmlinux's symbol table.
#include <catch2/catch.hpp>

#include <algorithm>

#include "debuginfo/elf_file.hpp"
#include "lab.hpp"
#include "repl/name_completers.hpp"

TEST_CASE("vmlinux symbol names for completion", "[lab][shell][completion]") {
    auto elf = kdive::ElfFile::open(lab::vmlinux().string());
    REQUIRE(elf);
    REQUIRE((*elf)->load_symbols());
    const auto names = kdive::elf_symbol_names(**elf);
    CHECK(names.size() > 50000);
    CHECK(std::is_sorted(names.begin(), names.end()));
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
    for (const char* known : {"init_uts_ns", "linux_banner", "init_task", "start_kernel", "jiffies"}) {
        INFO(known);
        CHECK(std::binary_search(names.begin(), names.end(), std::string(known)));
    }
    // Every System.map name of a function or object is there (spot-check its first 2000 lines).
    const auto map = lab::run("head -2000 " + (lab::dir() / "System.map").string());
    std::istringstream in(map);
    std::string addr, type, name;
    int checked = 0;
    while (in >> addr >> type >> name) {
        if (type != "T" && type != "t" && type != "D" && type != "d") continue;
        INFO(name);
        CHECK(std::binary_search(names.begin(), names.end(), name));
        ++checked;
    }
    CHECK(checked > 100);
}
