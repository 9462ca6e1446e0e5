// SPDX-License-Identifier: GPL-3.0-or-later
// The dumped kernel's clocks, as sys and ps -t show them: HZ, uptime from jiffies, the
// wall-clock time the timekeeper last recorded, and the load averages.
#pragma once

#include <cstdint>
#include <optional>

#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct KernelClock {
    std::uint64_t hz = 0;
    std::uint64_t jiffies = 0;
    std::uint64_t uptime_ns = 0;            // jiffies since boot (INITIAL_JIFFIES removed)
    std::optional<std::int64_t> wall_sec;   // timekeeper's xtime_sec (UTC seconds)
    std::optional<std::uint64_t> avenrun[3];  // fixed point, FSHIFT 11
};

Result<KernelClock> kernel_clock(Session& session);

}  // namespace kdive
