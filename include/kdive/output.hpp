// SPDX-License-Identifier: GPL-3.0-or-later
// The one object every command writes through. A command says what it prints — free text, a
// record of labelled fields, rows of a table — and the Output renders it as text (crash's
// layout) or as JSON lines (`kdive --json`, `set output json`): JSON is one more printer, not a
// second implementation of each command.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "kdive/json.hpp"  // json_quote, for commands building raw_json objects

namespace kdive {

// An address or other number that reads best in hex: text "0x1000", JSON the string "0x1000"
// (kernel addresses do not fit a JSON number's 53-bit mantissa).
struct Hex {
    std::uint64_t value = 0;
};

// One value of a record field or table cell.
class Value {
public:
    Value() = default;  // null: text "-", JSON null
    Value(std::nullptr_t) {}
    Value(bool b) : v_(b) {}
    Value(int i) : v_(std::int64_t{i}) {}
    Value(long i) : v_(std::int64_t{i}) {}
    Value(long long i) : v_(std::int64_t{i}) {}
    Value(unsigned u) : v_(std::uint64_t{u}) {}
    Value(unsigned long u) : v_(std::uint64_t{u}) {}
    Value(unsigned long long u) : v_(std::uint64_t{u}) {}
    Value(Hex h) : v_(h) {}
    Value(std::string s) : v_(std::move(s)) {}
    Value(std::string_view s) : v_(std::string(s)) {}
    Value(const char* s) : v_(std::string(s)) {}

    bool is_null() const { return v_.index() == 0; }
    std::string text() const;  // as the text printer shows it
    std::string json() const;  // as a JSON value

private:
    std::variant<std::monostate, bool, std::int64_t, std::uint64_t, Hex, std::string> v_;
};

// Fields shown as crash's "LABEL: value" lines (labels right-aligned, as in `sys`), or as one
// JSON object whose keys are the fields' keys.
class Record {
public:
    struct Field {
        std::string key;    // JSON key: "kaslr_offset"
        std::string label;  // text label: "KASLR OFFSET"; empty: JSON only
        Value value;
        std::string text;   // what the text printer shows; empty: value.text()
    };

    // Key derived from the label: lower case, blanks to '_'.
    Record& field(std::string_view label, Value value, std::string text = {});
    // Only in JSON (the text shows it inside another field's text).
    Record& json_only(std::string_view key, Value value);

    const std::vector<Field>& fields() const { return fields_; }

private:
    std::vector<Field> fields_;
};

struct Column {
    std::string key;     // JSON key
    std::string header;  // text header
    int width = 0;       // text width (a wider cell widens its row only: output streams)
    bool left = false;   // text alignment
};

class Output {
public:
    enum class Format { Text, Json };

    explicit Output(std::FILE* out, Format format = Format::Text, unsigned radix = 10)
        : out_(out), format_(format), radix_(radix) {}
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    Format format() const { return format_; }
    bool json() const { return format_ == Format::Json; }
    // The user's output radix (`set radix`), for commands that print plain numbers.
    unsigned radix() const { return radix_; }
    std::FILE* stream() const { return out_; }

    // Free text. In JSON mode each complete line becomes {"text": "..."}.
    void write(std::string_view s);
    template <typename... Args>
    void print(fmt::format_string<Args...> f, Args&&... args) {
        write(fmt::format(f, std::forward<Args>(args)...));
    }

    void record(const Record& r);
    // JSON mode: a JSON object the command built itself (a value of any shape), one line.
    void raw_json(std::string_view object);

    // A table: the text header is printed before the first row; each row streams out.
    void begin_table(std::vector<Column> columns);
    void row(const std::vector<Value>& cells);

    // Writes whatever free text is pending (a last line without '\n') and flushes.
    void finish();
    // The reader went away (a closed pipe, a pager the user quit): commands should stop. The
    // shell also raises kdive::interrupted() when it happens.
    bool broken() const;

private:
    void emit(std::string_view s);

    std::FILE* out_;
    Format format_;
    unsigned radix_;
    std::string pending_;  // JSON mode: free text up to the next newline
    std::vector<Column> columns_;
    bool header_done_ = false;
};

}  // namespace kdive
