// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any text as a C expression, evaluated and printed (p's path) in a session
// over tests/data/types_sample.c compiled at build time (KDIVE_FUZZ_SAMPLE). Its memory is the
// object's own allocated sections at their link addresses; every other read fails, so pointers
// followed into nowhere must come back as errors.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "kdive/object.hpp"
#include "kdive/type_format.hpp"
#include "support/sample_session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto owned = kdive::testing::SampleSession::open(KDIVE_FUZZ_SAMPLE);
    if (!owned) __builtin_trap();
    kdive::Session& session = *owned;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    text = text.substr(0, text.find('\n'));  // the shell hands over one line at a time
    auto v = kdive::evaluate(session, text);
    if (!v) {
        // Errors are one line (the shell prints them as such).
        if (v.error().message().find('\n') != std::string::npos) __builtin_trap();
        return 0;
    }
    for (int radix : {10, 16}) (void)kdive::format_object(session, *v, {.radix = radix});
    (void)kdive::format_object_json(session, *v);
    (void)v->to_u64();
    // whatis/ptype's path: a type name or an expression.
    if (auto t = kdive::resolve_type_or_expression(session, text); t && t->type)
        (void)kdive::format_type_definition(t->type, **session.debuginfo(), {.offsets = true});
    return 0;
}
