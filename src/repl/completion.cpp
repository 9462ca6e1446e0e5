// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/completion.hpp"

#include <algorithm>
#include <cstring>

#include "kdive/command.hpp"
#include "repl/line.hpp"

namespace kdive {

namespace {

void keep_prefixed(std::vector<std::string>& v, std::string_view prefix) {
    std::erase_if(v, [&](const std::string& s) { return !s.starts_with(prefix); });
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

std::vector<std::string> command_names(Shell& shell) {
    std::vector<std::string> v;
    for (Command* c : CommandRegistry::global().all()) {
        v.push_back(c->spec().name);
        for (const auto& a : c->spec().aliases) v.push_back(a);
    }
    for (const auto& [name, text] : shell.aliases()) v.push_back(name);
    return v;
}

Completion values(Shell& shell, ValueKind kind, std::string_view prefix) {
    Completion c;
    if (kind == ValueKind::File) {
        c.files = true;
        return c;
    }
    if (kind == ValueKind::Command) c.candidates = command_names(shell);
    else if (const Completer* f = find_completer(kind)) c.candidates = (*f)(shell.session(), prefix);
    return c;
}

// Completes after `words` (words[0] is the command), the word being typed being `prefix`.
Completion complete_words(Shell& shell, std::vector<std::string> words, std::string_view prefix,
                          int depth) {
    Completion none;
    if (words.empty()) return Completion{0, command_names(shell), false};
    if (auto a = shell.aliases().find(words[0]); a != shell.aliases().end() && depth < 8) {
        auto expanded = split_command_line(a->second);
        if (expanded && !expanded->empty()) {
            expanded->insert(expanded->end(), words.begin() + 1, words.end());
            return complete_words(shell, std::move(*expanded), prefix, depth + 1);
        }
    }
    Command* cmd = CommandRegistry::global().find(words[0]);
    if (!cmd) return none;
    if (auto own = cmd->complete(shell.session(), words, prefix)) return Completion{0, std::move(*own), false};

    const CommandSpec& spec = cmd->spec();
    const OptionSpec* wants_value = nullptr;
    std::size_t positionals = 0;
    bool options_done = false;
    for (std::size_t i = 1; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (wants_value) {
            wants_value = nullptr;
            continue;
        }
        if (!options_done && w == "--") {
            options_done = true;
            continue;
        }
        if (!options_done && w.size() > 1 && w[0] == '-') {
            // An option whose value is the next word: -i, --input (not --input=X, -iX).
            for (const auto& o : spec.options) {
                if (o.argument.empty() || o.number) continue;
                if (w == "-" + o.short_name || (!o.long_name.empty() && w == "--" + o.long_name))
                    wants_value = &o;
            }
            continue;
        }
        if (spec.options_first && positionals == 0 && !spec.arguments.empty() &&
            spec.arguments.front().kind == ValueKind::Command && spec.arguments.front().repeated) {
            // The rest is another command line (repeat): complete it as one.
            return complete_words(shell, std::vector<std::string>(words.begin() + i, words.end()),
                                  prefix, depth + 1);
        }
        ++positionals;
        if (spec.options_first) options_done = true;
    }
    if (wants_value) return values(shell, wants_value->kind, prefix);
    if (!options_done && prefix.starts_with("-")) {
        Completion c;
        for (const auto& o : spec.options) {
            if (o.number) continue;
            if (!o.short_name.empty()) c.candidates.push_back("-" + o.short_name);
            if (!o.long_name.empty()) c.candidates.push_back("--" + o.long_name);
        }
        return c;
    }
    for (std::size_t i = 0, seen = 0; i < spec.arguments.size(); ++i) {
        const ArgumentSpec& a = spec.arguments[i];
        if (seen == positionals || a.repeated) return values(shell, a.kind, prefix);
        ++seen;
    }
    return none;
}

}  // namespace

Completion complete_line(Shell& shell, std::string_view line) {
    // The word being typed starts after the last break character.
    std::size_t start = line.find_last_of(kCompletionBreaks);
    start = start == std::string_view::npos ? 0 : start + 1;
    std::string_view prefix = line.substr(start);

    Completion c;
    std::string_view head = line.substr(0, start);
    auto lead = line.find_first_not_of(" \t");
    // After '!', '|' or '>' it is the shell's business, or a file name.
    if ((lead != std::string_view::npos && line[lead] == '!') ||
        head.find_first_of("|>") != std::string_view::npos) {
        c.files = true;
    } else if (auto words = split_command_line(head)) {
        c = complete_words(shell, std::move(*words), prefix, 0);
    }
    c.start = start;
    if (!c.files) keep_prefixed(c.candidates, prefix);
    return c;
}

}  // namespace kdive
