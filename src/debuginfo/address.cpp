// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/address.hpp"

#include "kdive/object.hpp"

#include <charconv>
#include <optional>
#include <string>

namespace kdive {

namespace {

std::optional<std::uint64_t> number(std::string_view s, int base) {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

Result<std::uint64_t> parse_address(Session& session, std::string_view text) {
    if (text.starts_with("0x") || text.starts_with("0X")) {
        if (auto v = number(text.substr(2), 16)) return *v;
        return fail("not a hex address", std::string(text));
    }
    std::string_view name = text;
    std::uint64_t offset = 0;
    if (auto plus = text.find('+'); plus != std::string_view::npos && plus > 0) {
        name = text.substr(0, plus);
        std::string_view off = text.substr(plus + 1);
        auto v = off.starts_with("0x") ? number(off.substr(2), 16) : number(off, 10);
        if (!v) return fail("bad offset after '+'", std::string(text));
        offset = *v;
    }
    // A symbol wins over a hex reading of the same word ("add", "cafe"), as in crash.
    if (auto sym = session.symbol_address(name)) return *sym + offset;
    if (name == text)
        if (auto v = number(text, 16)) return *v;
    // Anything else is a C expression: a pointer's value, or where an object lives
    // (`struct task_struct init_task.children.next`, `list -H modules`).
    auto obj = evaluate(session, text);
    if (!obj) return fail("neither a symbol, a hex address nor an expression (" + obj.error().message() + ")",
                          std::string(text));
    const Type* t = strip_typedefs(obj->type());
    if (obj->is_lvalue() && !obj->is_per_cpu() && t && !t->is_scalar()) return obj->address();
    return obj->to_u64();
}

}  // namespace kdive
