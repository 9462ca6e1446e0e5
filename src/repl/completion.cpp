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

// Completes after `words` (words[0] is the command), the word being typed being `prefix`. The
// words go through Arguments::parse_prefix, the parser that runs the command, so a bundled -sx,
// an option's value (-i FILE, -iFILE, --input=FILE) and the positionals read as they will run.
Completion complete_words(Shell& shell, std::vector<std::string> words, std::string_view prefix,
                          int depth) {
    Completion none;
    if (words.empty()) return Completion{0, command_names(shell), false};
    words = expand_aliases(std::move(words), shell.aliases());
    Command* cmd = CommandRegistry::global().find(words[0]);
    if (!cmd) return none;
    if (auto own = cmd->complete(shell.session(), words, prefix)) return Completion{0, std::move(*own), false};

    const CommandSpec& spec = cmd->spec();
    auto args = Arguments::parse_prefix(spec, words);
    if (!args) return none;  // it would not run either: an unknown option, a malformed number
    if (spec.options_first && args->first_positional() && !spec.arguments.empty() &&
        spec.arguments.front().kind == ValueKind::Command && spec.arguments.front().repeated &&
        depth < 8) {
        // The rest is another command line (repeat): complete it as one.
        return complete_words(shell, std::vector<std::string>(words.begin() + *args->first_positional(), words.end()),
                              prefix, depth + 1);
    }
    if (const OptionSpec* o = args->pending()) return values(shell, o->kind, prefix);
    if (!args->options_done() && prefix.starts_with("-")) {
        Completion c;
        for (const auto& o : spec.options) {
            if (o.number) continue;
            // Not an option whose group already has another member on the line.
            const bool excluded = !o.group.empty() && std::any_of(spec.options.begin(), spec.options.end(), [&](const OptionSpec& p) {
                return &p != &o && p.group == o.group && args->has(p.id());
            });
            if (excluded) continue;
            if (!o.short_name.empty()) c.candidates.push_back("-" + o.short_name);
            if (!o.long_name.empty()) c.candidates.push_back("--" + o.long_name);
        }
        return c;
    }
    const std::size_t positionals = args->positionals().size();
    for (std::size_t i = 0; i < spec.arguments.size(); ++i) {
        const ArgumentSpec& a = spec.arguments[i];
        if (i == positionals || a.repeated) return values(shell, a.kind, prefix);
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
