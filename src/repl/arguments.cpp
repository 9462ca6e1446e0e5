// SPDX-License-Identifier: GPL-3.0-or-later
// The one option parser: words against a CommandSpec's table (getopt's rules plus crash's
// multi-character short options such as rd's -64 and repeat's -seconds).
#include <algorithm>

#include "kdive/command.hpp"

namespace kdive {

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A word inside an error message: control characters escaped, so the message stays one line.
std::string quoted(std::string_view word) {
    std::string s = "'";
    for (unsigned char c : word) {
        if (c == '\n') s += "\\n";
        else if (c == '\t') s += "\\t";
        else if (c < 0x20 || c == 0x7f) s += fmt::format("\\x{:02x}", c);
        else s += static_cast<char>(c);
    }
    return s + "'";
}

std::string shown(const OptionSpec& o) {
    if (o.number) return "-" + o.argument;
    return o.short_name.empty() ? "--" + o.long_name : "-" + o.short_name;
}

}  // namespace

const OptionSpec* Arguments::find(std::string_view option) const {
    for (const auto& o : spec_->options)
        if (o.id() == option || o.short_name == option || o.long_name == option) return &o;
    return nullptr;
}

bool Arguments::has(std::string_view option) const {
    const OptionSpec* o = find(option);
    return o && std::any_of(given_.begin(), given_.end(), [&](const Given& g) { return g.id == o->id(); });
}

std::optional<std::string> Arguments::value(std::string_view option) const {
    auto v = values(option);
    if (v.empty()) return std::nullopt;
    return v.back();
}

std::vector<std::string> Arguments::values(std::string_view option) const {
    std::vector<std::string> out;
    const OptionSpec* o = find(option);
    if (!o) return out;
    for (const auto& g : given_)
        if (g.id == o->id()) out.push_back(g.value);
    return out;
}

Result<Arguments> Arguments::parse(const CommandSpec& spec, std::vector<std::string> words,
                                   Shell* shell) {
    Arguments a;
    a.spec_ = &spec;
    a.shell_ = shell;
    if (words.empty()) words.push_back(spec.name);
    a.words_ = std::move(words);
    const auto& w = a.words_;

    bool options_done = false;
    for (std::size_t i = 1; i < w.size(); ++i) {
        const std::string& word = w[i];
        if (options_done || word.size() < 2 || word[0] != '-') {
            a.positionals_.push_back(word);
            if (spec.options_first) options_done = true;
            continue;
        }
        if (word == "--") {
            options_done = true;
            continue;
        }
        // The value of option `o` given as `-xVALUE`/`--x=VALUE` (inline) or as the next word.
        auto take_value = [&](const OptionSpec& o, std::optional<std::string> inline_value)
            -> Result<void> {
            if (inline_value) {
                a.given_.push_back({o.id(), std::move(*inline_value)});
                return {};
            }
            if (i + 1 >= w.size())
                return fail(fmt::format("option '{}' needs an argument ({})", shown(o), o.argument));
            a.given_.push_back({o.id(), w[++i]});
            return {};
        };

        if (word.starts_with("--")) {
            std::string_view body = std::string_view(word).substr(2);
            std::optional<std::string> inline_value;
            if (auto eq = body.find('='); eq != std::string_view::npos) {
                inline_value = std::string(body.substr(eq + 1));
                body = body.substr(0, eq);
            }
            auto it = std::find_if(spec.options.begin(), spec.options.end(),
                                   [&](const OptionSpec& o) { return !o.long_name.empty() && o.long_name == body; });
            if (it == spec.options.end()) return fail("unknown option " + quoted(std::string("--") + std::string(body)));
            if (it->argument.empty()) {
                if (inline_value) return fail("option " + quoted("--" + std::string(body)) + " takes no argument");
                a.given_.push_back({it->id(), {}});
                continue;
            }
            if (auto r = take_value(*it, std::move(inline_value)); !r) return r.failure();
            continue;
        }

        std::string_view body = std::string_view(word).substr(1);
        // A whole-word short option first: crash's -64, -16.
        auto whole = std::find_if(spec.options.begin(), spec.options.end(),
                                  [&](const OptionSpec& o) { return !o.number && o.short_name == body; });
        if (whole != spec.options.end()) {
            if (whole->argument.empty()) a.given_.push_back({whole->id(), {}});
            else if (auto r = take_value(*whole, std::nullopt); !r) return r.failure();
            continue;
        }
        if (all_digits(body)) {
            auto num = std::find_if(spec.options.begin(), spec.options.end(),
                                    [](const OptionSpec& o) { return o.number; });
            if (num != spec.options.end()) {
                a.given_.push_back({num->id(), std::string(body)});
                continue;
            }
        }
        // Bundled one-letter options: -xs, -iFILE.
        for (std::size_t j = 0; j < body.size(); ++j) {
            auto o = std::find_if(spec.options.begin(), spec.options.end(), [&](const OptionSpec& o) {
                return !o.number && o.short_name.size() == 1 && o.short_name[0] == body[j];
            });
            if (o == spec.options.end())
                return fail(j == 0 ? "unknown option " + quoted(word)
                                   : "unknown option " + quoted(std::string("-") + body[j]) + " in " + quoted(word));
            if (o->argument.empty()) {
                a.given_.push_back({o->id(), {}});
                continue;
            }
            std::optional<std::string> rest;
            if (j + 1 < body.size()) rest = std::string(body.substr(j + 1));
            if (auto r = take_value(*o, std::move(rest)); !r) return r.failure();
            break;
        }
    }

    std::size_t max = 0, min = 0;
    bool unbounded = false;
    for (const auto& arg : spec.arguments) {
        if (arg.repeated) unbounded = true;
        else ++max;
        if (!arg.optional) ++min;
    }
    if (!unbounded && a.positionals_.size() > max)
        return fail("unexpected argument " + quoted(a.positionals_[max]));
    if (a.positionals_.size() < min) {
        std::size_t required = 0;
        for (const auto& arg : spec.arguments) {
            if (arg.optional) continue;
            if (required++ == a.positionals_.size()) return fail("missing argument: " + arg.name);
        }
    }
    return a;
}

std::string Arguments::joined() const {
    std::string out;
    for (const auto& w : positionals_) {
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

}  // namespace kdive
