// SPDX-License-Identifier: GPL-3.0-or-later
// search on every lab dump: what it finds is where rd then shows it (init_task's address in the
// task lists, the hostname and a workload's name as strings, in kernel and physical memory);
// ranges are honoured; bad ranges and values give one-line errors; crash prints the same.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "lab.hpp"

namespace {

std::uint64_t hex(const std::string& s) {
    std::size_t used = 0;
    const std::uint64_t v = std::stoull(s, &used, 16);
    if (used != s.size()) FAIL("not a hex number: '" << s << "'");
    return v;
}

// The address of each match line ("ADDR: ..."), in order.
std::vector<std::uint64_t> match_addresses(const std::string& text) {
    std::vector<std::uint64_t> out;
    for (const auto& l : lab::lines(text)) {
        const auto colon = l.find(": ");
        if (colon == std::string::npos || colon == 0 || colon > 16) continue;
        if (l.find_first_not_of("0123456789abcdef") != colon) continue;
        out.push_back(hex(l.substr(0, colon)));
    }
    return out;
}

// Each command in a batch of its own, so one output is one command's.
std::string kdive(const std::string& command, const lab::Dump& d, int* status = nullptr) {
    return lab::kdive_batch(command + "\n", d.path, status);
}

}  // namespace

TEST_CASE("search finds what rd then shows, on every dump", "[lab][search]") {
    for (const auto& d : lab::dumps()) {
        INFO(d.name());
        // init_task's address: in the task lists (its own, its children's, ...).
        const std::string sym = kdive("sym init_task", d);
        REQUIRE(sym.size() > 16);
        const std::uint64_t init_task = hex(sym.substr(0, 16));
        int status = -1;
        const std::string found = kdive("search -k init_task", d, &status);
        CHECK(status == 0);
        const auto at = match_addresses(found);
        INFO(found);
        REQUIRE(at.size() >= 3);
        // Every line is crash's "ADDR: VALUE (init_task)".
        for (const auto& l : lab::lines(found))
            CHECK(l == fmt::format("{:x}: {:x} (init_task)", match_addresses(l).at(0), init_task));
        // Found in the direct map and in the kernel image mapping of the same pages.
        CHECK(std::count_if(at.begin(), at.end(), [](auto a) { return a >= 0xffffffff80000000; }) >= 1);
        CHECK(std::count_if(at.begin(), at.end(), [](auto a) { return a < 0xffffffff80000000; }) >= 1);
        CHECK(std::is_sorted(at.begin(), at.end()));
        // rd reads through the page tables; matches in the kernel image mapping outside
        // _text.._end are crash's arithmetic view of pages the tables do not map there.
        std::vector<std::uint64_t> mapped;
        for (auto a : at)
            if (a < 0xffffffff80000000) mapped.push_back(a);
        REQUIRE_FALSE(mapped.empty());
        std::string rd;
        for (std::size_t i = 0; i < mapped.size(); i += std::max<std::size_t>(1, mapped.size() / 6))
            rd += fmt::format("rd {:x}\n", mapped[i]);
        for (const auto& l : lab::lines(lab::kdive_batch(rd, d.path)))
            CHECK_THAT(l, Catch::Contains(fmt::format(":  {:016x} ", init_task)));

        // Strings: the hostname, a workload's name; in kernel and physical memory.
        const std::string host = lab::truth(d.scenario, "hostname");
        for (const std::string& word : {host, std::string("kd_sleeper")}) {
            const std::string k = kdive("search -k -c " + word, d);
            INFO(k);
            const auto ka = match_addresses(k);
            REQUIRE_FALSE(ka.empty());
            for (const auto& l : lab::lines(k)) CHECK(l.substr(l.find(": ") + 2, word.size()) == word);
            const std::string r = kdive(fmt::format("rd -a {:x} {}", ka.front(), word.size()), d);
            CHECK(r == fmt::format("{:x}:  {}\n", ka.front(), word));
        }
        const std::string p = kdive("search -p -c " + host, d);
        INFO(p);
        const auto pa = match_addresses(p);
        REQUIRE_FALSE(pa.empty());
        CHECK(kdive(fmt::format("rd -p -a {:x} {}", pa.back(), host.size()), d) ==
              fmt::format("{:>16x}:  {}\n", pa.back(), host));
    }
}

TEST_CASE("search honours -s, -e and -l and value sizes", "[lab][search]") {
    const auto dumps = lab::dumps();
    for (const auto& d : {dumps.front(), dumps.back()}) {
        INFO(d.name());
        const std::uint64_t init_task = hex(kdive("sym init_task", d).substr(0, 16));
        const std::uint64_t lo = init_task, hi = init_task + 0x1000;
        const auto all = match_addresses(kdive("search -k init_task", d));
        std::vector<std::uint64_t> inside;
        for (auto a : all)
            if (a >= lo && a < hi) inside.push_back(a);
        REQUIRE_FALSE(inside.empty());  // init_task points at itself (group_leader, ...)
        CHECK(match_addresses(kdive(fmt::format("search -s init_task -l 0x1000 init_task"), d)) == inside);
        CHECK(match_addresses(kdive(fmt::format("search -s {:x} -e {:x} init_task", lo, hi), d)) == inside);
        // -l is decimal unless 0x.
        CHECK(match_addresses(kdive(fmt::format("search -s {:x} -l 4096 init_task", lo), d)) == inside);
        // The lower half as a 32-bit value: at least the same places; -x shows the neighbours.
        const std::string w = kdive(fmt::format("search -s {:x} -l 4096 -w {:x}", lo, init_task & 0xffffffff), d);
        for (auto a : inside) CHECK_THAT(w, Catch::Contains(fmt::format("{:x}: {:x} \n", a, init_task & 0xffffffff)));
        const std::string x = kdive(fmt::format("search -s {:x} -l 4096 -x 1 init_task", lo), d);
        CHECK_THAT(x, Catch::Contains(fmt::format("{:x}:  {:x} (init_task)\n", inside[0], init_task)));
        CHECK_THAT(x, Catch::Contains(fmt::format("{:x}:  ", inside[0] - 8)));
        // A mask: init_task's upper 32 bits, any lower half.
        const std::string m = kdive(fmt::format("search -s {:x} -l 4096 -m ffffffff {:x}", lo, init_task), d);
        CHECK(match_addresses(m).size() >= inside.size());
        // -t: init_task's stack holds its own address (swapper/0's frames).
        const std::string t = kdive("search -t init_task", d);
        CHECK_THAT(t, Catch::StartsWith("PID: 0 "));
    }
}

TEST_CASE("search rejects bad ranges and values with one line", "[lab][search]") {
    const auto d = lab::dumps().front();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"search -s ffffffff81000000 -e ffffffff80000000 0", "ending address ffffffff80000000 is below starting address ffffffff81000000"},
        {"search -s 1234 0", "invalid kernel virtual address: 1234"},
        {"search -k no_such_symbol_xyz", "no_such_symbol_xyz: neither a symbol, a hex address nor an expression"},
        {"search -w 123456789", "value too large for -w option"},
        {"search -c -x 2 abc", "-x option is not allowed with -c"},
        {"search -s _text -e _end -l 10 0", "-e and -l are mutually exclusive"},
        {"search -t -p 0", "-t option cannot be used with other memory-selection options"},
        {"search -l zz 0", "option '-l' needs a number, not 'zz'"},
        {"search -l 0 0", "length must be a positive number"},
        {"search -k -p 0", "-k and -p are mutually exclusive"},
    };
    for (const auto& [cmd, want] : cases) {
        INFO(cmd);
        int status = -1;
        const std::string out = kdive(cmd, d, &status);
        CHECK_THAT(out, Catch::Contains(want));
        CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    }
}

TEST_CASE("search prints what crash prints", "[lab][search][crash]") {
    const auto dump = lab::dir() / "kdump-l4" / "vmcore.lzo";
    const lab::Dump d{"kdump-l4", "lzo", dump};
    const std::uint64_t init_task = hex(kdive("sym init_task", d).substr(0, 16));
    const std::string host = lab::truth("kdump-l4", "hostname");
    // -x around a direct-map match: with a start in the kernel image crash reads those pages
    // twice (its vmalloc pass covers them too) and prints every match twice.
    const auto direct = match_addresses(kdive(fmt::format("search -K -l 0x40000000 {:x}", init_task), d));
    REQUIRE_FALSE(direct.empty());
    const std::vector<std::string> cmds = {
        fmt::format("search -k {:x}", init_task),
        "search -k -c " + host,
        "search -p -c " + host,
        "search -t init_task",
        fmt::format("search -s {:x} -l 64 -x 1 -w 0", direct.front() & ~std::uint64_t{0xf}),
        fmt::format("search -s {:x} -l 64 -x 3 {:x}", direct.front() & ~std::uint64_t{0xf}, init_task),
    };
    const auto crash = lab::crash_run(dump, cmds);
    for (std::size_t i = 0; i < cmds.size(); ++i) {
        INFO(cmds[i]);
        const std::string& expected = crash[i];
        const std::string got = kdive(cmds[i], d);
        if (cmds[i].starts_with("search -t")) {
            // crash 8.0.2 misses tasks on these dumps ("active task ... not found in PID
            // hash": `ps 27` fails), so kdive finds more stacks; the ones crash has agree.
            CHECK(got.starts_with(expected));
            CHECK(expected.size() > 40);
        } else {
            CHECK(got == expected);
        }
    }
}
