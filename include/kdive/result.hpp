// SPDX-License-Identifier: GPL-3.0-or-later
// Errors are values: every fallible call returns Result<T>, which holds either a T or an Error
// saying what failed and where (an address, a symbol, a file). The shell prints the error on one
// line and goes on; nothing user-controlled aborts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace kdive {

// What kind of failure an Error is, so callers can act on it without parsing its text: a
// walker that meets a fault skips the node and says why at the end; a lookup failure means the
// kernel lacks a member or symbol (feature detection); a type error is a misuse.
enum class ErrorKind : std::uint8_t {
    Other,
    Fault,   // memory could not be read: see Error::fault, address and size
    Lookup,  // a name (symbol, type, member) does not exist
    Type,    // an operation the value's type does not allow
};

// Why memory could not be read.
enum class FaultReason : std::uint8_t {
    None,
    Excluded,   // the page is not in the dump (filtered out by makedumpfile, never captured)
    Unmapped,   // no translation: the address is not mapped by the kernel's page tables
    PastEnd,    // the dump file is truncated before this page's data
    Corrupt,    // the dump's data for it cannot be decoded
    Other,
};

struct Error {
    std::string what;   // what failed, e.g. "page excluded from the dump"
    std::string where;  // where: "0xffffffff81000000", "init_uts_ns", "/path/vmcore"; may be empty
    ErrorKind kind = ErrorKind::Other;
    FaultReason fault = FaultReason::None;  // for ErrorKind::Fault
    std::uint64_t address = 0;  // Fault: the first address that could not be read
    std::uint64_t size = 0;     // Fault: bytes asked for from `address` on

    // One line for the user: "where: what" (or just "what").
    std::string message() const { return where.empty() ? what : where + ": " + what; }
    bool is_fault() const { return kind == ErrorKind::Fault; }
    // The same error with more said in front: "cannot read task_struct: " + what.
    Error prefixed(std::string_view context) const {
        Error e = *this;
        e.what = std::string(context) + e.what;
        return e;
    }
};

// Tag type so `return fail("...")` converts to any Result<T>.
struct Failure {
    Error error;
};
inline Failure fail(std::string what, std::string where = {}) {
    return Failure{Error{std::move(what), std::move(where)}};
}
inline Failure fail(Error e) { return Failure{std::move(e)}; }
// A name that does not exist: a symbol, type or member this kernel lacks.
inline Failure fail_lookup(std::string what, std::string where = {}) {
    return Failure{Error{std::move(what), std::move(where), ErrorKind::Lookup}};
}
// An operation the value's type does not allow.
inline Failure fail_type(std::string what, std::string where = {}) {
    return Failure{Error{std::move(what), std::move(where), ErrorKind::Type}};
}
// Memory that could not be read: `size` bytes at `address`, and why.
Failure fail_fault(FaultReason why, std::uint64_t address, std::uint64_t size, std::string what);

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

    // f(value) if this holds one (f returns a Result), else this failure: chains of lookups
    // without an early return after each.
    template <typename F>
    auto and_then(F&& f) const& -> decltype(f(std::declval<const T&>())) {
        if (!ok()) return failure();
        return f(value());
    }

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
