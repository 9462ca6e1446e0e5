// SPDX-License-Identifier: GPL-3.0-or-later
#include "pahole.hpp"

#include <cstdio>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

namespace test_support {

PaholeLayout pahole_layout(const std::string& file, const std::string& type,
                           const std::string& extra_args) {
    PaholeLayout layout;
    const std::string cmd = "pahole " + extra_args + " -C " + type + " " + file + " 2>/dev/null";
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        pclose(p);
    }
    // "\tTYPE NAME[N]:BITS;  /* OFFSET SIZE */" at one tab: a top-level member.
    const std::regex member(R"(^\t[^\t].*?\b(\w+)(\[[^\]]*\])*(:\d+)?;\s+/\*\s+(\d+))");
    const std::regex size(R"(/\* size: (\d+))");
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_search(line, m, member)) layout.offsets.emplace(m[1].str(), std::stoull(m[4].str()));
        if (std::regex_search(line, m, size)) layout.size = std::stoull(m[1].str());
    }
    return layout;
}

void check_layout(const kdive::Type* t, const PaholeLayout& expected) {
    REQUIRE(expected.offsets.size() > 1);
    CHECK(t->size == expected.size);
    for (const auto& [member, off] : expected.offsets) {
        INFO(member);
        auto m = kdive::find_member(t, member);
        REQUIRE(m);
        CHECK(kdive::shown_offset(*m->member, m->bit_offset) == off);
    }
}

}  // namespace test_support
