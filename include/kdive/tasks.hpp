// SPDX-License-Identifier: GPL-3.0-or-later
// The dumped kernel's tasks: every thread of every thread group (init_task's tasks list, then
// each group's thread list), each CPU's idle task, and which task each CPU was running. Read
// once per session (Session::cache) through the object layer: each field on its own, so a
// task_struct partly missing from the dump still gives the fields that are there, and lists
// broken by a missing page are read around (list_walk.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct Task {
    std::uint64_t address = 0;  // the task_struct
    std::int32_t pid = 0;       // the thread id
    std::int32_t tgid = 0;
    std::int32_t ppid = 0;      // real_parent's tgid (0 for the idle tasks and kthreadd/init)
    std::uint64_t parent = 0;   // real_parent
    std::uint64_t group_leader = 0;
    std::string comm;
    std::uint32_t state = 0;       // __state (state before 5.14)
    std::uint32_t exit_state = 0;
    std::uint32_t flags = 0;       // PF_*
    std::uint32_t policy = 0;
    std::int32_t prio = 0;
    int cpu = 0;                   // the CPU it last ran on (task_cpu())
    bool active = false;           // the task its CPU was running at the dump
    bool idle = false;             // a CPU's idle task (pid 0)
    std::uint64_t stack = 0;       // kernel stack base (task->stack)
    std::uint64_t ksp = 0;         // saved kernel stack pointer (thread.sp), for a switched-out task
    std::uint64_t mm = 0;          // 0 for kernel threads
    std::uint64_t start_time = 0;  // ns since boot (monotonic)
    std::uint64_t utime = 0, stime = 0;  // ns
    std::uint64_t last_arrival = 0;      // sched_info.last_arrival: last time it got a CPU (ns)
    std::uint64_t exec_start = 0;        // se.exec_start
    // Fields the dump could not give (their part of the task_struct is not in it): they read
    // as 0 here and are shown as unknown.
    static constexpr std::uint32_t kPid = 1, kParent = 2, kComm = 4, kState = 8, kSched = 16,
                                   kCpu = 32, kStack = 64, kMm = 128, kTimes = 256;
    std::uint32_t unreadable = 0;

    bool kernel_thread() const { return mm == 0; }
    bool group_leader_self() const { return group_leader == address; }
    // crash's ST column: RU IN UN ST TR ZO DE WA PA ID NE.
    std::string_view state_name() const;
};

class TaskList {
public:
    // Sorted by pid; the idle tasks (pid 0) first, by CPU.
    const std::vector<Task>& all() const { return tasks_; }
    const Task* by_address(std::uint64_t task) const;
    // The thread with this pid (for pid 0: CPU 0's idle task).
    const Task* by_pid(std::int32_t pid) const;
    const Task* parent_of(const Task& t) const { return by_address(t.parent); }
    // Each CPU's running task at the dump, by CPU number (nullptr where unknown).
    const std::vector<const Task*>& active() const { return active_; }
    // The task that panicked (the active task of panic_cpu), if the kernel panicked.
    const Task* panic_task() const { return panic_; }
    std::optional<int> panic_cpu() const { return panic_cpu_; }
    // What the walk could not read (a broken list, read around or not), once each.
    const std::vector<Error>& problems() const { return problems_; }
    // How many tasks were read only in part (see Task::unreadable).
    std::size_t partial() const { return partial_; }

    // Built by read_tasks().
    std::vector<Task> tasks_;
    std::vector<const Task*> active_;
    const Task* panic_ = nullptr;
    std::optional<int> panic_cpu_;
    std::vector<Error> problems_;
    std::size_t partial_ = 0;
    void index();  // sorts and fills the lookups after tasks_ is complete

private:
    std::vector<std::pair<std::uint64_t, std::size_t>> by_address_;
};

// The session's tasks (read on first use, then cached for the session).
Result<const TaskList*> tasks(Session& session);

// crash's one-line task header: `PID: 144      TASK: ff46826a441ea100  CPU: 0    COMMAND: "sh"`
// (bt, task, ps -t/-p/-c, foreach, set all print it).
std::string task_header(const Task& t);

// A task named by the user: a decimal pid or a task_struct address (hex, as crash takes).
Result<const Task*> find_task(Session& session, std::string_view pid_or_address);

// The task commands act on without an argument (crash's "current context"): the panic task,
// else CPU 0's active task. `set PID` changes it.
Result<const Task*> context_task(Session& session);
// (set_context_task: Session::set_context_task.)

}  // namespace kdive
