// SPDX-License-Identifier: GPL-3.0-or-later
// The lab on other Debian kernels (tests/lab-kernels/kernels.sh): each kernel's kdump-l5
// scenario, KDIVE_LAB_DIR pointing at that kernel's lab. Dumps:
//   vmcore.elf       the whole /proc/vmcore
//   vmcore.sid.zlib  vmcore.elf refiltered (-c -d 31) by unstable's makedumpfile on the host
//   vmcore.zlib      the guest's makedumpfile 1.7.2 (-c -d 31): on 6.12 and 7.x it drops pages
//                    holding live slab objects (task_structs among them): "degraded"
// One TEST_CASE per check and dump, so that ctest can hold back a failing one by name
// (tests/CMakeLists.txt, label kernels-pending).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "bt_traces.hpp"
#include "lab.hpp"
#include "ps_table.hpp"

namespace {

const std::string kScenario = "kdump-l5";

using Row = lab::PsRow;
using lab::crash_state;
using lab::parse_ps;

lab::fs::path dump_path(const std::string& file) {
    auto p = lab::dir() / kScenario / file;
    if (!lab::fs::exists(p)) FAIL("lab dump missing: " << p << " (run tests/lab-kernels/kernels.sh)");
    return p;
}

std::string kernel() { return lab::truth(kScenario, "uname"); }

std::vector<Row> ps_of(const lab::fs::path& dump) {
    int status = 0;
    const auto out = lab::kdive_batch("ps\n", dump, &status);
    INFO(kernel() << " " << dump.filename().string() << ": ps output\n" << out);
    REQUIRE(status == 0);
    return parse_ps(out);
}

void check_release(const std::string& file) {
    const auto dump = dump_path(file);
    int status = 0;
    const auto out = lab::kdive_batch("sys\n", dump, &status);
    INFO(kernel() << " " << file << ": sys output\n" << out);
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains("RELEASE: " + kernel()));
}

// ps against the live guest's ps (the same rules as test_ps.cpp on the 6.1 lab).
void check_ps_truth(const std::string& file) {
    const auto dump = dump_path(file);
    const auto truth = lab::truth_lines(kScenario, "ps");
    REQUIRE(truth.size() > 10);
    const int self = std::stoi(truth[0].substr(truth[0].find('\t') + 1));  // "#self\tPID"
    const auto rows = ps_of(dump);
    std::map<int, Row> by_pid;
    for (const auto& r : rows)
        if (r.pid) by_pid[r.pid] = r;
    std::set<int> truth_pids;
    for (std::size_t i = 1; i < truth.size(); ++i) {
        const lab::PsTruth t = lab::parse_truth_ps(truth[i]);
        const std::string tid = std::to_string(t.tid), ppid = std::to_string(t.ppid);
        const std::string& state = t.state;
        const std::string& comm = t.comm;
        truth_pids.insert(std::stoi(tid));
        if (std::stoi(tid) == self) continue;  // the ps process itself, gone by the crash
        INFO(kernel() << " " << file << ": truth " << truth[i]);
        auto it = by_pid.find(std::stoi(tid));
        CHECK(it != by_pid.end());
        if (it == by_pid.end()) continue;
        CHECK(it->second.ppid == std::stoi(ppid));
        const std::string& c = it->second.comm;
        CHECK((comm == c || comm.starts_with(c + "-") || (c.size() == 15 && comm.starts_with(c))));
        const std::string& st = it->second.state;
        if (state != "R") CHECK((st == crash_state(state) || st == "RU"));
        else if (comm == "kd_burner") CHECK(st == "RU");
        else CHECK((st == "RU" || st == "IN" || st == "ID" || st == "UN"));
    }
    for (const auto& r : rows) {
        if (r.pid == 0 || truth_pids.contains(r.pid)) continue;
        INFO(kernel() << " " << file << ": extra task " << r.pid << " " << r.comm);
        CHECK(r.pid > self);
    }
    const std::string online = lab::truth(kScenario, "cpus");  // "0-1"
    const auto dash = online.find('-');
    const int cpus = dash == std::string::npos ? 1 : std::stoi(online.substr(dash + 1)) + 1;
    CHECK(std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.pid == 0; }) == cpus);
    const int panic_pid = std::stoi(lab::truth(kScenario, "panic_pid"));
    INFO(kernel() << " " << file << ": panic task " << panic_pid);
    REQUIRE(by_pid.contains(panic_pid));
    CHECK(by_pid[panic_pid].active);
    CHECK(by_pid[panic_pid].state == "RU");
}

// The tasks whose task_struct is all in the dump: the first word of every page it covers reads
// (one batch; rd prints "ADDRESS:  VALUE ..." for a read and an error line for a missing page).
std::set<std::string> readable_tasks(const lab::fs::path& dump, const std::vector<Row>& tasks, std::size_t size) {
    std::string cmds;
    std::map<std::string, std::vector<unsigned long>> pages;
    for (const auto& t : tasks) {
        const unsigned long start = std::stoul(t.task, nullptr, 16);
        for (unsigned long a = start & ~0xfffUL; a < start + size; a += 0x1000) {
            pages[t.task].push_back(std::max(a, start));
            cmds += fmt::format("rd -64 {:#x} 1\n", std::max(a, start));
        }
    }
    std::set<unsigned long> read;
    for (const auto& l : lab::lines(lab::kdive_batch(cmds, dump))) {
        const auto colon = l.find(':');
        if (colon == 16 && l.find_first_not_of("0123456789abcdef") == colon) read.insert(std::stoul(l.substr(0, 16), nullptr, 16));
    }
    std::set<std::string> out;
    for (const auto& [task, addrs] : pages)
        if (std::all_of(addrs.begin(), addrs.end(), [&](unsigned long a) { return read.contains(a); })) out.insert(task);
    return out;
}

// On a dump that lost pages, ps lists every task whose task_struct is all there, as it lists
// it on the same crash's whole ELF dump; and no task the ELF dump does not have.
void check_ps_degraded(const std::string& file) {
    const auto dump = dump_path(file);
    const auto elf_rows = ps_of(dump_path("vmcore.elf"));
    const auto rows = ps_of(dump);
    const auto size_out = lab::kdive_batch("p sizeof(struct task_struct)\n", dump_path("vmcore.elf"));
    const auto eq = size_out.rfind('=');
    REQUIRE(eq != std::string::npos);
    const std::size_t size = std::stoul(size_out.substr(eq + 1));
    std::map<std::string, Row> by_task;
    for (const auto& r : rows) by_task[r.task] = r;
    const auto readable_set = readable_tasks(dump, elf_rows, size);
    std::map<int, std::string> elf_task_of;  // thread group leader's pid -> its task
    for (const auto& e : elf_rows)
        if (e.pid && !elf_task_of.contains(e.pid)) elf_task_of[e.pid] = e.task;
    std::set<std::string> elf_tasks;
    std::size_t readable = 0, missing = 0;
    for (const auto& e : elf_rows) {
        elf_tasks.insert(e.task);
        if (!readable_set.contains(e.task)) {
            ++missing;
            continue;
        }
        ++readable;
        INFO(kernel() << " " << file << ": task " << e.task << " pid " << e.pid << " " << e.comm
                      << " (readable in this dump)");
        auto it = by_task.find(e.task);
        CHECK(it != by_task.end());
        if (it == by_task.end()) continue;
        CHECK(it->second.pid == e.pid);
        CHECK(it->second.comm == e.comm);
        // The parent's pid is read from the parent's task_struct: known only if that is here.
        // Otherwise it is either still right or shown as unknown ("-"), never a wrong number.
        if (e.ppid == 0 || readable_set.contains(elf_task_of.at(e.ppid))) CHECK(it->second.ppid == e.ppid);
        else CHECK((it->second.ppid == e.ppid || it->second.ppid == -1));
    }
    WARN(kernel() << " " << file << ": " << readable << " tasks readable, " << missing
                  << " with pages missing, ps listed " << rows.size() << " of " << elf_rows.size());
    for (const auto& r : rows) {
        INFO(kernel() << " " << file << ": task " << r.task << " pid " << r.pid << " not on the ELF dump");
        CHECK(elf_tasks.contains(r.task));
    }
}

// bt of the panic task (the sysrq crash from the guest's shell) is whole: from the kexec
// entry through panic and the sysrq handler down to the system call's entry and the user
// registers it saved, with no note that the trace stopped.
void check_bt(const std::string& file) {
    const auto dump = dump_path(file);
    const int panic_pid = std::stoi(lab::truth(kScenario, "panic_pid"));
    int status = 0;
    const auto out = lab::kdive_batch(fmt::format("bt {}\n", panic_pid), dump, &status);
    INFO(kernel() << " " << file << ": bt output\n" << out);
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains("crash_kexec at"));
    CHECK_THAT(out, Catch::Contains(" panic at"));
    CHECK_THAT(out, Catch::Contains("sysrq_handle_crash at"));
    CHECK_THAT(out, Catch::Contains("write_sysrq_trigger at"));
    CHECK_THAT(out, Catch::Contains("entry_SYSCALL_64"));
    CHECK_THAT(out, Catch::Contains("CS: 0033"));  // the user-mode registers at the bottom
    CHECK_THAT(out, !Catch::Contains("trace stops here"));
}

// bt of every task equals drgn 0.3.0's (unstable's root: Debian 12's drgn 0.0.22 does not know
// every kernel's ORC), PCs and names, as test_bt.cpp checks on 6.1 with drgn 0.0.22.
void check_bt_drgn(const std::string& file) {
    if (lab::sid_root().empty()) {
        WARN("SKIPPED: no Debian unstable root (tests/lab-kernels/sid-root.sh): bt is not compared with drgn 0.3.0");
        return;
    }
    const auto dump = dump_path(file);
    const auto script = lab::fs::path(__FILE__).parent_path() / "drgn_stacks.py";
    int status = -1;
    const std::string traces = lab::sid_run(
        fmt::format("python3 - {} {} 2>&1", dump.string(), lab::vmlinux().string()), script, &status);
    INFO(kernel() << " " << file << ": drgn_stacks.py under drgn 0.3.0\n" << traces);
    REQUIRE(status == 0);
    const auto expected = lab::parse_drgn(traces);
    REQUIRE(expected.size() > 30);
    std::string cmds;
    for (const auto& [pid, frames] : expected) cmds += fmt::format("bt {}\n", pid);
    const std::string out = lab::kdive_batch(cmds, dump, &status);
    CHECK(status == 0);
    const auto c = lab::compare_traces(expected, out, kernel() + " " + file);
    WARN(kernel() << " " << file << ": " << c.equal << " of " << expected.size() << " traces equal drgn 0.3.0's");
}

// The panic line the guest's console printed before the capture kernel started is in log.
void check_log(const std::string& file) {
    const auto dump = dump_path(file);
    std::string panic;
    for (const auto& l : lab::lines(lab::run("tr -d '\\r' < " + (lab::dir() / kScenario / "console.log").string())))
        if (auto at = l.find("Kernel panic - not syncing: "); at != std::string::npos) {
            panic = l.substr(at);
            break;
        }
    REQUIRE_FALSE(panic.empty());
    int status = -1;
    const auto out = lab::kdive_batch("log\n", dump, &status);
    INFO(kernel() << " " << file << ": the console's panic line: " << panic);
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains(panic));
    CHECK_THAT(out, Catch::Contains("sysrq: Trigger a crash"));
}

// bpf lists every program (ID and tag) and map (ID) labload created, as the live kernel's
// BPF_OBJ_GET_INFO_BY_FD reported them.
void check_bpf(const std::string& file) {
    const auto dump = dump_path(file);
    int status = -1;
    const auto out = lab::kdive_batch("bpf\n", dump, &status);
    INFO(kernel() << " " << file << ": bpf output\n" << out);
    CHECK(status == 0);
    // Program and map IDs are separate numberings: each table by its own header.
    std::map<std::string, std::string> progs_listed, maps_listed;  // ID -> the line
    std::map<std::string, std::string>* table = nullptr;
    for (const auto& l : lab::lines(out)) {
        if (l.starts_with(" ID ")) table = l.find("BPF_MAP") != std::string::npos ? &maps_listed : &progs_listed;
        std::istringstream in(l);
        std::string id;
        if (table && in >> id && id.find_first_not_of("0123456789") == std::string::npos) table->emplace(id, l);
    }
    std::size_t progs = 0, maps = 0;
    for (const auto& t : lab::truth_lines(kScenario, "bpf")) {
        std::istringstream in(t);
        std::string kind, id, type, name, tag;
        std::getline(in, kind, '\t');
        std::getline(in, id, '\t');
        std::getline(in, type, '\t');
        std::getline(in, name, '\t');
        std::getline(in, tag, '\t');
        INFO("truth: " << t);
        if (kind == "prog") {
            ++progs;
            REQUIRE(progs_listed.contains(id));
            CHECK_THAT(progs_listed[id], Catch::Contains(tag));
        } else if (kind == "map") {
            ++maps;
            CHECK(maps_listed.contains(id));
        }
    }
    CHECK(progs == 4);
    CHECK(maps == 5);
}

// mod is /proc/modules: every module the guest had, at its base with its size (core_layout on
// 5.10, mem[] on 6.12 and 7.x, as struct module has them).
void check_mod(const std::string& file) {
    const auto dump = dump_path(file);
    int status = 0;
    const auto out = lab::kdive_batch("mod\n", dump, &status);
    INFO(kernel() << " " << file << ": mod output\n" << out);
    CHECK(status == 0);
    std::map<std::string, std::pair<unsigned long, unsigned long>> got;  // name -> base, size
    for (const auto& l : lab::lines(out)) {
        std::istringstream f(l);
        std::string module, name, base, size;
        if (!(f >> module >> name >> base >> size) || module == "MODULE") continue;
        if (base.find_first_not_of("0123456789abcdef") != std::string::npos) continue;
        got[name] = {std::stoul(base, nullptr, 16), std::stoul(size)};
    }
    const auto truth = lab::truth_lines(kScenario, "modules");  // "name size refs deps state base"
    REQUIRE_FALSE(truth.empty());
    for (const auto& t : truth) {
        std::istringstream f(t);
        std::string name, size, refs, deps, state, base;
        f >> name >> size >> refs >> deps >> state >> base;
        INFO("truth: " << t);
        REQUIRE(got.contains(name));
        CHECK(got[name].first == std::stoul(base, nullptr, 16));
        CHECK(got[name].second == std::stoul(size));
    }
    CHECK(got.size() == truth.size());
}

}  // namespace

TEST_CASE("mod is /proc/modules: vmcore.elf", "[kernels][mod]") { check_mod("vmcore.elf"); }
TEST_CASE("mod is /proc/modules: vmcore.zlib", "[kernels][mod]") { check_mod("vmcore.zlib"); }
TEST_CASE("bt of the panic task is whole: vmcore.elf", "[kernels][bt]") { check_bt("vmcore.elf"); }
TEST_CASE("bt of the panic task is whole: vmcore.zlib", "[kernels][bt]") { check_bt("vmcore.zlib"); }
TEST_CASE("sys RELEASE is uname -r: vmcore.elf", "[kernels][sys]") { check_release("vmcore.elf"); }
TEST_CASE("sys RELEASE is uname -r: vmcore.sid.zlib", "[kernels][sys]") { check_release("vmcore.sid.zlib"); }
TEST_CASE("ps is the live ps: vmcore.elf", "[kernels][ps]") { check_ps_truth("vmcore.elf"); }
TEST_CASE("ps is the live ps: vmcore.sid.zlib", "[kernels][ps]") { check_ps_truth("vmcore.sid.zlib"); }
TEST_CASE("ps lists every readable task: vmcore.zlib", "[kernels][ps]") { check_ps_degraded("vmcore.zlib"); }
TEST_CASE("bt of every task is drgn 0.3.0's: vmcore.elf", "[kernels][bt][drgn]") { check_bt_drgn("vmcore.elf"); }
TEST_CASE("bt of every task is drgn 0.3.0's: vmcore.sid.zlib", "[kernels][bt][drgn]") { check_bt_drgn("vmcore.sid.zlib"); }
TEST_CASE("log has the panic line: vmcore.elf", "[kernels][log]") { check_log("vmcore.elf"); }
TEST_CASE("log has the panic line: vmcore.zlib", "[kernels][log]") { check_log("vmcore.zlib"); }
TEST_CASE("bpf lists the guest's programs and maps: vmcore.elf", "[kernels][bpf]") { check_bpf("vmcore.elf"); }
TEST_CASE("bpf lists the guest's programs and maps: vmcore.sid.zlib", "[kernels][bpf]") { check_bpf("vmcore.sid.zlib"); }
