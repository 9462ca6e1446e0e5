// SPDX-License-Identifier: GPL-3.0-or-later
// What a task's address space uses, as ps shows it (%MEM, VSZ, RSS): from its mm_struct's
// counters, read through the object layer and computed once per session for every mm.
#pragma once

#include <cstdint>
#include <map>

#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "kdive/tasks.hpp"

namespace kdive {

struct TaskUsage {
    std::uint64_t vsz_kb = 0;  // total_vm
    std::uint64_t rss_kb = 0;  // file + anon + shmem pages
    double mem_percent = 0;    // of totalram
};

class MemoryUsage {
public:
    // Kernel threads (no mm) use nothing.
    TaskUsage of(const Task& t) const;

    // Built by memory_usage().
    std::map<std::uint64_t, TaskUsage> by_mm_;
};

// Every mm's usage: the mm's file, anon and shmem counters (an atomic_long_t array before
// 6.2, percpu counters since, read as /proc reads them) plus, where the kernel has
// SPLIT_RSS_COUNTING (before 6.2), each thread's deltas not yet folded into them, summed once
// per mm. crash 8.0.2 adds the deltas too, /proc's VmRSS leaves them out.
Result<const MemoryUsage*> memory_usage(Session& session);

}  // namespace kdive
