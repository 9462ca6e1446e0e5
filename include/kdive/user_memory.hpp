// SPDX-License-Identifier: GPL-3.0-or-later
// A process's user memory, read through its own page tables (mm->pgd): what ps -a shows of
// argv and the environment, and what rd -u / search -u read.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "kdive/tasks.hpp"

namespace kdive {

// The physical address of user virtual address `uaddr` in `task`'s address space.
Result<std::uint64_t> user_to_phys(Session& session, const Task& task, std::uint64_t uaddr);
// Fill `out` from `task`'s user memory at `uaddr` (page by page: user pages are scattered).
Result<void> read_user(Session& session, const Task& task, std::uint64_t uaddr, std::span<std::byte> out);

}  // namespace kdive
