// SPDX-License-Identifier: GPL-3.0-or-later
// kdive's bt text and drgn_stacks.py's lines as frames, and their comparison: shared by the 6.1
// lab's bt tests and the other kernels' (drgn 0.0.22 on the host, 0.3.0 in unstable's root).
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lab.hpp"

namespace lab {

struct Frame {
    std::string name;
    std::string pc;
    bool is_inline = false;  // bt -I's "(inline)", drgn's is_inline
};

struct Trace {
    std::vector<Frame> frames;
    std::string cpu, comm;
    std::string text;  // what kdive printed for the task
};

inline std::string base_name(const std::string& n) { return n.substr(0, n.find('.')); }

// kdive's `bt` output split by task: "PID: N ..." starts one.
inline std::map<int, Trace> parse_bt(const std::string& out) {
    static const std::regex header(R"(^PID: (\d+) +TASK: [0-9a-f]+ +CPU: (\d+) +COMMAND: "(.*)\"$)");
    static const std::regex frame(R"(^ *#\d+ \[[0-9a-f]+\] (\S+) at ([0-9a-f]+)( \[\S+\])?( \(inline\))?$)");
    std::map<int, Trace> traces;
    Trace* cur = nullptr;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_match(line, m, header)) {
            cur = &traces[std::stoi(m[1])];
            cur->cpu = m[2];
            cur->comm = m[3];
        } else if (cur && std::regex_match(line, m, frame)) {
            cur->frames.push_back({m[1], m[2], m[4].matched});
        }
        if (cur) cur->text += line + "\n";
    }
    return traces;
}

// One drgn_stacks.py line's frames: "NAME@PC NAME@PC:inline ...".
inline std::vector<Frame> parse_drgn_frames(const std::string& words_text) {
    std::vector<Frame> t;
    std::istringstream words(words_text);
    for (std::string w; words >> w;) {
        const bool is_inline = w.ends_with(":inline");
        if (is_inline) w.resize(w.size() - 7);
        const auto at = w.rfind('@');
        t.push_back({w.substr(0, at), at == std::string::npos ? "" : w.substr(at + 1), is_inline});
    }
    return t;
}

// drgn_stacks.py's lines: "PID\tNAME@PC ...".
inline std::map<int, std::vector<Frame>> parse_drgn(const std::string& out) {
    std::map<int, std::vector<Frame>> traces;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        const auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        traces[std::stoi(line.substr(0, tab))] = parse_drgn_frames(line.substr(tab + 1));
    }
    return traces;
}

// System.map: the names at each address, for aliases.
inline const std::map<std::string, std::string>& symbol_addresses() {
    static const std::map<std::string, std::string> m = [] {
        std::map<std::string, std::string> r;
        std::istringstream in(run("cat " + (dir() / "System.map").string()));
        std::string addr, type, name;
        while (in >> addr >> type >> name) r.emplace(name, addr);
        return r;
    }();
    return m;
}

inline bool same_function(const std::string& kdive, const std::string& drgn) {
    if (drgn.starts_with("<")) return true;  // no DWARF name: compared by PC only
    if (base_name(kdive) == base_name(drgn)) return true;
    const auto& syms = symbol_addresses();
    auto a = syms.find(kdive), b = syms.find(drgn);
    return a != syms.end() && b != syms.end() && a->second == b->second;
}

inline std::string describe(const std::vector<Frame>& frames) {
    std::string s;
    for (const auto& f : frames) s += fmt::format("  {} {}{}\n", f.pc, f.name, f.is_inline ? " (inline)" : "");
    return s;
}

inline bool drgn_available() {
    int status = -1;
    run("/usr/bin/python3 -c 'import drgn' > /dev/null 2>&1", &status);
    return status == 0;
}

struct TraceComparison {
    std::size_t equal = 0, inlines = 0;
};

// kdive's bt output for the tasks of `expected` (drgn's traces by pid) against them: every
// task's frames, PCs and names, with no note that a trace stopped. An active task's trace starts
// with what its CPU ran after the dump saved its registers (machine_kexec, the crash NMI's
// handler), as crash's does; drgn's starts at the registers: those few frames are not drgn's
// (test_bt.cpp compares them with crash's).
inline TraceComparison compare_traces(const std::map<int, std::vector<Frame>>& expected, const std::string& out,
                                      const std::string& what) {
    const auto got = parse_bt(out);
    TraceComparison c;
    for (const auto& [pid, want] : expected) {
        INFO(what << " pid " << pid);
        auto it = got.find(pid);
        REQUIRE(it != got.end());
        const Trace& t = it->second;
        INFO("kdive printed:\n" << t.text << "drgn's frames:\n" << describe(want));
        CHECK(t.text.find("the trace stops here") == std::string::npos);
        const std::size_t skip = t.frames.size() > want.size() ? t.frames.size() - want.size() : 0;
        bool same = skip <= 8 && t.frames.size() >= want.size();
        for (std::size_t i = 0; same && i < want.size(); ++i)
            same = t.frames[skip + i].pc == want[i].pc && t.frames[skip + i].is_inline == want[i].is_inline &&
                   same_function(t.frames[skip + i].name, want[i].name);
        CHECK(same);
        c.equal += same;
        for (const auto& f : want) c.inlines += f.is_inline;
    }
    CHECK(c.equal == expected.size());
    return c;
}

}  // namespace lab
