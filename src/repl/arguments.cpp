// SPDX-License-Identifier: GPL-3.0-or-later
// The one option parser: words against a CommandSpec's table (getopt's rules plus crash's
// multi-character short options such as rd's -64 and repeat's -seconds). Execution and
// completion both go through it, so a bundled -sx or an option's value reads the same in both.
#include <algorithm>
#include <charconv>

#include "kdive/address.hpp"
#include "kdive/command.hpp"
#include "kdive/tasks.hpp"

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

std::optional<std::uint64_t> unsigned_number(std::string_view s, int base) {
    if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2), base = 16;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// The value of a numeric kind as two's complement bits (Integer may be negative); nullopt for a
// kind that is not a number. `what` names the value in the error: "option '-c'", "count".
Result<std::optional<std::uint64_t>> convert(ValueKind kind, const std::string& text,
                                             const std::string& what) {
    switch (kind) {
    case ValueKind::Number:
        if (auto v = unsigned_number(text, 10)) return std::optional<std::uint64_t>(*v);
        return fail(fmt::format("{} needs a number, not {}", what, quoted(text)));
    case ValueKind::Hex:
        if (auto v = unsigned_number(text, 16)) return std::optional<std::uint64_t>(*v);
        return fail(fmt::format("{} needs a hex number, not {}", what, quoted(text)));
    case ValueKind::Integer: {
        std::string_view s = text;
        const bool negative = s.starts_with('-');
        if (negative) s.remove_prefix(1);
        auto v = unsigned_number(s, 10);
        const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
        if (!v || *v > limit) return fail(fmt::format("{} needs a number, not {}", what, quoted(text)));
        return std::optional<std::uint64_t>(negative ? ~*v + 1 : *v);
    }
    default:
        return std::optional<std::uint64_t>{};
    }
}

}  // namespace

std::vector<OptionSpec> with_radix_options(std::vector<OptionSpec> options) {
    options.push_back({.short_name = "x", .help = "integers in hexadecimal", .group = std::string(kRadixGroup)});
    options.push_back({.short_name = "d", .help = "integers in decimal", .group = std::string(kRadixGroup)});
    return options;
}

const OptionSpec* Arguments::find(std::string_view option) const {
    for (const auto& o : spec_->options)
        if (o.id() == option || o.short_name == option || o.long_name == option) return &o;
    return nullptr;
}

std::vector<const Arguments::Given*> Arguments::given(std::string_view name) const {
    std::vector<const Given*> out;
    if (const OptionSpec* o = find(name)) {
        for (const auto& g : given_)
            if (g.id == o->id()) out.push_back(&g);
        return out;
    }
    for (const auto& g : bound_)
        if (g.id == name) out.push_back(&g);
    return out;
}

bool Arguments::has(std::string_view option) const { return !given(option).empty(); }

std::optional<std::string> Arguments::value(std::string_view option) const {
    auto g = given(option);
    if (g.empty()) return std::nullopt;
    return g.back()->value;
}

std::vector<std::string> Arguments::values(std::string_view option) const {
    std::vector<std::string> out;
    for (const Given* g : given(option)) out.push_back(g->value);
    return out;
}

std::optional<std::uint64_t> Arguments::number(std::string_view name) const {
    auto g = given(name);
    if (g.empty()) return std::nullopt;
    return g.back()->number;
}

std::optional<std::int64_t> Arguments::integer(std::string_view name) const {
    auto n = number(name);
    if (!n) return std::nullopt;
    return static_cast<std::int64_t>(*n);
}

std::vector<std::uint64_t> Arguments::numbers(std::string_view name) const {
    std::vector<std::uint64_t> out;
    for (const Given* g : given(name))
        if (g->number) out.push_back(*g->number);
    return out;
}

unsigned Arguments::radix(unsigned fallback) const {
    for (auto g = given_.rbegin(); g != given_.rend(); ++g) {
        const OptionSpec* o = find(g->id);
        if (o && o->group == kRadixGroup) return o->short_name == "x" ? 16 : 10;
    }
    return fallback;
}

Result<std::uint64_t> Arguments::address(Session& session, std::string_view name) const {
    auto v = value(name);
    if (!v) return fail("missing " + std::string(name));
    return parse_address(session, *v);
}

Result<const Task*> Arguments::task(Session& session, std::string_view name) const {
    auto v = value(name);
    if (!v) return fail("missing " + std::string(name));
    return find_task(session, *v);
}

Result<std::vector<const Task*>> Arguments::tasks(Session& session, std::string_view name) const {
    std::vector<const Task*> out;
    for (const Given* g : given(name)) {
        auto t = find_task(session, g->value);
        if (!t) return t.failure();
        out.push_back(*t);
    }
    return out;
}

Result<Arguments> Arguments::parse(const CommandSpec& spec, std::vector<std::string> words,
                                   Shell* shell) {
    return parse_words(spec, std::move(words), shell, false);
}

Result<Arguments> Arguments::parse_prefix(const CommandSpec& spec, std::vector<std::string> words) {
    return parse_words(spec, std::move(words), nullptr, true);
}

Result<Arguments> Arguments::parse_words(const CommandSpec& spec, std::vector<std::string> words,
                                         Shell* shell, bool prefix) {
    Arguments a;
    a.spec_ = &spec;
    a.shell_ = shell;
    if (words.empty()) words.push_back(spec.name);
    a.words_ = std::move(words);
    const auto& w = a.words_;

    // Records option `o`'s value, converted to its kind.
    auto give = [&](const OptionSpec& o, std::string value) -> Result<void> {
        auto n = convert(o.number ? ValueKind::Number : o.kind, value, "option " + quoted(shown(o)));
        if (!n) return n.failure();
        a.given_.push_back({o.id(), std::move(value), *n});
        return {};
    };

    for (std::size_t i = 1; i < w.size(); ++i) {
        const std::string& word = w[i];
        if (a.options_done_ || word.size() < 2 || word[0] != '-') {
            if (!a.first_positional_) a.first_positional_ = i;
            a.positionals_.push_back(word);
            if (spec.options_first) a.options_done_ = true;
            continue;
        }
        if (word == "--") {
            a.options_done_ = true;
            continue;
        }
        // The value of option `o` given as `-xVALUE`/`--x=VALUE` (inline) or as the next word;
        // before the cursor, a missing next word is the one being typed.
        auto take_value = [&](const OptionSpec& o, std::optional<std::string> inline_value)
            -> Result<void> {
            if (inline_value) return give(o, std::move(*inline_value));
            if (i + 1 >= w.size()) {
                if (prefix) {
                    a.pending_ = &o;
                    return {};
                }
                return fail(fmt::format("option '{}' needs an argument ({})", shown(o), o.argument));
            }
            return give(o, w[++i]);
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
                if (auto r = give(*num, std::string(body)); !r) return r.failure();
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

    // Option groups: two options of one group, in the order typed.
    for (std::size_t i = 0; i < a.given_.size(); ++i) {
        const OptionSpec* first = a.find(a.given_[i].id);
        if (!first || first->group.empty()) continue;
        for (std::size_t j = i + 1; j < a.given_.size(); ++j) {
            const OptionSpec* second = a.find(a.given_[j].id);
            if (second && second != first && second->group == first->group)
                return fail(fmt::format("{} and {} are mutually exclusive", shown(*first), shown(*second)));
        }
    }
    // Before the cursor the positionals are not all there: which ArgumentSpec the word being
    // typed fills is the completer's business.
    if (prefix) return a;

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
    // Which ArgumentSpec each positional fills: the required ones first, the optional ones left
    // to right with what remains (list's [struct.member] start), a repeated one the rest.
    std::size_t budget = a.positionals_.size() - min, next = 0;
    for (const auto& arg : spec.arguments) {
        std::size_t take = arg.repeated ? a.positionals_.size() - next : arg.optional ? (budget ? 1 : 0) : 1;
        if (arg.optional && !arg.repeated && take) --budget;
        for (; take > 0 && next < a.positionals_.size(); --take, ++next) {
            auto n = convert(arg.kind, a.positionals_[next], arg.name);
            if (!n) return n.failure();
            a.bound_.push_back({arg.name, a.positionals_[next], *n});
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
