// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/kernel_time.hpp"

#include "kdive/object.hpp"

namespace kdive {

Result<KernelClock> kernel_clock(Session& s) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto read = [&](std::string_view name, std::uint64_t offset = 0) -> std::optional<std::uint64_t> {
        auto sym = (*di)->find_symbol(name);
        if (!sym) return std::nullopt;
        auto v = s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, sym->address + offset);
        if (!v) return std::nullopt;
        return *v;
    };
    KernelClock c;
    auto u64 = [](const Object& o) { return o.to_u64(); };
    // HZ is a #define; tick_nsec = round(NSEC_PER_SEC / HZ) gives it back, and where a kernel
    // has no tick_nsec the jiffies clocksource's mult, TICK_NSEC << its shift, does.
    auto tick = read("tick_nsec");
    if (!tick || !*tick) {
        auto js = Object::variable(s, "clocksource_jiffies");
        auto mult = js.and_then([](const Object& o) { return o.member("mult"); }).and_then(u64);
        auto shift = js.and_then([](const Object& o) { return o.member("shift"); }).and_then(u64);
        if (mult && shift && *shift < 32) tick = *mult >> *shift;
    }
    if (!tick || !*tick) return fail("cannot read tick_nsec or the jiffies clocksource", "tick_nsec");
    c.hz = (1'000'000'000 + *tick / 2) / *tick;
    auto j = read("jiffies_64");
    if (!j) j = read("jiffies");
    if (!j) return fail("cannot read jiffies", "jiffies");
    c.jiffies = *j;
    // jiffies start 5 minutes before wrapping 32 bits so that wrap bugs show early.
    const std::uint64_t initial = static_cast<std::uint32_t>(-300 * static_cast<std::int64_t>(c.hz));
    c.uptime_ns = (c.jiffies - initial) * (1'000'000'000 / c.hz);
    // tk_core is an anonymous struct in most kernels: the member path finds its timekeeper.
    // Kernels with several timekeepers hold the core one first in timekeeper_data[].
    struct Where {
        const char* symbol;
        bool array;
        const char* path;
    };
    for (const Where& where : {Where{"tk_core", false, "timekeeper.xtime_sec"}, Where{"timekeeper_data", true, "timekeeper.xtime_sec"},
                               Where{"timekeeper", false, "xtime_sec"}}) {
        auto o = Object::variable(s, where.symbol);
        if (o && where.array) o = o->index(0);
        auto v = o.and_then([&](const Object& x) { return x.member(where.path); }).and_then(u64);
        if (v) {
            c.wall_sec = static_cast<std::int64_t>(*v);
            break;
        }
    }
    for (int i = 0; i < 3; ++i) c.avenrun[i] = read("avenrun", 8 * i);
    return c;
}

}  // namespace kdive
