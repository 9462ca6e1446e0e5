// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/task_usage.hpp"

#include <vector>

#include "kdive/kernel_facts.hpp"
#include "kdive/object.hpp"

namespace kdive {

namespace {

constexpr auto kU64 = [](const Object& o) { return o.to_u64(); };

// The mm counters /proc's VmRSS adds up, by their enum value.
std::vector<std::int64_t> rss_items(Session& s) {
    std::vector<std::int64_t> items;
    if (auto di = s.debuginfo())
        for (const char* e : {"MM_FILEPAGES", "MM_ANONPAGES", "MM_SHMEMPAGES"})
            if (auto v = (*di)->find_enumerator(e)) items.push_back(v->second);
    return items;
}

// One counter of an mm: rss_stat.count[i] (atomic_long_t) before 6.2, rss_stat[i].count (a
// percpu_counter's shared count, what get_mm_counter() reads) since.
std::int64_t mm_counter(const Object& mm, std::int64_t i) {
    if (auto a = mm.member("rss_stat.count")) {
        auto v = a->index(i).and_then([](const Object& c) { return c.member("counter"); }).and_then(kU64);
        return v ? static_cast<std::int64_t>(*v) : 0;
    }
    auto v = mm.member("rss_stat").and_then([&](const Object& r) { return r.index(i); }).and_then([](const Object& c) {
        return c.member("count");
    }).and_then(kU64);
    return v ? static_cast<std::int64_t>(*v) : 0;
}

Result<MemoryUsage> compute(Session& s) {
    auto list = tasks(s);
    if (!list) return list.failure();
    auto mm_type = Object::at(s, "struct mm_struct", 0);
    if (!mm_type) return mm_type.failure();
    const std::vector<std::int64_t> items = rss_items(s);
    std::uint64_t totalram = 0;
    for (const char* name : {"_totalram_pages", "totalram_pages"})
        if (auto v = Object::variable(s, name).and_then([](const Object& o) {
                // atomic_long_t since 5.0, unsigned long before.
                if (auto c = o.member("counter")) return c->to_u64();
                return o.to_u64();
            })) {
            totalram = *v;
            break;
        }
    const std::uint64_t page_kb = [&] {
        auto f = kernel_facts(s);
        return (f ? (*f)->page_size : 4096) / 1024;
    }();
    // SPLIT_RSS_COUNTING: task_struct.rss_stat.count[i] (an int each), per thread.
    const auto task_type = Object::at(s, "struct task_struct", 0);
    std::map<std::uint64_t, std::int64_t> unsynced;
    for (const Task& t : (*list)->all()) {
        if (!t.mm) continue;
        auto counts = task_type.and_then([&](const Object& type) {
            return Object::at(s, type.type(), t.address).member("rss_stat.count");
        });
        if (!counts) {
            if (counts.error().kind == ErrorKind::Lookup) break;  // counts go to the mm directly
            continue;
        }
        for (std::int64_t i : items)
            if (auto v = counts->index(i).and_then(kU64)) unsynced[t.mm] += static_cast<std::int64_t>(*v);
    }
    MemoryUsage out;
    for (const Task& t : (*list)->all()) {
        if (!t.mm || out.by_mm_.contains(t.mm)) continue;
        const Object mm = Object::at(s, mm_type->type(), t.mm);
        TaskUsage u;
        if (auto tv = mm.member("total_vm").and_then(kU64)) u.vsz_kb = *tv * page_kb;
        std::int64_t rss = 0;
        for (std::int64_t i : items) rss += mm_counter(mm, i);
        if (auto it = unsynced.find(t.mm); it != unsynced.end()) rss += it->second;
        if (rss < 0) rss = 0;
        u.rss_kb = static_cast<std::uint64_t>(rss) * page_kb;
        if (totalram) u.mem_percent = 100.0 * static_cast<double>(rss) / static_cast<double>(totalram);
        out.by_mm_.emplace(t.mm, u);
    }
    return out;
}

}  // namespace

TaskUsage MemoryUsage::of(const Task& t) const {
    if (!t.mm) return {};
    auto it = by_mm_.find(t.mm);
    return it == by_mm_.end() ? TaskUsage{} : it->second;
}

Result<const MemoryUsage*> memory_usage(Session& session) {
    return session.cache().get<MemoryUsage>([&] { return compute(session); });
}

}  // namespace kdive
