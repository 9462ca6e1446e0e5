// SPDX-License-Identifier: GPL-3.0-or-later
// Member offsets and sizes from the debug info, for code that reads a kernel structure whole
// (one read of a task_struct) and picks fields out of its bytes: no offset is ever assumed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "kdive/debuginfo.hpp"
#include "kdive/result.hpp"

namespace kdive {

struct Field {
    std::uint64_t offset = 0;  // bytes from the start of the structure
    std::uint64_t size = 0;    // bytes
    bool is_signed = false;
};

// The member at a dotted `path` ("thread.sp", "sched_info.last_arrival") of `type`
// ("struct task_struct"), through anonymous members as C looks them up.
Result<Field> field_of(DebugInfo& di, std::string_view type, std::string_view path);
// The first of several spellings that exists (members renamed across kernel versions).
Result<Field> field_of_any(DebugInfo& di, std::string_view type,
                           std::initializer_list<std::string_view> paths);

// An integer field out of a structure's bytes (little-endian; sign-extended if signed); 0 if
// the bytes do not cover it.
std::uint64_t load_field(std::span<const std::byte> bytes, const Field& f);

}  // namespace kdive
