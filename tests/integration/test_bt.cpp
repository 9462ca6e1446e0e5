// SPDX-License-Identifier: GPL-3.0-or-later
// bt's frames are drgn's: for every task of every lab dump drgn can open (those with VMCOREINFO;
// drgn 0.0.22 cannot read QEMU's dump-guest-memory without it), the PCs of kdive's frames equal
// those of drgn's non-inline kernel frames (tests/integration/drgn_stacks.py), and the names too
// where drgn has a DWARF name (modulo .cold/.isra suffixes and ELF aliases such as
// __x64_sys_pause for __do_sys_pause); with `bt -I` drgn's inline frames too, in place. The
// workloads' traces hold what they are doing, on QEMU dumps as well.
#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "debuginfo/dwarf_sections.hpp"
#include "debuginfo/elf_file.hpp"
#include "session/dump_session.hpp"
#include "kdive/modules.hpp"
#include "kdive/tasks.hpp"
#include "kdive/unwind.hpp"
#include "kernel/unwind_cfi.hpp"
#include "kernel/unwind_orc.hpp"
#include "kernel/vmlinux_dwarf.hpp"
#include "bt_traces.hpp"
#include "lab.hpp"

namespace {

using lab::Frame;
using lab::Trace;
using lab::base_name;
using lab::parse_bt;
using lab::parse_drgn;
using lab::drgn_available;
using lab::describe;
using lab::same_function;
using lab::parse_drgn_frames;

std::vector<std::string> names(const Trace& t) {
    std::vector<std::string> n;
    for (const auto& f : t.frames) n.push_back(base_name(f.name));
    return n;
}

// `want` appear in this order as consecutive frames.
bool has_sequence(const Trace& t, const std::vector<std::string>& want) {
    const auto n = names(t);
    return std::search(n.begin(), n.end(), want.begin(), want.end()) != n.end();
}

int workload_pid(const std::string& scenario, const std::string& name) {
    for (const auto& line : lab::truth_lines(scenario, "workloads")) {
        std::istringstream in(line);
        std::string w, tid, n;
        in >> w >> tid >> n;
        if (n == name) return std::stoi(tid);
    }
    FAIL("no workload " << name << " in " << scenario);
    return -1;
}

// For every task of every dump drgn can open, kdive's `bt_command PID` frames against
// drgn_stacks.py's (with --inline: inline frames included).
void compare_with_drgn(const std::string& bt_command, bool inline_frames) {
    if (!drgn_available()) {
        WARN("SKIPPED: drgn is not importable by /usr/bin/python3: bt is not compared with drgn");
        return;
    }
    auto all = lab::dumps();
    all.push_back(lab::nmi_dump());
    for (const auto& dump : all) {
        if (!dump.has_vmcoreinfo()) continue;  // drgn 0.0.22 cannot open QEMU dumps
        DYNAMIC_SECTION(dump.name()) {
            int status = -1;
            const auto script = lab::fs::path(__FILE__).parent_path() / "drgn_stacks.py";
            const auto expected = parse_drgn(lab::run(
                fmt::format("/usr/bin/python3 {} {}{} {} 2>&1", script.string(), inline_frames ? "--inline " : "",
                            dump.path.string(), lab::vmlinux().string()),
                &status));
            REQUIRE(status == 0);
            REQUIRE(expected.size() > 50);
            std::string cmds;
            for (const auto& [pid, frames] : expected) cmds += fmt::format("{} {}\n", bt_command, pid);
            const std::string out = lab::kdive_batch(cmds, dump.path, &status);
            CHECK(status == 0);
            const auto [equal, inlines] = lab::compare_traces(expected, out, dump.name());
            if (inline_frames) CHECK(inlines > 0);  // the comparison covers some
            WARN(fmt::format("{}: {} tasks' traces compared with drgn's{}", dump.name(), equal,
                             inline_frames ? fmt::format(" ({} inline frames)", inlines) : ""));
        }
    }
}

}  // namespace

TEST_CASE("bt shows drgn's frames for every task", "[lab][bt][drgn]") { compare_with_drgn("bt", false); }

TEST_CASE("bt -I shows drgn's inline frames too", "[lab][bt][drgn]") { compare_with_drgn("bt -I", true); }

TEST_CASE("bt of the panic task, the pipe reader and the CPU burner", "[lab][bt]") {
    for (const auto& dump : lab::dumps()) {
        DYNAMIC_SECTION(dump.name()) {
            const int panic = std::stoi(lab::truth(dump.scenario, "panic_pid"));
            const int reader = workload_pid(dump.scenario, "kd_piperd");
            const int burner = workload_pid(dump.scenario, "kd_burner");
            int status = -1;
            const std::string out = lab::kdive_batch(
                fmt::format("bt\nbt {}\nbt -a\nbt {} 1 2\n", reader, panic), dump.path, &status);
            CHECK(status == 0);
            INFO(out);
            // Several blocks per pid: the last one parsed wins; check each command's own part.
            const auto first = parse_bt(out.substr(0, out.find(fmt::format("PID: {:<7}", reader))));
            REQUIRE(first.count(panic));
            const Trace& p = first.at(panic);
            CHECK(has_sequence(p, {"panic", "sysrq_handle_crash", "__handle_sysrq", "write_sysrq_trigger",
                                   "proc_reg_write", "vfs_write", "ksys_write", "do_syscall_64",
                                   "entry_SYSCALL_64_after_hwframe"}));
            CHECK(p.text.find("ORIG_RAX: 0000000000000001") != std::string::npos);  // write(2)

            const auto all = parse_bt(out);
            REQUIRE(all.count(reader));
            CHECK(has_sequence(all.at(reader), {"__schedule", "schedule", "pipe_read"}));
            CHECK(has_sequence(all.at(reader), {"ksys_read", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"}));
            // bt -a: the burner runs on the CPU the panic task does not.
            REQUIRE(all.count(burner));
            CHECK(all.at(burner).comm == "kd_burner");
            CHECK(all.at(burner).cpu != all.at(panic).cpu);
            CHECK(all.at(burner).text.find("CS: 0033") != std::string::npos);  // it was in user space
            for (int kthread : {2}) {
                REQUIRE(all.count(kthread));
                CHECK(names(all.at(kthread)).back() == "ret_from_fork");
            }
            CHECK(out.find("the trace stops here") == std::string::npos);
        }
    }
}

TEST_CASE("bt -l and JSON show the inline frames", "[lab][bt]") {
    const auto dump = lab::dumps().front();
    const int reader = workload_pid(dump.scenario, "kd_piperd");
    int status = -1;
    const std::string out =
        lab::kdive_batch(fmt::format("bt -l {0}\nset output json\nbt {0}\n", reader), dump.path, &status);
    CHECK(status == 0);
    INFO(out);
    // The sleeping reader is in __schedule's inlined context_switch: its line, then the call's.
    static const std::regex inl(
        R"( #0 \[([0-9a-f]+)\] context_switch at ([0-9a-f]+) \(inline\)\n    \S+/kernel/sched/core\.c: (\d+)\n)"
        R"( #1 \[([0-9a-f]+)\] __schedule at ([0-9a-f]+)\n    \S+/kernel/sched/core\.c: (\d+)\n)");
    std::smatch m;
    REQUIRE(std::regex_search(out, m, inl));
    CHECK(m[1] == m[4]);  // the same stack slot and pc
    CHECK(m[2] == m[5]);
    CHECK(m[3] != m[6]);
    CHECK(out.find(R"("function":"__schedule")") != std::string::npos);
    CHECK(out.find(R"("inlined":[{"function":"context_switch","call_file":")") != std::string::npos);
}

TEST_CASE("bt rejects bad tasks with one line", "[lab][bt]") {
    const auto dump = lab::dumps().front();
    for (const char* bad : {"bt 999999", "bt ffffffff81000000", "bt zz", "bt -c 7"}) {
        INFO(bad);
        int status = -1;
        const std::string out = lab::kdive_batch(std::string(bad) + "\n", dump.path, &status);
        CHECK(std::count(out.begin(), out.end(), '\n') == 1);
        CHECK(out.find("bt:") != std::string::npos);
    }
    int status = -1;
    const std::string out = lab::kdive_batch("bt -f\nbt -F\nbt -s\nbt -r\n", dump.path, &status);
    CHECK(status == 0);
    CHECK(out.find("panic+") != std::string::npos);  // -s offsets, -F symbolic words
    CHECK(out.find("error") == std::string::npos);
}

TEST_CASE("the unwinder ends on garbage registers and corrupt stacks", "[lab][bt][unwind]") {
    const auto dump = lab::dumps().front();
    auto s = kdive::DumpSession::open(lab::vmlinux(), dump.path);
    REQUIRE(s);
    kdive::Session& session = **s;
    auto list = kdive::tasks(session);
    REQUIRE(list);
    const kdive::Task* task = (*list)->by_pid(1);
    REQUIRE(task);
    auto text = session.symbol_address("_stext");
    REQUIRE(text);

    // Nowhere near a stack: no frames past the first, a note.
    kdive::X86Registers regs;
    regs.rip = 0xffffffffdeadbeef;
    regs.rsp = 0x1234;
    regs.cs = 0x10;
    auto bt = kdive::unwind_from_registers(session, *task, regs);
    REQUIRE(bt);
    CHECK(bt->frames.empty());
    CHECK_FALSE(bt->note.empty());

    // Kernel text addresses at every point of the task's stack: whatever the words there say,
    // the trace ends, within the frame limit, and every frame is further up the stack.
    std::uint64_t seed = 12345;
    auto next = [&] { return seed = seed * 6364136223846793005ULL + 1442695040888963407ULL; };
    for (int i = 0; i < 400; ++i) {
        regs.rip = *text + next() % 0x800000;
        regs.rsp = task->stack + (next() % 2048) * 8;
        regs.rbp = task->stack + (next() % 2048) * 8;
        auto r = kdive::unwind_from_registers(session, *task, regs);
        REQUIRE(r);
        CHECK(r->frames.size() <= kdive::kMaxFrames);
        for (std::size_t f = 1; f < r->frames.size(); ++f)
            if (r->frames[f].stack == r->frames[f - 1].stack) CHECK(r->frames[f].sp > r->frames[f - 1].sp);
    }
}

TEST_CASE("bt unwinds every task to the bottom of its stack", "[lab][bt]") {
    // Also on the QEMU dumps drgn cannot open: each trace ends where kernel stacks end (a
    // kernel thread's ret_from_fork, a system call's or interrupt's entry from user space).
    const std::set<std::string> bottoms = {"ret_from_fork", "entry_SYSCALL_64_after_hwframe",
                                           "secondary_startup_64_no_verify"};
    for (const auto& dump : lab::dumps()) {
        DYNAMIC_SECTION(dump.name()) {
            std::string cmds;
            for (const auto& line : lab::truth_lines(dump.scenario, "ps")) {
                if (line.starts_with("#")) continue;
                cmds += "bt " + line.substr(0, line.find_first_of(" \t")) + "\n";
            }
            const std::string out = lab::kdive_batch(cmds, dump.path);
            const auto traces = parse_bt(out);
            CHECK(traces.size() > 50);
            for (const auto& [pid, t] : traces) {
                INFO(dump.name() << " pid " << pid << ":\n" << t.text);
                CHECK(t.text.find("the trace stops here") == std::string::npos);
                if (t.frames.empty()) {
                    CHECK(t.text.find("CS: 0033") != std::string::npos);  // stopped in user space
                    continue;
                }
                const std::string last = t.frames.back().name;
                CHECK((bottoms.count(last) || last.starts_with("asm_")));
            }
        }
    }
}

TEST_CASE("a session maps the vmlinux once: debug info, ORC, CFI and line tables share it",
          "[lab][bt][unwind]") {
    const auto dump = lab::dumps().front();
    const unsigned opens = kdive::ElfFile::opens();
    const unsigned collections = kdive::DwarfSections::collections();
    // Dump first: the session tells the vmlinux by opening it, and keeps that handle.
    auto s = kdive::DumpSession::open(dump.path, lab::vmlinux());
    REQUIRE(s);
    kdive::Session& session = **s;
    auto tasks = kdive::tasks(session);
    REQUIRE(tasks);
    const kdive::Task* panic = (*tasks)->panic_task();
    REQUIRE(panic);
    // What bt -a -l -I reads: every task's frames, their lines and inline calls.
    for (const auto& t : (*tasks)->all()) {
        auto bt = kdive::unwind_task(session, t);
        if (&t != panic) continue;
        REQUIRE(bt);
        REQUIRE_FALSE(bt->frames.empty());
        kdive::find_inlined_calls(session, *bt);
        CHECK(kdive::source_line(session, bt->frames.front().pc).has_value());
    }
    REQUIRE(kdive::cfi::vmlinux_table(session));
    auto orc = kdive::orc::vmlinux_table(session, kdive::orc::layout_for(kdive::orc::Format::V1));
    REQUIRE(orc);
    CHECK_FALSE(orc->empty());
    auto vd = kdive::vmlinux_dwarf(session);
    REQUIRE(vd);
    CHECK((*vd)->secs == *session.vmlinux_sections());
    // Two opens: the dump, to tell it from the vmlinux (libkdumpfile reads it), and the vmlinux,
    // kept for everything else (it was six: three at start, ORC, CFI, the line tables).
    CHECK(kdive::ElfFile::opens() - opens == 2);
    CHECK(kdive::DwarfSections::collections() - collections == 1);
}

TEST_CASE("module code: ORC tables and names from the dump", "[lab][bt][unwind]") {
    const auto dump = lab::dumps().front();
    auto s = kdive::DumpSession::open(lab::vmlinux(), dump.path);
    REQUIRE(s);
    kdive::Session& session = **s;
    auto mods = kdive::loaded_modules(session);
    REQUIRE(mods);
    REQUIRE_FALSE(mods->empty());
    // The entry layout comes from the debug info's struct orc_entry: the lab's 6.1 kernel has
    // the first format (type:2, end:1), as its release says.
    auto di = session.debuginfo();
    REQUIRE(di);
    auto orc_type = (*di)->find_type("struct orc_entry");
    REQUIRE(orc_type);
    auto layout = kdive::orc::layout_from_type((*di)->complete(*orc_type));
    REQUIRE(layout);
    CHECK(layout->format == kdive::orc::Format::V1);
    CHECK(layout->size == 6);
    CHECK(layout->end.offset == 42);
    std::size_t with_orc = 0;
    for (const auto& m : *mods) {
        INFO(m.name);
        auto table = kdive::orc::module_table(session, m.module, *layout);
        REQUIRE(table);
        if (table->empty()) continue;
        ++with_orc;
        // The table covers the module's text, and its freed .init.text too: that was allocated
        // apart, below or above the text (libcrc32c's lay below it in one lab run), so only
        // the start of the table is known to come before the module's end.
        CHECK(table->first() < m.base + m.size);
        auto syms = kdive::module_symbols(session, m);
        REQUIRE(syms);
        for (const auto& sym : *syms) {
            if (sym.letter != 't' && sym.letter != 'T') continue;
            auto named = kdive::symbolize_code(session, sym.address + 1);
            REQUIRE(named);
            CHECK(named->module == m.name);
            CHECK(named->offset == 1);
            CHECK(table->find(sym.address + 1).has_value());
            break;
        }
    }
    CHECK(with_orc > 5);
}

TEST_CASE("bt, bt -f and bt -s of the idle tasks print what crash prints", "[lab][bt][crash]") {
    // crash 8.0.2 gets the idle tasks right (it cannot find the others in this kernel's PID
    // hash, and its stack search adds stale frames under the panic task).
    if (!lab::crash_available()) return;
    int status = -1;
    const auto dump = lab::dir() / "kdump-l5" / "vmcore.zlib";
    auto s = kdive::DumpSession::open(lab::vmlinux(), dump);
    REQUIRE(s);
    auto list = kdive::tasks(**s);
    REQUIRE(list);
    std::string cmds;
    for (const auto& t : (*list)->all())
        if (t.idle) cmds += fmt::format("bt {0:x}\nbt -f {0:x}\nbt -s {0:x}\n", t.address);
    REQUIRE(!cmds.empty());
    const lab::TempFile batch(cmds + "q\n");
    std::string expected = lab::run("crash -s -i " + batch.path() + " " + lab::vmlinux().string() + " " +
                                    dump.string() + " < /dev/null 2> /dev/null");
    // crash's warnings about its PID hash come first; blank lines separate its outputs.
    expected = expected.substr(std::min(expected.find("PID:"), expected.size()));
    auto strip_blank = [](const std::string& text) {
        std::string out;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) out += line + "\n";
        return out;
    };
    const std::string got = lab::kdive_batch(cmds, dump, &status);
    CHECK(status == 0);
    CHECK(strip_blank(got) == strip_blank(expected));
}

TEST_CASE("bt starts each CPU's trace where it stopped for the crash, as crash does", "[lab][bt][crash]") {
    // kdump saves the panic CPU's registers in __crash_kexec, which then calls machine_kexec;
    // the other CPU's as the crash NMI found it, whose handler then ran down to
    // crash_nmi_callback. crash finds those frames on the stack; kdive prints the same ones,
    // slot for slot, above the frames that start from the saved registers.
    if (!lab::crash_available()) return;
    for (const char* scenario : {"kdump-l5", "kdump-l4"}) {
        DYNAMIC_SECTION(scenario) {
            const auto dump = lab::dir() / scenario / "vmcore.zlib";
            int status = -1;
            const std::string json = lab::kdive_batch("set output json\nbt -a\n", dump, &status);
            CHECK(status == 0);
            const std::string crash = lab::crash_run(dump, {"bt -a"}).at(0);
            INFO("kdive:\n" << json << "\ncrash:\n" << crash);
            static const std::regex task_re(R"(\{"pid":(\d+),)");
            static const std::regex frame_re(
                R"re("pc":"0x([0-9a-f]+)","sp":"[^"]*","slot":"0x([0-9a-f]+)","function":"([^"]*)"[^{}]*?"after_saved_registers":(true|false))re");
            const auto crash_traces = parse_bt(crash);
            std::size_t tasks = 0;
            for (std::sregex_iterator t(json.begin(), json.end(), task_re), end; t != end; ++t) {
                const int pid = std::stoi((*t)[1]);
                auto next = std::next(t);
                const auto from = json.begin() + t->position(), to = next == end ? json.end() : json.begin() + next->position();
                std::vector<std::array<std::string, 3>> path;  // slot, function, pc
                for (std::sregex_iterator f(from, to, frame_re); f != end && (*f)[4] == "true"; ++f)
                    path.push_back({(*f)[2], (*f)[3], (*f)[1]});
                INFO("pid " << pid);
                CHECK(!path.empty());
                auto c = crash_traces.find(pid);
                REQUIRE(c != crash_traces.end());
                REQUIRE(c->second.frames.size() >= path.size());
                const std::string& text = c->second.text;
                for (std::size_t i = 0; i < path.size(); ++i)
                    CHECK_THAT(text, Catch::Contains(fmt::format("#{} [{}] {} at {}", i, path[i][0], path[i][1], path[i][2])));
                ++tasks;
            }
            CHECK(tasks == 2);  // both CPUs' tasks
        }
    }
}

TEST_CASE("bt crosses the NMI exception stack as crash does, with drgn's frames", "[lab][bt][nmi]") {
    // nmi-l4: both CPUs idle when the host injected an NMI with unknown_nmi_panic set; the CPU
    // that took it first panicked on its NMI (IST) stack. The trace runs from __crash_kexec up
    // through the NMI handler, prints the interrupted registers, and goes on on the idle stack.
    const auto dump = lab::nmi_dump();
    int status = -1;
    const std::string out = lab::kdive_batch("bt\nbt -a\nsys\n", dump.path, &status);
    CHECK(status == 0);
    INFO(out);
    CHECK_THAT(out, Catch::Contains("PANIC: \"Kernel panic - not syncing: NMI: Not continuing\""));
    const std::string bt = out.substr(0, out.find("\nPID:", 1));  // the panic task's block
    const auto traces = parse_bt(bt);
    REQUIRE(traces.size() == 1);
    const Trace& t = traces.begin()->second;
    CHECK(t.comm.starts_with("swapper/"));
    CHECK(has_sequence(t, {"__crash_kexec", "panic", "nmi_panic", "unknown_nmi_error", "exc_nmi"}));
    // Frames on the NMI stack (the CPU entry area), then the marker and the registers the NMI
    // interrupted, then frames on the idle task's stack.
    const auto marker = bt.find("--- <NMI exception stack> ---\n");
    REQUIRE(marker != std::string::npos);
    const auto rip = bt.find("    [exception RIP: ");
    REQUIRE(rip != std::string::npos);
    CHECK(rip < marker);
    CHECK_THAT(bt.substr(rip, marker - rip), Catch::Contains("ORIG_RAX: ffffffffffffffff  CS: 0010  SS: 0018"));
    std::smatch m;
    const std::string after = bt.substr(marker);
    REQUIRE(std::regex_search(after, m, std::regex(R"( #\d+ \[([0-9a-f]+)\] (\S+) at )")));
    CHECK(m[1].str().starts_with("ffffffff"));  // the idle task's stack in the kernel image
    CHECK_THAT(bt.substr(0, marker), Catch::Matches(R"((.|\n)*#0 \[fffffe[0-9a-f]+\] (.|\n)*)"));
    CHECK(has_sequence(t, {"default_idle_call", "do_idle", "cpu_startup_entry"}));
    // bt -a: the other CPU was idle too (kdump saved the registers its NMI interrupted): bt's
    // block and bt -a's two are all idle tasks.
    // Its trace starts with what the crash NMI ran there, down to crash_nmi_callback.
    CHECK(std::regex_search(out, std::regex(R"(PID: 0 +TASK: [0-9a-f]+ +CPU: (0|1) +COMMAND: "swapper/(0|1)\"\n #0 \[[0-9a-f]+\] crash_nmi_callback at [^]*--- <NMI exception stack> ---\n #\d \[[0-9a-f]+\] native_safe_halt at )")));
    std::size_t idle_blocks = 0;
    for (auto at = out.find("COMMAND: \"swapper/"); at != std::string::npos; at = out.find("COMMAND: \"swapper/", at + 1))
        ++idle_blocks;
    CHECK(idle_blocks == 3);

    // drgn: the same frames (crashed_thread(): idle tasks are not in for_each_task).
    if (drgn_available()) {
        const auto script = lab::fs::path(__FILE__).parent_path() / "drgn_stacks.py";
        const std::string line = lab::run(fmt::format("/usr/bin/python3 {} --crashed {} {} 2>&1", script.string(),
                                                      dump.path.string(), lab::vmlinux().string()),
                                          &status);
        REQUIRE(status == 0);
        const auto want = parse_drgn_frames(line.substr(line.find('\t') + 1));
        INFO("drgn's frames:\n" << describe(want));
        // kdive's first frame is machine_kexec, which __crash_kexec called after saving them.
        REQUIRE(want.size() + 1 == t.frames.size());
        CHECK(t.frames[0].name == "machine_kexec");
        for (std::size_t i = 0; i < want.size(); ++i) {
            CHECK(t.frames[i + 1].pc == want[i].pc);
            CHECK(same_function(t.frames[i + 1].name, want[i].name));
        }
    } else {
        WARN("SKIPPED: drgn is not importable by /usr/bin/python3: the NMI trace is not compared with drgn");
    }

    // crash: the exception frame and everything below it byte-equal. Above it crash differs on
    // purpose: it starts at machine_kexec (found by searching the stack; the saved registers
    // are __crash_kexec's) and skips nmi_panic, whose return address drgn and kdive both find.
    if (!lab::crash_available()) return;
    const auto crash = lab::crash_run(dump.path, {"bt"});
    REQUIRE(crash.size() == 1);
    const auto crash_rip = crash[0].find("    [exception RIP: ");
    REQUIRE(crash_rip != std::string::npos);
    // Frame numbers aside: crash's count lacks nmi_panic above the exception frame.
    const auto trimmed = [](std::string text) {
        text.erase(text.find_last_not_of('\n') + 1);
        return std::regex_replace(text, std::regex(R"((^|\n) *#\d+ )"), "$1");
    };
    CHECK(trimmed(crash[0].substr(crash_rip)) == trimmed(bt.substr(rip)));
    CHECK_THAT(crash[0], Catch::Contains(" unknown_nmi_error.cold at ") && Catch::Contains(" exc_nmi at "));
}
