// SPDX-License-Identifier: GPL-3.0-or-later
// kdive's ps table as the lab tests read it back, and /proc's state letters in crash's names.
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace lab {

struct PsRow {
    bool active = false;
    int pid = 0, ppid = 0, cpu = 0;
    std::string task, state, comm;
};

// The rows of `ps` output; lines that are no row (the header, notes after the rows) are skipped.
inline std::vector<PsRow> parse_ps(const std::string& text) {
    std::vector<PsRow> rows;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() < 10 || line.find("PID    PPID") != std::string::npos) continue;
        PsRow r;
        r.active = line[0] == '>';
        std::istringstream f(line.substr(1));
        // A field the dump could not give is "-": read as -1.
        std::string pid, ppid, cpu, mem, vsz, rss;
        if (!(f >> pid >> ppid >> cpu >> r.task >> r.state >> mem >> vsz >> rss)) continue;
        const auto number = [](const std::string& w) { return w == "-" ? -1 : std::stoi(w); };
        if (pid.find_first_not_of("-0123456789") != std::string::npos) continue;
        r.pid = number(pid), r.ppid = number(ppid), r.cpu = number(cpu);
        std::getline(f >> std::ws, r.comm);
        if (r.comm.size() > 2 && r.comm.front() == '[' && r.comm.back() == ']') r.comm = r.comm.substr(1, r.comm.size() - 2);
        rows.push_back(r);
    }
    return rows;
}

// A line of the guest's ps truth: "TID\tPPID\tSTATE\tCOMM".
struct PsTruth {
    int tid = 0, ppid = 0;
    std::string state, comm;
};
inline PsTruth parse_truth_ps(const std::string& line) {
    std::istringstream f(line);
    std::string tid, ppid;
    PsTruth t;
    std::getline(f, tid, '\t');
    std::getline(f, ppid, '\t');
    std::getline(f, t.state, '\t');
    std::getline(f, t.comm);
    t.tid = std::stoi(tid);
    t.ppid = std::stoi(ppid);
    return t;
}

// /proc's state letter as crash names it.
inline std::string crash_state(const std::string& letter) {
    static const std::map<std::string, std::string> m = {{"R", "RU"}, {"S", "IN"}, {"D", "UN"}, {"I", "ID"},
                                                         {"Z", "ZO"}, {"T", "ST"}, {"t", "TR"}, {"X", "DE"},
                                                         {"P", "PA"}};
    auto it = m.find(letter);
    return it == m.end() ? "?" + letter : it->second;
}

}  // namespace lab
