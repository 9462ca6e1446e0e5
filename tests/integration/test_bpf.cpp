// SPDX-License-Identifier: GPL-3.0-or-later
// bpf on every lab dump, against the truth labload printed in the live guest
// (BPF_OBJ_GET_INFO_BY_FD for programs and maps, BPF_MAP_LOOKUP_ELEM for values), and its
// listing against crash's on one dump.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "lab.hpp"

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    return out;
}

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> w;
    for (std::string x; in >> x;) w.push_back(x);
    return w;
}

std::vector<std::string> lines(const std::string& s) { return split(s, '\n'); }

struct TruthMap {
    std::string id, type, name, key_size, value_size, max_entries, flags;
};
struct TruthProg {
    std::string id, type, name, tag, jited_len, xlated_len, map_ids;
};
struct TruthBtf {
    std::string btf_id, key_type_id, value_type_id;
};
struct Truth {
    std::vector<TruthMap> maps;
    std::vector<TruthProg> progs;
    std::map<std::string, std::set<std::pair<std::string, std::string>>> values;  // map id -> (key, value)
    std::map<std::string, TruthBtf> btf;  // map id -> its BTF (labload's kd_typed)
    // map id -> (key, value) as gdb prints them on one line: "7", "{count = 7, ...}"
    std::map<std::string, std::set<std::pair<std::string, std::string>>> typed;
};

Truth read_truth(const std::string& scenario) {
    Truth t;
    for (const auto& line : lab::truth_lines(scenario, "bpf")) {
        auto f = split(line, '\t');
        if (f.empty()) continue;
        if (f[0] == "map" && f.size() == 8) t.maps.push_back({f[1], f[2], f[3], f[4], f[5], f[6], f[7]});
        else if (f[0] == "prog" && f.size() == 8) t.progs.push_back({f[1], f[2], f[3], f[4], f[5], f[6], f[7]});
        else if (f[0] == "mapval" && f.size() == 4) t.values[f[1]].insert({f[2], f[3]});
        else if (f[0] == "mapbtf" && f.size() == 5) t.btf[f[1]] = {f[2], f[3], f[4]};
        else if (f[0] == "maptyped" && f.size() == 4) t.typed[f[1]].insert({f[2], f[3]});
    }
    // kd_array, kd_hash, kd_pcpu, kd_ringbuf and kd_typed (the one with BTF).
    REQUIRE(t.maps.size() == 5);
    REQUIRE(t.btf.size() == 1);
    REQUIRE(t.progs.size() == 4);
    return t;
}

// UAPI numbers (include/uapi/linux/bpf.h) of what labload creates.
std::string prog_type(const std::string& n) {
    static const std::map<std::string, std::string> m = {
        {"1", "SOCKET_FILTER"}, {"2", "KPROBE"}, {"5", "TRACEPOINT"}, {"6", "XDP"}};
    return m.count(n) ? m.at(n) : n;
}
std::string map_type(const std::string& n) {
    static const std::map<std::string, std::string> m = {
        {"1", "HASH"}, {"2", "ARRAY"}, {"6", "PERCPU_ARRAY"}, {"27", "RINGBUF"}};
    return m.count(n) ? m.at(n) : n;
}

std::string strip_blanks(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    return s;
}

bool is_hex_line(const std::string& l) {
    return !l.empty() && l.find_first_not_of("0123456789abcdef ") == std::string::npos;
}

// "key: 00 00 00 00  value: 00 10 ...", the per-CPU form "key:\n00 00 00 00\nvalue (CPU 00): ...",
// and bpftool's form for values over 16 bytes ("key:\nHEX\nvalue:\nHEX\nHEX...") as (key, value)
// pairs; per-CPU maps give CPU 0's value (what the truth printed).
std::set<std::pair<std::string, std::string>> map_values(const std::string& out) {
    std::set<std::pair<std::string, std::string>> v;
    auto ls = lines(out);
    for (std::size_t i = 0; i < ls.size(); ++i) {
        const std::string& l = ls[i];
        if (l.starts_with("key: ")) {
            auto vpos = l.find("  value: ");
            if (vpos == std::string::npos) continue;
            v.insert({strip_blanks(l.substr(5, vpos - 5)), strip_blanks(l.substr(vpos + 9))});
        } else if (l == "key:" && i + 2 < ls.size() && ls[i + 2].starts_with("value (CPU 00): ")) {
            v.insert({strip_blanks(ls[i + 1]), strip_blanks(ls[i + 2].substr(16))});
        } else if (l == "key:" && i + 2 < ls.size() && ls[i + 2] == "value:") {
            std::string value;
            std::size_t j = i + 3;
            for (; j < ls.size() && is_hex_line(ls[j]); ++j) value += strip_blanks(ls[j]);
            v.insert({strip_blanks(ls[i + 1]), value});
            i = j - 1;
        }
    }
    return v;
}

// The typed entries of a map with BTF ("key = 7" and "value = {" up to its closing "}") as
// (key, value) pairs, the value joined onto one line as gdb prints it without `set print
// pretty`: "{count = 7, delta = -3, ...}".
std::set<std::pair<std::string, std::string>> typed_values(const std::string& out) {
    std::set<std::pair<std::string, std::string>> v;
    auto ls = lines(out);
    for (std::size_t i = 0; i + 1 < ls.size(); ++i) {
        if (!ls[i].starts_with("key = ") || !ls[i + 1].starts_with("value = ")) continue;
        std::string value = ls[i + 1].substr(8);
        std::size_t j = i + 2;
        if (value == "{") {
            for (; j < ls.size(); ++j) {
                std::string part = ls[j].substr(std::min(ls[j].find_first_not_of(' '), ls[j].size()));
                if (value.back() == ',') value += ' ';
                value += part;
                if (ls[j] == "}") break;
            }
        }
        v.insert({ls[i].substr(6), value});
        i = j;
    }
    return v;
}

// The listing's instruction lines ("  12: (15) if r0 == 0x0 goto pc+1") as (slot, text).
std::vector<std::pair<int, std::string>> insns(const std::string& out) {
    std::vector<std::pair<int, std::string>> v;
    for (const auto& l : lines(out)) {
        auto colon = l.find(": (");
        if (colon == std::string::npos || colon > 5) continue;
        v.push_back({std::stoi(l.substr(0, colon)), l.substr(colon + 2)});
    }
    return v;
}

}  // namespace

TEST_CASE("bpf lists the programs and maps the guest created", "[lab][bpf]") {
    for (const auto& dump : lab::dumps()) {
        INFO(dump.name());
        const Truth truth = read_truth(dump.scenario);
        int status = -1;
        const std::string out = lab::kdive_batch("bpf\n", dump.path, &status);
        INFO(out);
        REQUIRE(status == 0);
        auto ls = lines(out);
        REQUIRE(ls.size() == 7 + truth.maps.size());
        CHECK(ls[0].starts_with(" ID      BPF_PROG       BPF_PROG_AUX   BPF_PROG_TYPE"));
        for (std::size_t i = 0; i < 4; ++i) {
            auto w = words(ls[1 + i]);
            const auto& t = truth.progs[i];
            REQUIRE(w.size() >= 5);
            CHECK(w[0] == t.id);
            CHECK(w[3] == prog_type(t.type));
            CHECK(w[4] == t.tag);
            CHECK((w.size() > 5 ? w[5] : "-") == t.map_ids);
        }
        CHECK(ls[5].empty());
        CHECK(ls[6] == " ID      BPF_MAP          BPF_MAP_TYPE     MAP_FLAGS");
        for (std::size_t i = 0; i < truth.maps.size(); ++i) {
            auto w = words(ls[7 + i]);
            const auto& t = truth.maps[i];
            REQUIRE(w.size() == 4);
            CHECK(w[0] == t.id);
            CHECK(w[2] == map_type(t.type));
            CHECK(std::stoul(w[3], nullptr, 16) == std::stoul(t.flags));
        }
    }
}

TEST_CASE("bpf -P and -M show what BPF_OBJ_GET_INFO_BY_FD reported", "[lab][bpf]") {
    for (const auto& dump : lab::dumps()) {
        INFO(dump.name());
        const Truth truth = read_truth(dump.scenario);
        const std::string progs = lab::kdive_batch("bpf -P\n", dump.path);
        INFO(progs);
        for (const auto& t : truth.progs) {
            CHECK_THAT(progs, Catch::Contains(fmt::format("XLATED: {}  JITED: {}  MEMLOCK: ", t.xlated_len, t.jited_len)));
            CHECK_THAT(progs, Catch::Contains(fmt::format("NAME: \"{}\"  UID: 0", t.name)));
        }
        const std::string maps = lab::kdive_batch("bpf -M\n", dump.path);
        INFO(maps);
        for (const auto& t : truth.maps) {
            CHECK_THAT(maps, Catch::Contains(fmt::format("KEY_SIZE: {}  VALUE_SIZE: {}  MAX_ENTRIES: {}  MEMLOCK: ",
                                                         t.key_size, t.value_size, t.max_entries)));
            CHECK_THAT(maps, Catch::Contains(fmt::format("NAME: \"{}\"", t.name)));
        }
        // Every map's contents or state follows its details.
        CHECK_THAT(maps, Catch::Contains("Found 16 elements"));
        CHECK_THAT(maps, Catch::Contains("CONSUMER_POS: 0  PRODUCER_POS: 0"));
    }
}

TEST_CASE("bpf -p -t decodes the translated instructions", "[lab][bpf]") {
    for (const auto& dump : lab::dumps()) {
        INFO(dump.name());
        const Truth truth = read_truth(dump.scenario);
        std::map<std::string, const TruthProg*> by_name;
        for (const auto& t : truth.progs) by_name[t.name] = &t;
        REQUIRE(by_name.count("kd_sockfilt"));
        REQUIRE(by_name.count("kd_tp"));
        REQUIRE(by_name.count("kd_kprobe"));

        // kd_sockfilt: the verifier inlines the array lookup; the map is referenced by id.
        const TruthProg& sock = *by_name["kd_sockfilt"];
        const std::string out = lab::kdive_batch("bpf -p " + sock.id + " -t\n", dump.path);
        INFO(out);
        auto v = insns(out);
        REQUIRE_FALSE(v.empty());
        CHECK(v.front().first == 0);
        // Slots as bpftool counts them: a ld_imm64 takes two.
        const int slots = v.back().first + 1;
        CHECK(slots == std::stoi(sock.xlated_len) / 8);
        int counted = 0;
        for (const auto& [slot, text] : v) {
            CHECK(slot == counted);
            counted += text.starts_with("(18)") ? 2 : 1;
        }
        CHECK_THAT(out, Catch::Contains("(18) r1 = map[id:" + sock.map_ids + "]"));
        CHECK_THAT(out, Catch::Contains("(62) *(u32 *)(r10 -4) = 0"));
        CHECK(v.back().second == "(95) exit");

        // kd_tp: hash and per-CPU lookups stay calls, named by their kernel functions.
        const TruthProg& tp = *by_name["kd_tp"];
        const std::string tpo = lab::kdive_batch("bpf -p " + tp.id + " -T\n", dump.path);
        INFO(tpo);
        CHECK_THAT(tpo, Catch::Contains(") r1 = map[id:" + tp.map_ids.substr(0, tp.map_ids.find(',')) + "]"));
        CHECK_THAT(tpo, Catch::Contains("(85) call __htab_map_lookup_elem#"));
        CHECK_THAT(tpo, Catch::Contains("(85) call percpu_array_map_lookup_elem#"));
        CHECK_THAT(tpo, Catch::Contains("\n       62 0a fc ff 01 00 00 00\n"));
        CHECK(insns(tpo).back().first + 1 == std::stoi(tp.xlated_len) / 8);

        const std::string kp = lab::kdive_batch("bpf -p " + by_name["kd_kprobe"]->id + " -t\n", dump.path);
        CHECK_THAT(kp, Catch::Contains("(85) call bpf_ktime_get_ns#"));
    }
}

TEST_CASE("bpf -p -j disassembles the JITed code with named calls", "[lab][bpf]") {
    for (const auto& dump : lab::dumps()) {
        INFO(dump.name());
        const Truth truth = read_truth(dump.scenario);
        for (const auto& t : truth.progs) {
            if (t.name != "kd_kprobe") continue;
            const std::string out = lab::kdive_batch("bpf -p " + t.id + " -j\n", dump.path);
            INFO(out);
            int code = 0;
            bool named_call = false;
            for (const auto& l : lines(out)) {
                if (!l.starts_with("   0xffffffff")) continue;
                ++code;
                if (l.find("call") != std::string::npos && l.find(" <bpf_ktime_get_ns>") != std::string::npos)
                    named_call = true;
            }
            CHECK(code > 3);
            CHECK(named_call);
        }
    }
}

TEST_CASE("bpf -m reads the maps' contents from the dump", "[lab][bpf]") {
    for (const auto& dump : lab::dumps()) {
        INFO(dump.name());
        const Truth truth = read_truth(dump.scenario);
        REQUIRE(truth.values.size() == truth.maps.size() - 1);  // all but the ring buffer
        for (const auto& [id, want] : truth.values) {
            const std::string out = lab::kdive_batch("bpf -m " + id + "\n", dump.path);
            INFO(out);
            auto got = map_values(out);
            // The truth holds every array and hash entry, and key 0 of the per-CPU array: all
            // of them must be there with the same bytes.
            for (const auto& kv : want) CHECK(got.count(kv) == 1);
            const TruthMap* m = nullptr;
            for (const auto& t : truth.maps)
                if (t.id == id) m = &t;
            REQUIRE(m);
            if (map_type(m->type) != "PERCPU_ARRAY") CHECK(got == want);
            else CHECK(got.size() == std::stoul(m->max_entries));
        }
        for (const auto& t : truth.maps) {
            if (map_type(t.type) != "RINGBUF") continue;
            const std::string out = lab::kdive_batch("bpf -m " + t.id + "\n", dump.path);
            INFO(out);
            CHECK_THAT(out, Catch::Contains(fmt::format("SIZE: {}  CONSUMER_POS: 0  PRODUCER_POS: 0", t.max_entries)));
        }
    }
}

TEST_CASE("bpf -m prints a map with BTF typed", "[lab][bpf][btf]") {
    for (const auto& dump : lab::dumps()) {
        INFO(dump.name());
        const Truth truth = read_truth(dump.scenario);
        REQUIRE(truth.btf.size() == 1);
        const auto& [id, btf] = *truth.btf.begin();
        REQUIRE(truth.typed.count(id));
        const std::string out = lab::kdive_batch("bpf -m " + id + "\n", dump.path);
        INFO(out);
        CHECK_THAT(out, Catch::Contains(fmt::format("BTF_ID: {}  BTF_KEY_TYPE_ID: {}  BTF_VALUE_TYPE_ID: {}  ", btf.btf_id,
                                                    btf.key_type_id, btf.value_type_id)));
        CHECK_THAT(out, Catch::Contains("     KEY_TYPE: __u32  VALUE_TYPE: struct kd_val\n"));
        // Every entry typed, as the live guest's values printed the way gdb prints them.
        CHECK(typed_values(out) == truth.typed.at(id));
        // And in hex, as for maps without BTF.
        CHECK(map_values(out) == truth.values.at(id));
        CHECK_THAT(out, Catch::Contains("Found " + std::to_string(truth.typed.at(id).size()) + " elements"));

        // -x: the same integers in hex (gdb's p/x).
        const std::string hex = lab::kdive_batch("bpf -m " + id + " -x\n", dump.path);
        INFO(hex);
        CHECK_THAT(hex, Catch::Contains("  stamp = 0x1122334455667788,\n"));
        CHECK_THAT(hex, Catch::Contains("key = 0x2a\n"));
    }
}

TEST_CASE("bpf -m --json gives typed keys and values as JSON", "[lab][bpf][btf][json]") {
    const auto dump = lab::dir() / "kdump-l5" / "vmcore.zlib";
    const Truth truth = read_truth("kdump-l5");
    const std::string id = truth.btf.begin()->first;
    const lab::TempFile file("bpf -m " + id + "\n");
    // Python's json module parses every line (an independent parser); the typed entries are
    // printed sorted by key.
    const std::string out = lab::run(
        std::string(KDIVE_BINARY) + " -s --json -i " + file.path() + " " + lab::vmlinux().string() + " " +
        dump.string() +
        " | /usr/bin/python3 -c 'import json,sys\n"
        "v=[json.loads(l) for l in sys.stdin]\n"
        "print([x[\"value_type\"] for x in v if \"value_type\" in x])\n"
        "for x in sorted((x for x in v if \"value_typed\" in x), key=lambda x: x[\"key_typed\"]):\n"
        "  t=x[\"value_typed\"]\n"
        "  print(x[\"key_typed\"], x[\"key\"], t[\"count\"], t[\"delta\"], t[\"stamp\"], t[\"tag\"], t[\"state\"], "
        "t[\"prio\"], t[\"weight\"])'");
    CHECK(out == "['struct kd_val']\n"
                 "1 01000000 1 100 0 one KD_IDLE 0 1\n"
                 "7 07000000 7 -3 1234605616436508552 seven KD_BUSY 5 300\n"
                 "42 2a000000 42 -2147483648 18446744073709551615 fortytwo KD_DONE 15 4095\n");
}

TEST_CASE("bpf: unknown IDs and misused options are one-line errors", "[lab][bpf]") {
    const auto dump = lab::dir() / "kdump-l4" / "vmcore.zlib";
    CHECK(lab::kdive_batch("bpf -p 999\n", dump) == "bpf: invalid program ID: 999\n");
    CHECK(lab::kdive_batch("bpf -m 999\n", dump) == "bpf: invalid map ID: 999\n");
    CHECK(lab::kdive_batch("bpf -t\n", dump) == "bpf: -t, -T and -j need -p or -P\n");
    CHECK(lab::kdive_batch("bpf -p x1\n", dump) == "bpf: option '-p' needs a number, not 'x1'\n");
    CHECK(lab::kdive_batch("bpf -s -P -x -d\n", dump) == "bpf: -x and -d are mutually exclusive\n");
}

TEST_CASE("bpf prints crash's listing and translated instructions", "[lab][bpf][crash]") {
    const auto dump = lab::dir() / "kdump-l4" / "vmcore.zlib";
    const std::vector<std::string> cmds = {"bpf", "bpf -p 1 -t", "bpf -p 2 -T"};
    const auto expected = lab::crash_run(dump, cmds);
    REQUIRE_FALSE(expected[0].empty());
    // The listing, byte for byte.
    CHECK(lab::kdive_batch("bpf\n", dump) == expected[0]);
    // The instructions (and their bytes) line for line; the detail lines differ on purpose
    // (crash dates the load by the host's clock, kdive by the dump's; kdive adds lines).
    auto code = [](const std::string& out) {
        std::vector<std::string> v;
        for (const auto& l : lines(out))
            if ((l.size() > 6 && l.find(": (") != std::string::npos && l.find(": (") <= 5) || l.starts_with("       "))
                v.push_back(l);
        return v;
    };
    for (std::size_t i = 1; i < cmds.size(); ++i) {
        INFO(cmds[i]);
        const auto want = code(expected[i]);
        CHECK(want.size() > 10);
        CHECK(code(lab::kdive_batch(cmds[i] + "\n", dump)) == want);
    }
}
