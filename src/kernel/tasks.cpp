// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/tasks.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <unordered_set>

#include <fmt/format.h>

#include "kdive/kernel_facts.hpp"
#include "kdive/list_walk.hpp"
#include "kdive/object.hpp"
#include "kdive/xarray.hpp"

namespace kdive {

namespace {

// The member paths this kernel spells, chosen once from the debug info (renamed members,
// config-dependent ones); an empty path is a member this kernel does not have.
struct TaskPaths {
    const Type* type = nullptr;  // struct task_struct
    std::uint64_t tasks = 0;     // offsetof(tasks)
    std::uint64_t thread_node = 0;
    bool thread_head = false;    // signal->thread_head (4.x+), else thread_group
    std::uint64_t signal_thread_head = 0;  // offsetof(struct signal_struct, thread_head)
    std::string state, cpu;
};

std::string first_member(Session& s, const Type* type, std::initializer_list<std::string_view> paths) {
    for (std::string_view p : paths)
        if (member_offset(s, type, p)) return std::string(p);
    return {};
}

Result<TaskPaths> task_paths(Session& s) {
    TaskPaths p;
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto t = (*di)->find_type("struct task_struct");
    if (!t) return t.failure();
    p.type = *t;
    auto tasks = member_offset(s, p.type, "tasks");
    if (!tasks) return tasks.failure();
    p.tasks = *tasks;
    p.state = first_member(s, p.type, {"__state", "state"});
    p.cpu = first_member(s, p.type, {"thread_info.cpu", "cpu"});
    if (auto head = member_offset(s, "struct signal_struct", "thread_head")) {
        p.thread_head = true;
        p.signal_thread_head = *head;
        auto node = member_offset(s, p.type, "thread_node");
        if (!node) return node.failure();
        p.thread_node = *node;
    } else {
        auto group = member_offset(s, p.type, "thread_group");
        if (!group) return group.failure();
        p.thread_node = *group;
    }
    return p;
}

class TaskReader {
public:
    TaskReader(Session& s, TaskPaths p) : s_(s), p_(std::move(p)) {}

    Result<TaskList> read() {
        auto init = Object::variable(s_, "init_task");
        if (!init) return init.failure();
        TaskList list;
        // The thread-group leaders on init_task's tasks list, each followed by its threads.
        // The walk degrades: a leader whose list node cannot be read is found from the other
        // side of the list.
        add(list, init->address());
        ListWalk leaders = list_entries(s_, init->address() + p_.tasks, p_.tasks);
        note_walk(leaders_, leaders);
        for (std::uint64_t task : leaders.nodes) {
            if (seen_.contains(task)) continue;
            add(list, task);
            add_threads(list, task);
        }
        // A list the dump broke: what it would have led to, found other ways.
        summarize(list, leaders_.count || threads_.count ? read_around(list) : 0);
        add_idle_and_active(list);
        list.index();
        return list;
    }

private:
    // Broken lists are counted, the first of each kind kept: the user hears once what was read
    // around, not once per list.
    struct Breaks {
        std::size_t count = 0;
        std::optional<Error> first;
    };
    void note_walk(Breaks& b, const ListWalk& w) {
        if (!w.broken) return;
        if (!b.count++) b.first = *w.broken;
    }
    void summarize(TaskList& list, std::size_t found_around) {
        if (leaders_.count)
            list.problems_.push_back(leaders_.first->prefixed("the task list is broken: "));
        if (threads_.count)
            list.problems_.push_back(threads_.first->prefixed(
                fmt::format("{} thread list{} broken; the first: ", threads_.count,
                            threads_.count == 1 ? " is" : "s are")));
        if (found_around)
            list.problems_.push_back(fail(fmt::format("{} task{} found around them, through the pid IDR and "
                                                      "children lists", found_around,
                                                      found_around == 1 ? "" : "s"))
                                         .error);
        // Task lists live in slab pages every dump level keeps: a filter that dropped them did
        // not know this kernel's memory layout.
        const auto excluded = [](const Breaks& b) { return b.first && b.first->fault == FaultReason::Excluded; };
        if (excluded(leaders_) || excluded(threads_))
            list.problems_.push_back(fail("pages of live task lists are not in the dump: the makedumpfile "
                                          "that made it may not know this kernel")
                                         .error);
    }

    // Tasks no list led to: every struct pid in the pid namespace's IDR names its task, and
    // every task found so far names its children.
    std::size_t read_around(TaskList& list) {
        const std::size_t before = list.tasks_.size();
        auto found = [&](std::uint64_t task) {
            if (!task || seen_.contains(task)) return;
            add(list, task);
            add_threads(list, task);
        };
        // pid_links[PIDTYPE_PID] (4.19+), pids[PIDTYPE_PID].node before.
        const std::int64_t pid_type = [&]() -> std::int64_t {
            if (auto di = s_.debuginfo())
                if (auto e = (*di)->find_enumerator("PIDTYPE_PID")) return e->second;
            return 0;
        }();
        auto link = member_offset(s_, p_.type, fmt::format("pid_links[{}]", pid_type));
        if (!link) link = member_offset(s_, p_.type, fmt::format("pids[{}].node", pid_type));
        auto idr = Object::variable(s_, "init_pid_ns").and_then([](const Object& ns) { return ns.member("idr"); });
        auto pid_struct = Object::at(s_, "struct pid", 0);
        const std::string first_task = fmt::format("tasks[{}].first", pid_type);
        if (link && idr && pid_struct)
            if (auto pids = idr_entries(s_, idr->address()))
                for (const XaEntry& e : *pids) {
                    auto first = Object::at(s_, pid_struct->type(), e.entry).member(first_task).and_then(
                        [](const Object& o) { return o.to_u64(); });
                    if (first && *first) found(*first - *link);
                }
        auto children = member_offset(s_, p_.type, "children");
        auto sibling = member_offset(s_, p_.type, "sibling");
        if (children && sibling)
            for (std::size_t i = 0; i < list.tasks_.size(); ++i)  // grows as children are found
                for (std::uint64_t child : list_entries(s_, list.tasks_[i].address + *children, *sibling).nodes)
                    found(child);
        return list.tasks_.size() - before;
    }

    // One task: each field read on its own, so a page missing from the middle of the
    // task_struct loses the fields on it, not the task (they read as 0 and are marked).
    void add(TaskList& list, std::uint64_t address) {
        if (!seen_.insert(address).second) return;
        const Object task = Object::at(s_, p_.type, address);
        Task t;
        t.address = address;
        auto u64 = [&](std::string_view path, std::uint32_t field) -> std::uint64_t {
            if (path.empty()) return 0;
            auto v = task.member(path).and_then([](const Object& o) { return o.to_u64(); });
            if (v) return *v;
            // A member this configuration lacks reads as 0; one the dump lacks is marked.
            if (v.error().kind == ErrorKind::Fault) t.unreadable |= field;
            return 0;
        };
        t.pid = static_cast<std::int32_t>(u64("pid", Task::kPid));
        t.tgid = static_cast<std::int32_t>(u64("tgid", Task::kPid));
        t.parent = u64("real_parent", Task::kParent);
        t.group_leader = u64("group_leader", Task::kParent);
        if (auto comm = task.member("comm").and_then([](const Object& o) { return o.c_string(); }))
            t.comm = std::move(*comm);
        else
            t.unreadable |= Task::kComm;
        t.state = static_cast<std::uint32_t>(u64(p_.state, Task::kState));
        t.exit_state = static_cast<std::uint32_t>(u64("exit_state", Task::kState));
        t.flags = static_cast<std::uint32_t>(u64("flags", Task::kState));
        t.policy = static_cast<std::uint32_t>(u64("policy", Task::kSched));
        t.prio = static_cast<std::int32_t>(u64("prio", Task::kSched));
        t.cpu = static_cast<int>(u64(p_.cpu, Task::kCpu));
        t.stack = u64("stack", Task::kStack);
        t.ksp = u64("thread.sp", Task::kStack);
        t.mm = u64("mm", Task::kMm);
        t.start_time = u64("start_time", Task::kTimes);
        t.utime = u64("utime", Task::kTimes);
        t.stime = u64("stime", Task::kTimes);
        t.last_arrival = u64("sched_info.last_arrival", Task::kTimes);
        t.exec_start = u64("se.exec_start", Task::kTimes);
        signal_ = u64("signal", Task::kParent);
        if (t.unreadable) ++list.partial_;
        list.tasks_.push_back(std::move(t));
    }

    // The other threads of the group `leader` heads (the leader itself is already in).
    void add_threads(TaskList& list, std::uint64_t leader) {
        std::uint64_t head;
        if (p_.thread_head) {
            if (!signal_) return;  // a zombie leader whose signal_struct is gone
            head = signal_ + p_.signal_thread_head;
        } else {
            head = leader + p_.thread_node;
        }
        ListWalk threads = list_entries(s_, head, p_.thread_node);
        note_walk(threads_, threads);
        for (std::uint64_t task : threads.nodes)
            if (task != leader) add(list, task);
    }

    // Each CPU's idle task (CPU 0's is init_task) and the task each CPU was running:
    // current_task (pcpu_hot.current_task since 6.2), else the runqueue's curr.
    void add_idle_and_active(TaskList& list) {
        const unsigned ncpu = s_.num_cpus();
        std::string current;
        for (std::string_view c : {"current_task", "pcpu_hot.current_task"})
            if (per_cpu(s_, c, 0)) {
                current = std::string(c);
                break;
            }
        const auto pointer = [](const Object& o) { return o.to_u64(); };
        std::vector<std::uint64_t> active(ncpu, 0);
        for (unsigned cpu = 0; cpu < ncpu; ++cpu) {
            if (auto rq = per_cpu(s_, "runqueues", cpu)) {
                if (auto idle = rq->member("idle").and_then(pointer); idle && *idle) {
                    add(list, *idle);
                    idle_.insert(*idle);
                }
                if (auto c = rq->member("curr").and_then(pointer); c && *c) active[cpu] = *c;
            }
            if (!current.empty())
                if (auto c = per_cpu(s_, current, cpu).and_then(pointer); c && *c) active[cpu] = *c;
            // A running task whose list node was lost is still found through its CPU.
            if (active[cpu]) add(list, active[cpu]);
        }
        idle_.insert(list.tasks_.front().address);  // init_task: CPU 0's idle task
        for (Task& t : list.tasks_) {
            t.idle = idle_.contains(t.address);
            // A running task whose cpu field is not in the dump ran where it was found.
            if (t.unreadable & Task::kCpu)
                for (unsigned cpu = 0; cpu < active.size(); ++cpu)
                    if (active[cpu] == t.address) t.cpu = static_cast<int>(cpu);
        }
        active_ = std::move(active);
    }

public:
    std::vector<std::uint64_t> active_;

private:
    Session& s_;
    TaskPaths p_;
    std::uint64_t signal_ = 0;  // of the task add() read last
    Breaks leaders_, threads_;
    std::unordered_set<std::uint64_t> seen_, idle_;
};

// panic_cpu (an atomic_t) holds the CPU that called panic(); -1 if none did.
std::optional<int> evaluate_panic_cpu(Session& s) {
    auto v = Object::variable(s, "panic_cpu").and_then([](const Object& o) { return o.member("counter"); });
    if (!v) return std::nullopt;
    auto n = v->to_s64();
    if (!n) return std::nullopt;
    return static_cast<int>(*n);
}

Result<TaskList> read_tasks(Session& s) {
    auto paths = task_paths(s);
    if (!paths) return paths.failure();
    TaskReader reader(s, std::move(*paths));
    auto list = reader.read();
    if (!list) return list.failure();
    // PPID as /proc shows it: the real parent's thread group id.
    for (Task& t : list->tasks_)
        if (const Task* p = list->by_address(t.parent); p && p != &t && !t.idle) t.ppid = p->tgid;
    list->active_.assign(reader.active_.size(), nullptr);
    for (std::size_t cpu = 0; cpu < reader.active_.size(); ++cpu) {
        if (const Task* t = list->by_address(reader.active_[cpu])) {
            list->active_[cpu] = t;
            const_cast<Task*>(t)->active = true;
        }
    }
    // panic_cpu is the CPU that called panic(); -1 (PANIC_CPU_INVALID) if none did.
    if (auto pc = evaluate_panic_cpu(s)) {
        if (*pc >= 0 && static_cast<std::size_t>(*pc) < list->active_.size()) {
            list->panic_cpu_ = *pc;
            list->panic_ = list->active_[*pc];
        }
    }
    return list;
}

}  // namespace

std::string_view Task::state_name() const {
    // The kernel's own rule (task_state_index): exit_state first, TASK_IDLE is its own state,
    // else the lowest reportable bit. Bit values are #defines, stable since 4.14.
    if (exit_state & 0x20) return "ZO";
    if (exit_state & 0x10) return "DE";
    const std::uint32_t s = state;
    if (s == 0) return "RU";
    if ((s & 0x402) == 0x402) return "ID";  // TASK_IDLE = UNINTERRUPTIBLE | NOLOAD
    if (s & 0x1) return "IN";
    if (s & 0x2) return "UN";
    if (s & 0x4) return "ST";
    if (s & 0x8) return "TR";
    if (s & 0x40) return "PA";
    if (s & 0x200) return "WA";
    if (s & 0x800) return "NE";
    if (s & 0x1000) return "UN";  // TASK_RTLOCK_WAIT reports as D
    return "??";
}

void TaskList::index() {
    std::stable_sort(tasks_.begin(), tasks_.end(), [](const Task& a, const Task& b) {
        if (a.pid != b.pid) return a.pid < b.pid;
        return a.cpu < b.cpu;
    });
    by_address_.clear();
    for (std::size_t i = 0; i < tasks_.size(); ++i) by_address_.emplace_back(tasks_[i].address, i);
    std::sort(by_address_.begin(), by_address_.end());
}

const Task* TaskList::by_address(std::uint64_t task) const {
    auto it = std::lower_bound(by_address_.begin(), by_address_.end(), std::pair{task, std::size_t{0}});
    if (it == by_address_.end() || it->first != task) return nullptr;
    return &tasks_[it->second];
}

const Task* TaskList::by_pid(std::int32_t pid) const {
    auto it = std::lower_bound(tasks_.begin(), tasks_.end(), pid,
                               [](const Task& t, std::int32_t p) { return t.pid < p; });
    if (it == tasks_.end() || it->pid != pid) return nullptr;
    return &*it;
}

std::string task_header(const Task& t) {
    return fmt::format("PID: {:<8} TASK: {:x}  CPU: {:<3}  COMMAND: \"{}\"", t.pid, t.address, t.cpu, t.comm);
}

Result<const TaskList*> tasks(Session& session) {
    return session.cache().get<TaskList>([&] { return read_tasks(session); });
}

Result<const Task*> find_task(Session& session, std::string_view word) {
    auto list = tasks(session);
    if (!list) return list.failure();
    const bool hex = word.starts_with("0x") || word.find_first_of("abcdefABCDEF") != std::string_view::npos ||
                     word.size() > 10;
    std::string_view digits = word.starts_with("0x") ? word.substr(2) : word;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, hex ? 16 : 10);
    if (ec != std::errc{} || p != digits.data() + digits.size() || digits.empty())
        return fail("invalid task or pid value", std::string(word));
    const Task* t = hex ? (*list)->by_address(v) : (*list)->by_pid(static_cast<std::int32_t>(v));
    if (!t) return fail(hex ? "no task at this address" : "no such pid", std::string(word));
    return t;
}

Result<const Task*> context_task(Session& session) {
    auto list = tasks(session);
    if (!list) return list.failure();
    if (session.context_task())
        if (const Task* t = (*list)->by_address(session.context_task())) return t;
    if ((*list)->panic_task()) return (*list)->panic_task();
    for (const Task* t : (*list)->active())
        if (t) return t;
    if (!(*list)->all().empty()) return &(*list)->all().front();
    return fail("no tasks found");
}

}  // namespace kdive
