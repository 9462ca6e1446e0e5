// SPDX-License-Identifier: GPL-3.0-or-later
// The dumped kernel's utsname (init_uts_ns.name), read through its page tables.
#pragma once

#include <string>

#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct Utsname {
    std::string sysname, nodename, release, version, machine, domainname;
};

Result<Utsname> read_utsname(Session& session);

}  // namespace kdive
