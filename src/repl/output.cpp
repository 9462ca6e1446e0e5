// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/output.hpp"

#include <algorithm>
#include <cctype>

#include "kdive/interrupt.hpp"

namespace kdive {

namespace {

// The length of the valid UTF-8 sequence starting s[i], or 0 if it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (c >= 0xf5 || n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
    // No overlong forms, no surrogates, nothing past U+10FFFF.
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) || (c == 0xf0 && c1 < 0x90) ||
        (c == 0xf4 && c1 >= 0x90))
        return 0;
    return n;
}

}  // namespace

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += fmt::format("\\u{:04x}", c);
            } else if (c < 0x80) {
                out += static_cast<char>(c);
            } else if (std::size_t n = utf8_length(s, i)) {
                out.append(s.substr(i, n));  // valid UTF-8 passes through
                i += n - 1;
            } else {
                // Kernel bytes need not be UTF-8 (a binary tag in a char array): a JSON text
                // must be, so a stray byte becomes the code point of the same value.
                out += fmt::format("\\u{:04x}", c);
            }
        }
    }
    return out + '"';
}

std::string Value::text() const {
    struct {
        std::string operator()(std::monostate) const { return "-"; }
        std::string operator()(bool b) const { return b ? "yes" : "no"; }
        std::string operator()(std::int64_t i) const { return fmt::format("{}", i); }
        std::string operator()(std::uint64_t u) const { return fmt::format("{}", u); }
        std::string operator()(Hex h) const { return fmt::format("{:#x}", h.value); }
        std::string operator()(const std::string& s) const { return s; }
    } visitor;
    return std::visit(visitor, v_);
}

std::string Value::json() const {
    struct {
        std::string operator()(std::monostate) const { return "null"; }
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(std::int64_t i) const { return fmt::format("{}", i); }
        std::string operator()(std::uint64_t u) const { return fmt::format("{}", u); }
        std::string operator()(Hex h) const { return fmt::format("\"{:#x}\"", h.value); }
        std::string operator()(const std::string& s) const { return json_quote(s); }
    } visitor;
    return std::visit(visitor, v_);
}

namespace {

std::string key_of(std::string_view label) {
    std::string k;
    for (char c : label) {
        if (c == ' ' || c == '-') k += '_';
        else k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return k;
}

}  // namespace

Record& Record::field(std::string_view label, Value value, std::string text) {
    fields_.push_back({key_of(label), std::string(label), std::move(value), std::move(text)});
    return *this;
}

Record& Record::json_only(std::string_view key, Value value) {
    fields_.push_back({std::string(key), {}, std::move(value), {}});
    return *this;
}

void Output::emit(std::string_view s) {
    std::fwrite(s.data(), 1, s.size(), out_);
    // A pipe whose reader left (`| head`, a quit pager): stop the command, as crash does.
    if (std::ferror(out_) && !interrupted()) request_interrupt();
}

bool Output::broken() const { return std::ferror(out_) != 0; }

void Output::write(std::string_view s) {
    if (!json()) {
        emit(s);
        return;
    }
    pending_ += s;
    std::size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
        emit(fmt::format("{{\"text\":{}}}\n", json_quote(std::string_view(pending_).substr(0, nl))));
        pending_.erase(0, nl + 1);
    }
}

void Output::raw_json(std::string_view object) { emit(std::string(object) + "\n"); }

void Output::record(const Record& r) {
    if (json()) {
        std::string line = "{";
        for (const auto& f : r.fields()) {
            if (line.size() > 1) line += ',';
            line += json_quote(f.key) + ':' + f.value.json();
        }
        emit(line + "}\n");
        return;
    }
    std::size_t width = 0;
    for (const auto& f : r.fields()) width = std::max(width, f.label.size());
    for (const auto& f : r.fields()) {
        if (f.label.empty()) continue;
        emit(fmt::format("{:>{}}: {}\n", f.label, width, f.text.empty() ? f.value.text() : f.text));
    }
}

void Output::begin_table(std::vector<Column> columns) {
    columns_ = std::move(columns);
    header_done_ = false;
}

void Output::row(const std::vector<Value>& cells) {
    if (json()) {
        std::string line = "{";
        for (std::size_t i = 0; i < cells.size() && i < columns_.size(); ++i) {
            if (i) line += ',';
            line += json_quote(columns_[i].key) + ':' + cells[i].json();
        }
        emit(line + "}\n");
        return;
    }
    auto render = [&](auto cell_text) {
        std::string line;
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            const Column& c = columns_[i];
            std::string t = cell_text(i);
            const bool last = i + 1 == columns_.size();
            if (i) line += ' ';
            if (c.left) line += last ? t : fmt::format("{:<{}}", t, c.width);
            else line += fmt::format("{:>{}}", t, c.width);
        }
        emit(line + '\n');
    };
    if (!header_done_) {
        render([&](std::size_t i) { return columns_[i].header; });
        header_done_ = true;
    }
    render([&](std::size_t i) { return i < cells.size() ? cells[i].text() : std::string("-"); });
}

void Output::finish() {
    if (json() && !pending_.empty()) {
        emit(fmt::format("{{\"text\":{}}}\n", json_quote(pending_)));
        pending_.clear();
    }
    std::fflush(out_);
    if (std::ferror(out_) && !interrupted()) request_interrupt();
}

}  // namespace kdive
