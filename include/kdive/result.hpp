// SPDX-License-Identifier: GPL-3.0-or-later
// Errors are values: every fallible call returns Result<T>, which holds either a T or an Error
// saying what failed and where (an address, a symbol, a file). The shell prints the error on one
// line and goes on; nothing user-controlled aborts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace kdive {

struct Error {
    std::string what;   // what failed, e.g. "page excluded from the dump"
    std::string where;  // where: "0xffffffff81000000", "init_uts_ns", "/path/vmcore"; may be empty

    // One line for the user: "where: what" (or just "what").
    std::string message() const { return where.empty() ? what : where + ": " + what; }
};

// Tag type so `return fail("...")` converts to any Result<T>.
struct Failure {
    Error error;
};
inline Failure fail(std::string what, std::string where = {}) {
    return Failure{Error{std::move(what), std::move(where)}};
}
inline Failure fail(Error e) { return Failure{std::move(e)}; }

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Failure f) : v_(std::in_place_index<1>, std::move(f.error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(v_); }
    // Re-wrap this failure as a Result of another type (for early returns).
    Failure failure() const { return Failure{error()}; }

    T value_or(T other) const { return ok() ? value() : std::move(other); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Failure f) : err_(std::move(f.error)) {}

    bool ok() const { return !err_.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return *err_; }
    Failure failure() const { return Failure{*err_}; }

private:
    std::optional<Error> err_;
};

// "0xffffffff81000000": how addresses are named in errors.
std::string hex_address(std::uint64_t addr);

}  // namespace kdive
