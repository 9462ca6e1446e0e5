// SPDX-License-Identifier: GPL-3.0-or-later
// ps, task, foreach, set and sys against what the live guest's own ps and /proc said before it
// crashed, on every dump of every scenario.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "lab.hpp"
#include "ps_table.hpp"

namespace {

using Row = lab::PsRow;
using lab::crash_state;
using lab::parse_ps;

}  // namespace

TEST_CASE("ps lists every task the guest's ps saw, with its parent, state and command", "[lab][ps]") {
    for (const auto& dump : lab::dumps()) {
        SECTION(dump.name()) {
            const auto truth = lab::truth_lines(dump.scenario, "ps");
            REQUIRE(truth.size() > 10);
            const int self = std::stoi(truth[0].substr(truth[0].find('\t') + 1));  // "#self\tPID"
            int status = 0;
            const auto out = lab::kdive_batch("ps\n", dump.path, &status);
            REQUIRE(status == 0);
            const auto rows = parse_ps(out);
            std::map<int, Row> by_pid;
            for (const auto& r : rows)
                if (r.pid) by_pid[r.pid] = r;

            std::size_t compared = 0;
            for (std::size_t i = 1; i < truth.size(); ++i) {
                const lab::PsTruth t = lab::parse_truth_ps(truth[i]);
                const std::string tid = std::to_string(t.tid), ppid = std::to_string(t.ppid);
                const std::string& state = t.state;
                const std::string& comm = t.comm;
                if (std::stoi(tid) == self) continue;  // the ps process itself, gone by the crash
                INFO(dump.name() << ": truth " << truth[i]);
                auto it = by_pid.find(std::stoi(tid));
                REQUIRE(it != by_pid.end());
                CHECK(it->second.ppid == std::stoi(ppid));
                // /proc names kernel threads more fully than task->comm: a workqueue worker
                // adds its current workqueue ("kworker/0:0-events"), a kthread whose name was cut
                // to 15 characters shows it whole. ps shows comm, as crash does.
                const std::string& c = it->second.comm;
                CHECK((comm == c || comm.starts_with(c + "-") || (c.size() == 15 && comm.starts_with(c))));
                // The lab's burner runs until the crash. Sleepers stay asleep in their state (a
                // sleeper may have been woken: RU); a kernel thread ps caught running (rcu_preempt
                // in one lab run) may have gone back to sleep by the crash.
                const std::string& st = it->second.state;
                if (state != "R") CHECK((st == crash_state(state) || st == "RU"));
                else if (comm == "kd_burner") CHECK(st == "RU");
                else CHECK((st == "RU" || st == "IN" || st == "ID" || st == "UN"));
                ++compared;
            }
            CHECK(compared + 1 == truth.size() - 1);
            // Tasks kdive lists that the guest's ps did not: only ones started after it (the
            // shell that triggered the crash) and each CPU's idle task.
            std::set<int> truth_pids;
            for (std::size_t i = 1; i < truth.size(); ++i) truth_pids.insert(std::stoi(truth[i].substr(0, truth[i].find('\t'))));
            for (const auto& r : rows) {
                if (r.pid == 0 || truth_pids.contains(r.pid)) continue;
                INFO(dump.name() << ": extra task " << r.pid << " " << r.comm);
                CHECK(r.pid > self);
            }
            // One idle task per CPU; the panic task and the burner each marked active.
            const std::string online = lab::truth(dump.scenario, "cpus");  // "0-1"
            const auto dash = online.find('-');
            const int cpus = dash == std::string::npos ? 1 : std::stoi(online.substr(dash + 1)) + 1;
            CHECK(std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.pid == 0; }) == cpus);
            const int panic_pid = std::stoi(lab::truth(dump.scenario, "panic_pid"));
            REQUIRE(by_pid.contains(panic_pid));
            CHECK(by_pid[panic_pid].active);
            CHECK(by_pid[panic_pid].state == "RU");
            int burner = 0;
            for (const auto& w : lab::truth_lines(dump.scenario, "workloads"))
                if (w.ends_with("\tkd_burner")) burner = std::stoi(w.substr(w.find('\t') + 1));
            REQUIRE(by_pid.contains(burner));
            CHECK(by_pid[burner].active);
            CHECK(by_pid[burner].cpu != by_pid[panic_pid].cpu);
        }
    }
}

TEST_CASE("ps options, task, foreach and set on the lab's process tree", "[lab][ps]") {
    const auto dump = lab::dir() / "kdump-l5" / "vmcore.lzo";
    std::map<std::string, std::vector<int>> pids;  // workload name -> tids
    for (const auto& w : lab::truth_lines("kdump-l5", "workloads")) {
        std::istringstream f(w);
        std::string tag, tid, name;
        std::getline(f, tag, '\t');
        std::getline(f, tid, '\t');
        std::getline(f, name);
        pids[name].push_back(std::stoi(tid));
    }
    const int leaf = pids["kd_leaf"].at(0), tree = pids["kd_tree"].at(0), piperd = pids["kd_piperd"].at(0);
    const int panic_pid = std::stoi(lab::truth("kdump-l5", "panic_pid"));

    // -p: swapper/0 -> init -> kd_tree -> kd_leaf; -c: kd_tree's two leaves.
    auto chain = lab::kdive_batch(fmt::format("ps -p {}\n", leaf), dump);
    CHECK(chain.find("PID: 0        TASK:") == 0);
    CHECK(chain.find(" PID: 1        TASK:") != std::string::npos);
    CHECK(chain.find(fmt::format("  PID: {:<8} TASK:", tree)) != std::string::npos);
    CHECK(chain.find(fmt::format("   PID: {:<8} TASK:", leaf)) != std::string::npos);
    auto kids = lab::kdive_batch(fmt::format("ps -c {}\n", tree), dump);
    for (int l : pids["kd_leaf"]) CHECK(kids.find(fmt::format("  PID: {:<8} TASK:", l)) != std::string::npos);

    // Selection by command name and regex; -k/-u split kernel threads from user tasks.
    auto by_name = parse_ps(lab::kdive_batch("ps kd_sleeper\n", dump));
    CHECK(by_name.size() == pids["kd_sleeper"].size());
    auto by_regex = parse_ps(lab::kdive_batch("ps 'kd_thr.*'\n", dump));
    CHECK(by_regex.size() == 3);  // kd_threads and its threads kd_thr1, kd_thr2
    auto all = parse_ps(lab::kdive_batch("ps\n", dump));
    auto kernel = parse_ps(lab::kdive_batch("ps -k\n", dump));
    auto user = parse_ps(lab::kdive_batch("ps -u\n", dump));
    CHECK(kernel.size() + user.size() == all.size());
    CHECK(std::all_of(user.begin(), user.end(), [](const Row& r) { return r.pid >= 1; }));
    auto leaders = parse_ps(lab::kdive_batch("ps -G\n", dump));
    CHECK(leaders.size() + 2 == all.size());  // kd_thr1 and kd_thr2 are threads

    // -S: the counts add up to the whole list.
    auto summary = lab::kdive_batch("ps -S\n", dump);
    std::istringstream s(summary);
    std::string st;
    int n = 0, total = 0;
    while (s >> st >> n) total += n;
    CHECK(total == static_cast<int>(all.size()));

    // -a: argv and environment from the process's own memory; the compressed dumps left user
    // pages out (makedumpfile -d 31), the /proc/vmcore copy has them.
    auto args = lab::kdive_batch(fmt::format("ps -a {}\n", piperd), lab::dir() / "kdump-l5" / "vmcore.elf");
    CHECK(args.find("ARG: /lab/labload") != std::string::npos);
    CHECK(args.find("PATH=") != std::string::npos);
    // rd -u reads the context task's user memory: argv[0] where mm->arg_start points.
    const auto elf = lab::dir() / "kdump-l5" / "vmcore.elf";
    auto mm = lab::kdive_batch(fmt::format("task -R mm {}\n", piperd), elf);
    const auto mm_at = mm.find("mm = 0x");
    REQUIRE(mm_at != std::string::npos);
    auto start = lab::kdive_batch(fmt::format("struct mm_struct.arg_start {}\n", mm.substr(mm_at + 5, 18)), elf);
    const auto eq = start.find("arg_start = ");
    REQUIRE(eq != std::string::npos);
    const std::uint64_t arg_start = std::stoull(start.substr(eq + 12));
    auto rd = lab::kdive_batch(fmt::format("set {}\nrd -u -a {:x}\n", piperd, arg_start), elf);
    CHECK(rd.find(fmt::format("{:x}:  /lab/labload", arg_start)) != std::string::npos);
    auto excluded = lab::kdive_batch(fmt::format("ps -a {}\n", piperd), dump);
    CHECK(excluded.find("ARG: (0x") != std::string::npos);
    CHECK(excluded.find("user page not in the dump") != std::string::npos);

    // task, set and foreach agree on who is who.
    auto task = lab::kdive_batch("task -R pid,comm\n", dump);
    CHECK(task.find(fmt::format("PID: {:<8} TASK:", panic_pid)) == 0);
    CHECK(task.find(fmt::format("  pid = {}", panic_pid)) != std::string::npos);
    auto set = lab::kdive_batch(fmt::format("set {}\ntask -R pid\n", piperd), dump);
    CHECK(set.find(fmt::format("  pid = {}", piperd)) != std::string::npos);
    auto each = lab::kdive_batch("foreach kd_leaf task -R tgid\n", dump);
    for (int l : pids["kd_leaf"]) CHECK(each.find(fmt::format("  tgid = {}", l)) != std::string::npos);

    // Bad selections are one-line errors, and the shell goes on.
    int status = 0;
    auto bad = lab::kdive_batch("ps 99999\nps no_such_command\nforeach nosuch bt\nset 99999\nset -c x\n"
                                "ps -y 99999999999999999999\nps 1\n", dump, &status);
    CHECK(bad.find("set: option '-c' needs a number, not 'x'") != std::string::npos);
    CHECK(bad.find("ps: 99999999999999999999: unknown scheduling policy") != std::string::npos);
    CHECK(bad.find("ps: 99999: no such pid") != std::string::npos);
    CHECK(bad.find("no_such_command: invalid task, pid or command name") != std::string::npos);
    CHECK(bad.find("  [kthreadd]") == std::string::npos);
    CHECK(bad.find("init") != std::string::npos);
}

TEST_CASE("sys shows crash's header, with the panic message and every task", "[lab][ps][sys]") {
    for (const auto& dump : lab::dumps()) {
        SECTION(dump.name()) {
            const auto out = lab::kdive_batch("sys\nps\n", dump.path);
            INFO(out.substr(0, 1200));
            CHECK(out.find("PANIC: \"Kernel panic - not syncing: sysrq triggered crash\"") != std::string::npos);
            // The guest crashes minutes after boot (longer under a loaded host's TCG).
            CHECK(out.find("UPTIME: 00:") != std::string::npos);
            CHECK(out.find("LOAD AVERAGE: ") != std::string::npos);
            CHECK(out.find("MEMORY: 1 GB") != std::string::npos);
            CHECK(out.find(" UTC 20") != std::string::npos);
            const auto tasks_at = out.find("TASKS: ");
            REQUIRE(tasks_at != std::string::npos);
            const int tasks = std::stoi(out.substr(tasks_at + 7));
            CHECK(tasks == static_cast<int>(parse_ps(out.substr(out.find("      PID    PPID"))).size()));
        }
    }
}
