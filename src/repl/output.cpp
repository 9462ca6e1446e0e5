// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/output.hpp"

#include <algorithm>
#include <cctype>

#include "kdive/interrupt.hpp"

namespace kdive {

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
