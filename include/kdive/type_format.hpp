// SPDX-License-Identifier: GPL-3.0-or-later
// Types printed as crash (and gdb's ptype) print them.
#pragma once

#include <string>

#include "kdive/debuginfo.hpp"
#include "kdive/type.hpp"

namespace kdive {

struct TypeFormatOptions {
    bool offsets = false;  // crash's struct -o: "[offset]" before each member
    bool hex_offsets = false;
};

// "struct list_head {\n    struct list_head *next;\n    ...\n}" — a struct, union or enum with
// its body (anonymous members expanded inline), or a typedef/base type as "type = ..." would.
std::string format_type_definition(const Type* t, DebugInfo& di, const TypeFormatOptions& opt = {});

}  // namespace kdive

namespace kdive {

class Session;

// What a whatis/ptype argument named: a type ("struct task_struct", "pid_t"), or else the
// value of an expression ("init_task.pid", "schedule").
struct TypeOrObjectName {
    const Type* type = nullptr;  // set when the argument is a type name
    bool is_type = false;
    std::string symbol;           // a plain symbol's name, for "struct task_struct init_task;"
    const Type* object_type = nullptr;
    DebugInfo* debuginfo = nullptr;  // where the names were looked up (for printing)
};
Result<TypeOrObjectName> resolve_type_or_expression(Session& session, std::string_view text);

}  // namespace kdive
