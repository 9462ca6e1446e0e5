// SPDX-License-Identifier: GPL-3.0-or-later
// pahole as the independent oracle for struct layouts: it reads BTF (or DWARF with -F dwarf)
// with its own code, so agreeing with it means something.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "kdive/type.hpp"

namespace test_support {

struct PaholeLayout {
    std::map<std::string, std::uint64_t> offsets;  // top-level members: byte offset by name
    std::uint64_t size = 0;
};

// `pahole [extra] -C type file`, parsed. Empty offsets if pahole is missing or fails.
PaholeLayout pahole_layout(const std::string& file, const std::string& type,
                           const std::string& extra_args = "");

// Catch CHECKs that `t` (a struct or union) has pahole's size and top-level member offsets.
void check_layout(const kdive::Type* t, const PaholeLayout& expected);

}  // namespace test_support
