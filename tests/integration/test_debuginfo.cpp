// SPDX-License-Identifier: GPL-3.0-or-later
// The type engine and expressions on the lab's Debian vmlinux and dumps. Expected values come
// from pahole (BTF, an independent reader), System.map, and the live guest's ground truth.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "debuginfo/kernel_debuginfo.hpp"
#include "repl/name_completers.hpp"
#include "lab.hpp"
#include "support/pahole.hpp"

using namespace kdive;

namespace {


KernelDebugInfo& vmlinux_debuginfo() {
    static std::unique_ptr<ElfFile> elf;
    static std::unique_ptr<KernelDebugInfo> di;
    if (!di) {
        auto e = ElfFile::open(lab::vmlinux());
        REQUIRE(e);
        REQUIRE((*e)->load_symbols());
        elf = std::move(*e);
        auto d = KernelDebugInfo::open(*elf, 0, default_cache_dir());
        if (!d) FAIL(d.error().message());
        di = std::move(*d);
    }
    return *di;
}


}  // namespace

TEST_CASE("kernel struct layouts equal pahole's", "[lab][types]") {
    if (lab::run("command -v pahole").empty()) FAIL("pahole (dwarves) is not installed");
    for (const char* name : {"bpf_prog", "bpf_prog_aux", "bpf_map", "task_struct", "module",
                             "list_head", "uts_namespace", "rq"}) {
        INFO(name);
        auto t = vmlinux_debuginfo().find_type(std::string("struct ") + name);
        REQUIRE(t);
        test_support::check_layout(*t, test_support::pahole_layout(lab::vmlinux(), name));
    }
}

TEST_CASE("sym agrees with System.map moved by the KASLR slide", "[lab][symbols]") {
    const auto d = lab::dir() / "kdump-l5" / "vmcore.zlib";
    std::ifstream map(lab::dir() / "System.map");
    std::map<std::string, std::pair<std::uint64_t, char>> want;
    for (std::string addr, letter, name; map >> addr >> letter >> name;)
        if (name == "schedule" || name == "init_task" || name == "jiffies_64" || name == "sysrq_handle_crash")
            want[name] = {std::stoull(addr, nullptr, 16), letter[0]};
    REQUIRE(want.size() == 4);
    const std::uint64_t slide = std::stoull(lab::truth("kdump-l5", "text_addr"), nullptr, 16) -
                                vmlinux_debuginfo().symbol_entry("_text")->address;
    const std::string out = lab::kdive_batch("sym schedule\nsym init_task\nsym jiffies_64\nsym sysrq_handle_crash\n", d);
    INFO(out);
    for (const auto& [name, v] : want)
        CHECK_THAT(out, Catch::Contains(fmt::format("{:016x} ({}) {}\n", v.first + slide, v.second, name)));
    // An address inside a function: symbol+offset.
    const std::string inside = lab::kdive_batch(fmt::format("sym {:x}\n", want["schedule"].first + slide + 4), d);
    CHECK_THAT(inside, Catch::Contains(fmt::format("{:016x} (T) schedule+4", want["schedule"].first + slide + 4)));
}

TEST_CASE("p reads the dumped kernel's variables", "[lab][expressions]") {
    std::map<std::string, std::string> jiffies_by_format;
    for (const auto& d : lab::dumps()) {
        if (!d.has_vmcoreinfo()) continue;
        INFO(d.name());
        const std::string out = lab::kdive_batch(
            "p init_uts_ns.name.release\n"
            "p init_uts_ns.name.nodename\n"
            "p jiffies\n"
            "struct task_struct.comm,pid init_task\n"
            "p sizeof(struct task_struct) == sizeof(init_task)\n"
            "p &((struct task_struct *)0)->tasks == (struct list_head *)&init_task.tasks - (long)&init_task\n"
            "whatis init_task\n"
            "ptype pid_t\n",
            d.path);
        INFO(out);
        // char[65]: gdb prints the array to its end, all its NULs but the last.
        auto chars65 = [](const std::string& s) {
            std::string out = s;
            for (std::size_t i = s.size() + 1; i < 65; ++i) out += "\\000";
            return out;
        };
        CHECK_THAT(out, Catch::Contains("$1 = \"" + chars65(lab::truth(d.scenario, "uname")) + "\"\n"));
        CHECK_THAT(out, Catch::Contains("$2 = \"" + chars65(lab::truth(d.scenario, "hostname")) + "\"\n"));
        std::smatch m;
        REQUIRE(std::regex_search(out, m, std::regex(R"(jiffies = \$3 = (\d+))")));
        jiffies_by_format[d.scenario] += m[1].str() + " ";
        CHECK_THAT(out, Catch::Contains("  comm = \"swapper/0\\000\\000\\000\\000\\000\\000\",\n  pid = 0,\n"));
        CHECK_THAT(out, Catch::Contains("$4 = 1\n"));
        CHECK_THAT(out, Catch::Contains("struct task_struct init_task;\n"));
        CHECK_THAT(out, Catch::Contains("type = int\n"));
    }
    // zlib, lzo and ELF dumps of one crash hold one jiffies value.
    for (const auto& [scenario, values] : jiffies_by_format) {
        INFO(scenario << ": " << values);
        std::istringstream in(values);
        std::set<std::string> distinct{std::istream_iterator<std::string>(in),
                                       std::istream_iterator<std::string>()};
        CHECK(distinct.size() == 1);
    }
}

TEST_CASE("p through a pointer to a struct declared only in its unit reads the definition", "[lab][expressions]") {
    // init_task.sched_class is `const struct sched_class *` in a unit that only declares the
    // struct: the target's size is the definition's (reading it as size 0 printed zeros).
    const auto d = lab::dumps().front();
    const std::string out = lab::kdive_batch(
        "p *init_task.sched_class\n"
        "p idle_sched_class\n"
        "p (long)(init_task.sched_class + 1) - (long)init_task.sched_class\n"
        "p sizeof(struct sched_class)\n"
        "p init_task.sched_class[0].dequeue_task\n"
        "mod\n",
        d.path);
    INFO(out);
    const auto body = [&](const std::string& var) {
        const auto at = out.find(var + " = {");
        REQUIRE(at != std::string::npos);
        return out.substr(out.find('{', at), out.find("\n}", at) - out.find('{', at));
    };
    CHECK(body("$1") == body("$2"));
    CHECK_THAT(body("$1"), Catch::Contains("dequeue_task = 0x") && Catch::Contains("<dequeue_task_idle>"));
    std::smatch m;
    REQUIRE(std::regex_search(out, m, std::regex(R"(\$3 = (\d+)\n\$4 = (\d+)\n)")));
    CHECK(m[1].str() == m[2].str());
    CHECK(std::stoul(m[1].str()) > 100);
    CHECK_THAT(out, Catch::Contains("<dequeue_task_idle>\n"));
    // A function pointer into a module is named from the dump's kallsyms, by its own name
    // rather than the cleanup_module alias module_exit() adds (as crash does).
    REQUIRE(std::regex_search(out, m, std::regex(R"(\n([0-9a-f]{16})  dummy )")));
    const std::string exit_out = lab::kdive_batch(
        fmt::format("p ((struct module *)0x{})->exit\n", m[1].str()), d.path);
    CHECK_THAT(exit_out, Catch::Matches(R"(\$1 = (\(void \(\*\)\(void\)\) )?0x[0-9a-f]+ <dummy_cleanup_module>\n)"));
}

TEST_CASE("list walks init_task.tasks through every live process", "[lab][list]") {
    for (const char* scenario : {"kdump-l5", "kdump-l4"}) {
        INFO(scenario);
        const std::string out = lab::kdive_batch("list task_struct.tasks -h init_task -s task_struct.pid\n",
                                            lab::dir() / scenario / "vmcore.zlib");
        std::set<long> listed;
        const std::regex pid_line(R"(  pid = (\d+))");
        for (auto it = std::sregex_iterator(out.begin(), out.end(), pid_line);
             it != std::sregex_iterator(); ++it)
            listed.insert(std::stol((*it)[1].str()));
        // Expected: every thread-group leader the guest listed. Threads (kd_thr1/2) are on their
        // leader's thread list, not the tasks list; the ps printer itself had exited.
        std::set<long> threads;
        for (const auto& l : lab::truth_lines(scenario, "workloads"))  // workload TID NAME
            if (l.ends_with("\tkd_thr1") || l.ends_with("\tkd_thr2"))
                threads.insert(std::stol(l.substr(l.find('\t') + 1)));
        REQUIRE(threads.size() == 2);
        std::set<long> expected{0};  // init_task itself, where the walk starts
        long self = -1;
        for (const auto& l : lab::truth_lines(scenario, "ps")) {
            if (l.starts_with("#self")) {
                self = std::stol(l.substr(6));
                continue;
            }
            long tid = std::stol(l);
            if (!threads.count(tid)) expected.insert(tid);
        }
        expected.erase(self);
        INFO(out);
        for (long pid : expected) {
            INFO("pid " << pid);
            CHECK(listed.count(pid));
        }
        // Nothing else, but the shell that wrote to /proc/sysrq-trigger after the truth was taken.
        for (long pid : listed) {
            INFO("listed pid " << pid);
            CHECK((expected.count(pid) || pid == std::stol(lab::truth(scenario, "panic_pid"))));
        }
    }
}

TEST_CASE("expression errors are one line and the session goes on", "[lab][expressions]") {
    int status = 0;
    const std::string out = lab::kdive_batch(
        "p no_such_symbol\n"
        "p init_task.no_such_member\n"
        "p (struct no_such_struct *)0\n"
        "p *(long *)0x1000\n"
        "p 1 +\n"
        "p (1 / 0)\n"
        "p init_task.comm[\n"
        "struct task_struct.nope\n"
        "list -o 0 0x1000\n"
        "p 40 + 2\n",
        lab::dir() / "kdump-l5" / "vmcore.zlib", &status);
    INFO(out);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("p: no_such_symbol: no symbol in the kernel by that name\n"));
    CHECK_THAT(out, Catch::Contains("p: struct task_struct has no member named 'no_such_member'\n"));
    CHECK_THAT(out, Catch::Contains("p: struct no_such_struct: no such type in the debug info\n"));
    CHECK_THAT(out, Catch::Contains("p: 0x1000: "));
    CHECK_THAT(out, Catch::Contains("p: expression ends too soon"));
    CHECK_THAT(out, Catch::Contains("p: division by zero\n"));
    CHECK_THAT(out, Catch::Contains("struct: nope: struct task_struct has no member named 'nope'\n"));
    CHECK_THAT(out, Catch::Contains("list: 0x1000: cannot read the next pointer"));
    CHECK_THAT(out, Catch::Contains("$1 = 42\n"));  // still going, and no number was used up
}

TEST_CASE("type names and member paths complete from the debug info", "[lab][completion]") {
    auto& di = vmlinux_debuginfo();
    auto types = member_path_candidates(di, "task_st");
    CHECK(std::find(types.begin(), types.end(), "task_struct") != types.end());
    for (const auto& t : types) CHECK(t.starts_with("task_st"));
    // Expected from pahole: every top-level member starting with "co".
    std::vector<std::string> co;
    for (const auto& [name, off] : test_support::pahole_layout(lab::vmlinux(), "task_struct").offsets)
        if (name.starts_with("co")) co.push_back("task_struct." + name);
    REQUIRE(!co.empty());
    CHECK(member_path_candidates(di, "task_struct.co") == co);
    // Nested paths, and members of anonymous unions (rcu_users sits in one).
    CHECK(member_path_candidates(di, "task_struct.se.lo") == std::vector<std::string>{"task_struct.se.load"});
    auto rcu = member_path_candidates(di, "task_struct.rcu_u");
    CHECK(rcu == std::vector<std::string>{"task_struct.rcu_users"});
    CHECK(member_path_candidates(di, "no_such_type.x").empty());
    CHECK(member_path_candidates(di, "task_struct.no_such.x").empty());
}

TEST_CASE("module symbols come from the dump's kallsyms, inside each module", "[lab][symbols][modules]") {
    for (const char* scenario : {"kdump-l5", "kdump-l4"}) {
        INFO(scenario);
        const auto truth = lab::truth_lines(scenario, "modules");  // name size refs deps state addr
        REQUIRE(truth.size() >= 10);
        std::string cmds;
        std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> where;
        for (const auto& l : truth) {
            std::istringstream in(l);
            std::string name, size, refs, deps, state, addr;
            in >> name >> size >> refs >> deps >> state >> addr;
            where[name] = {std::stoull(addr, nullptr, 16), std::stoull(size)};
            cmds += "sym -m " + name + "\n";
        }
        cmds += "sym -m no_such_module\n";
        const std::string out = lab::kdive_batch(cmds, lab::dir() / scenario / "vmcore.zlib");
        const std::regex line(R"(^([0-9a-f]{16}) \((.)\) (\S+) \[(\w+)\]$)");
        std::map<std::string, int> count;
        std::istringstream in(out);
        for (std::string l; std::getline(in, l);) {
            std::smatch m;
            if (!std::regex_match(l, m, line)) continue;
            const auto [base, size] = where.at(m[4].str());
            const std::uint64_t a = std::stoull(m[1].str(), nullptr, 16);
            INFO(l);
            CHECK(a >= base);
            CHECK(a < base + size);
            ++count[m[4].str()];
        }
        for (const auto& [name, w] : where) {
            INFO(name);
            CHECK(count[name] > 0);  // every loaded module has symbols
        }
        CHECK_THAT(out, Catch::Contains("sym: no_such_module: no such module loaded"));
        // Back from an address: the dummy module's init function, by its address.
        std::smatch m;
        REQUIRE(std::regex_search(out, m, std::regex(R"(([0-9a-f]{16}) \(t\) dummy_setup \[dummy\])")));
        const std::uint64_t setup = std::stoull(m[1].str(), nullptr, 16);
        const std::string back = lab::kdive_batch(fmt::format("sym {:x}\nsym dummy_setup\n", setup + 3),
                                             lab::dir() / scenario / "vmcore.zlib");
        CHECK_THAT(back, Catch::Contains(fmt::format("{:016x} (t) dummy_setup+3 [dummy]", setup + 3)));
        CHECK_THAT(back, Catch::Contains(fmt::format("{:016x} (t) dummy_setup [dummy]", setup)));
    }
}

TEST_CASE("p --json gives the same value as JSON", "[lab][expressions][json]") {
    const auto dump = lab::dir() / "kdump-l5" / "vmcore.zlib";
    const lab::TempFile file("p init_task\np init_uts_ns.name\np jiffies\n");
    // Python's json module parses it (an independent parser) and prints the fields we check.
    const std::string out = lab::run(
        std::string(KDIVE_BINARY) + " -s --json -i " + file.path() + " " + lab::vmlinux().string() +
        " " + dump.string() +
        " | /usr/bin/python3 -c 'import json,sys\n"
        "v=[json.loads(l) for l in sys.stdin]\n"
        "t=v[0][\"value\"]\n"
        "print(t[\"comm\"], t[\"pid\"], t[\"se\"][\"load\"][\"weight\"], t[\"tasks\"][\"next\"][:2], v[0][\"type\"])\n"
        "print(v[1][\"value\"][\"release\"], v[1][\"value\"][\"nodename\"])\n"
        "print(type(v[2][\"value\"]).__name__, v[2][\"expression\"])'");
    INFO(out);
    // The text form says the same: weight of the idle task's load is 1048576 on this kernel.
    const std::string text = lab::kdive_batch("p init_task.se.load.weight\n", dump);
    std::smatch m;
    REQUIRE(std::regex_search(text, m, std::regex(R"(\$1 = (\d+))")));
    CHECK(out == "swapper/0 0 " + m[1].str() + " 0x struct task_struct\n" + lab::truth("kdump-l5", "uname") +
                     " " + lab::truth("kdump-l5", "hostname") + "\nint jiffies\n");
}

TEST_CASE("mod lists /proc/modules and mod -s adds a module's own types", "[lab][modules]") {
    const auto dump = lab::dir() / "kdump-l4" / "vmcore.lzo";
    const std::string list = lab::kdive_batch("mod\n", dump);
    INFO(list);
    std::size_t n = 0;
    for (const auto& l : lab::truth_lines("kdump-l4", "modules")) {  // name size refs deps state addr
        std::istringstream in(l);
        std::string name, size, refs, deps, state, addr;
        in >> name >> size >> refs >> deps >> state >> addr;
        // crash's columns: bare hex, /proc/modules' 0x dropped.
        if (addr.starts_with("0x")) addr = addr.substr(2);
        CHECK(std::regex_search(list, std::regex(" " + name + R"( +)" + addr + R"( +)" + size + " ")));
        ++n;
    }
    CHECK(std::count(list.begin(), list.end(), '\n') == static_cast<long>(n) + 1);  // + header

    // struct veth_priv is defined only in veth.c: unknown until veth.ko's debug info is loaded.
    const auto ko = lab::dir() / "debug/lib/modules" / lab::truth("kdump-l4", "uname") / "kernel/drivers/net/veth.ko";
    REQUIRE(lab::fs::exists(ko));
    const std::string out = lab::kdive_batch("struct veth_priv\nmod -s veth\nstruct veth_priv -o\n", dump);
    INFO(out);
    CHECK_THAT(out, Catch::Contains("struct: struct veth_priv: no such type in the debug info"));
    CHECK_THAT(out, Catch::Contains(ko.string()));
    // Every member at pahole's offset (pahole reads the .ko with libdw, relocations and all).
    const auto layout = test_support::pahole_layout(ko, "veth_priv", "-F dwarf");
    REQUIRE(layout.offsets.size() > 1);
    for (const auto& [member, off] : layout.offsets)
        CHECK(std::regex_search(out, std::regex(R"(\[)" + std::to_string(off) + R"(\] .*\b)" + member + ";")));
    CHECK_THAT(out, Catch::Contains("SIZE: " + std::to_string(layout.size)));

    // Module variables by name once placed: the lab loaded dummy with numdummies=1.
    const std::string vars = lab::kdive_batch("p numdummies\nmod -s dummy\np numdummies\nwhatis numdummies\n", dump);
    INFO(vars);
    CHECK_THAT(vars, Catch::Contains("p: numdummies: no symbol in the kernel by that name"));
    CHECK_THAT(vars, Catch::Contains("numdummies = $1 = 1\n"));
    CHECK_THAT(vars, Catch::Contains("int numdummies;\n"));
}
