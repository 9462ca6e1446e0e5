// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/tasks.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <unordered_set>

#include <fmt/format.h>

#include "kdive/layout.hpp"

namespace kdive {

namespace {

// Far more than any kernel runs (PID_MAX_LIMIT is 4M); a longer walk is a corrupt list.
constexpr std::size_t kMaxTasks = 4'194'304;

// Where each field lives in this kernel's task_struct.
struct TaskLayout {
    std::uint64_t size = 0;
    Field tasks, thread_node, signal, thread_head, pid, tgid, real_parent, group_leader, comm,
        state, exit_state, flags, policy, prio, cpu, stack, ksp, mm, start_time, utime, stime,
        last_arrival, exec_start;
};

Result<TaskLayout> task_layout(DebugInfo& di) {
    TaskLayout l;
    auto t = di.find_type("struct task_struct");
    if (!t) return t.failure();
    l.size = type_size(*t);
    const std::string_view ts = "struct task_struct";
    auto get = [&](Field& f, std::initializer_list<std::string_view> paths) -> Result<void> {
        auto r = field_of_any(di, ts, paths);
        if (!r) return r.failure();
        f = *r;
        return {};
    };
    for (auto r : {get(l.tasks, {"tasks"}), get(l.pid, {"pid"}), get(l.tgid, {"tgid"}),
                   get(l.real_parent, {"real_parent"}), get(l.group_leader, {"group_leader"}),
                   get(l.comm, {"comm"}), get(l.state, {"__state", "state"}),
                   get(l.exit_state, {"exit_state"}), get(l.flags, {"flags"}),
                   get(l.stack, {"stack"}), get(l.ksp, {"thread.sp"}), get(l.mm, {"mm"}),
                   get(l.signal, {"signal"})})
        if (!r) return r.failure();
    // Optional ones: older or differently configured kernels lack some; zeros then.
    (void)get(l.cpu, {"thread_info.cpu", "cpu"});
    (void)get(l.policy, {"policy"});
    (void)get(l.prio, {"prio"});
    (void)get(l.start_time, {"start_time"});
    (void)get(l.utime, {"utime"});
    (void)get(l.stime, {"stime"});
    (void)get(l.last_arrival, {"sched_info.last_arrival"});
    (void)get(l.exec_start, {"se.exec_start"});
    // Threads: signal->thread_head / thread_node (4.x+); thread_group before that.
    if (auto th = field_of(di, "struct signal_struct", "thread_head")) {
        l.thread_head = *th;
        if (auto r = get(l.thread_node, {"thread_node"}); !r) return r.failure();
    } else if (auto r = get(l.thread_node, {"thread_group"}); !r) {
        return r.failure();
    }
    return l;
}

class TaskReader {
public:
    TaskReader(Session& s, DebugInfo& di, TaskLayout l) : s_(s), di_(di), l_(std::move(l)) {}

    Result<TaskList> read() {
        auto init = di_.find_symbol("init_task");
        if (!init) return init.failure();
        TaskList list;
        // The thread-group leaders on init_task's tasks list, each followed by its threads.
        const std::uint64_t head = init->address + l_.tasks.offset;
        auto leader = add(list, init->address);
        if (!leader) return leader.failure();
        auto next = word(head);
        while (next && *next != head) {
            if (list.tasks_.size() >= kMaxTasks) return fail("the task list does not end", hex_address(head));
            const std::uint64_t task = *next - l_.tasks.offset;
            if (seen_.contains(task)) return fail("the task list loops back on itself", hex_address(task));
            auto t = add(list, task);
            if (!t) return t.failure();
            if (auto r = add_threads(list, task); !r) return r.failure();
            next = word(*next);
        }
        if (!next) return next.failure();
        if (auto r = add_idle_and_active(list); !r) return r.failure();
        list.index();
        return list;
    }

private:
    Result<std::uint64_t> word(std::uint64_t addr) {
        return s_.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, addr);
    }

    Result<void> add(TaskList& list, std::uint64_t task) {
        if (!seen_.insert(task).second) return {};
        buf_.resize(l_.size);
        if (auto r = s_.target().read(AddressSpace::KernelVirtual, task, buf_); !r)
            return fail("cannot read task_struct: " + r.error().what, hex_address(task));
        Task t;
        t.address = task;
        auto get = [&](const Field& f) { return load_field(buf_, f); };
        t.pid = static_cast<std::int32_t>(get(l_.pid));
        t.tgid = static_cast<std::int32_t>(get(l_.tgid));
        t.parent = get(l_.real_parent);
        t.group_leader = get(l_.group_leader);
        const char* comm = reinterpret_cast<const char*>(buf_.data() + l_.comm.offset);
        t.comm.assign(comm, strnlen(comm, l_.comm.size));
        t.state = static_cast<std::uint32_t>(get(l_.state));
        t.exit_state = static_cast<std::uint32_t>(get(l_.exit_state));
        t.flags = static_cast<std::uint32_t>(get(l_.flags));
        t.policy = static_cast<std::uint32_t>(get(l_.policy));
        t.prio = static_cast<std::int32_t>(get(l_.prio));
        t.cpu = static_cast<int>(get(l_.cpu));
        t.stack = get(l_.stack);
        t.ksp = get(l_.ksp);
        t.mm = get(l_.mm);
        t.start_time = get(l_.start_time);
        t.utime = get(l_.utime);
        t.stime = get(l_.stime);
        t.last_arrival = get(l_.last_arrival);
        t.exec_start = get(l_.exec_start);
        signal_ = get(l_.signal);
        list.tasks_.push_back(std::move(t));
        return {};
    }

    // The other threads of the group `leader` heads (the leader itself is already in).
    Result<void> add_threads(TaskList& list, std::uint64_t leader) {
        std::uint64_t head;
        if (l_.thread_head.size) {
            if (!signal_) return {};  // a zombie leader whose signal_struct is gone
            head = signal_ + l_.thread_head.offset;
        } else {
            head = leader + l_.thread_node.offset;
        }
        auto next = word(head);
        std::size_t n = 0;
        while (next && *next != head) {
            if (++n > kMaxTasks) return fail("a thread list does not end", hex_address(head));
            const std::uint64_t task = *next - l_.thread_node.offset;
            if (task != leader && !seen_.contains(task)) {
                if (auto r = add(list, task); !r) return r;
            } else if (task != leader) {
                return fail("a thread list loops back on itself", hex_address(task));
            }
            next = word(*next);
        }
        if (!next) return next.failure();
        return {};
    }

    // A per-CPU variable's address on `cpu`.
    Result<std::uint64_t> per_cpu(const SymbolInfo& sym, unsigned cpu) {
        if (!per_cpu_offset_) {
            auto base = di_.find_symbol("__per_cpu_offset");
            if (!base) return base.failure();
            per_cpu_offset_ = base->address;
        }
        auto off = word(per_cpu_offset_ + 8ULL * cpu);
        if (!off) return off.failure();
        return sym.address + *off;
    }

    // Each CPU's idle task (CPU 0's is init_task) and the task each CPU was running:
    // current_task (pcpu_hot.current_task since 6.2), else the runqueue's curr.
    Result<void> add_idle_and_active(TaskList& list) {
        const unsigned ncpu = s_.num_cpus();
        auto rq = di_.find_symbol("runqueues");
        auto rq_idle = field_of(di_, "struct rq", "idle");
        auto rq_curr = field_of(di_, "struct rq", "curr");
        std::optional<SymbolInfo> current;
        std::uint64_t current_off = 0;
        if (auto c = di_.find_symbol("current_task"); c && c->per_cpu) {
            current = *c;
        } else if (auto h = di_.find_symbol("pcpu_hot"); h && h->per_cpu) {
            if (auto f = field_of(di_, "struct pcpu_hot", "current_task")) {
                current = *h;
                current_off = f->offset;
            }
        }
        std::vector<std::uint64_t> active(ncpu, 0);
        for (unsigned cpu = 0; cpu < ncpu; ++cpu) {
            if (rq && rq_idle) {
                auto a = per_cpu(*rq, cpu);
                if (!a) return a.failure();
                auto idle = word(*a + rq_idle->offset);
                if (idle && *idle) {
                    if (auto r = add(list, *idle); !r) return r;
                    idle_.insert(*idle);
                }
                if (rq_curr)
                    if (auto c = word(*a + rq_curr->offset); c && *c) active[cpu] = *c;
            }
            if (current) {
                auto a = per_cpu(*current, cpu);
                if (!a) return a.failure();
                if (auto c = word(*a + current_off); c && *c) active[cpu] = *c;
            }
        }
        idle_.insert(list.tasks_.front().address);  // init_task: CPU 0's idle task
        for (Task& t : list.tasks_) t.idle = idle_.contains(t.address);
        active_ = std::move(active);
        return {};
    }

public:
    std::vector<std::uint64_t> active_;

private:
    Session& s_;
    DebugInfo& di_;
    TaskLayout l_;
    std::vector<std::byte> buf_;
    std::uint64_t signal_ = 0;  // of the task add() read last
    std::uint64_t per_cpu_offset_ = 0;
    std::unordered_set<std::uint64_t> seen_, idle_;
};

// panic_cpu (an atomic_t) holds the CPU that called panic(); -1 if none did.
std::optional<int> evaluate_panic_cpu(Session& s, DebugInfo& di) {
    auto sym = di.find_symbol("panic_cpu");
    if (!sym) return std::nullopt;
    auto v = s.target().read_value<std::int32_t>(AddressSpace::KernelVirtual, sym->address);
    if (!v) return std::nullopt;
    return *v;
}

Result<TaskList> read_tasks(Session& s) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto layout = task_layout(**di);
    if (!layout) return layout.failure();
    TaskReader reader(s, **di, std::move(*layout));
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
    if (auto pc = evaluate_panic_cpu(s, **di)) {
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
