// SPDX-License-Identifier: GPL-3.0-or-later
// `help NAME` from a command's table, in crash's layout.
#include "repl/help_page.hpp"

#include "kdive/command.hpp"

namespace kdive {

std::string option_form(const OptionSpec& o) {
    if (o.number) return "-" + o.argument;
    std::string s;
    if (!o.short_name.empty()) s = "-" + o.short_name;
    if (!o.long_name.empty()) s += (s.empty() ? "--" : ", --") + o.long_name;
    if (!o.argument.empty()) s += " " + o.argument;
    return s;
}

namespace {

std::string synopsis_form(const OptionSpec& o) {
    if (o.number) return "-" + o.argument;
    if (!o.short_name.empty()) return "-" + o.short_name + (o.argument.empty() ? "" : " " + o.argument);
    return "--" + o.long_name + (o.argument.empty() ? "" : " " + o.argument);
}

}  // namespace

std::string synopsis(const CommandSpec& spec) {
    if (!spec.synopsis.empty()) return spec.synopsis;
    std::string s = spec.name;
    for (std::size_t i = 0; i < spec.options.size(); ++i) {
        const OptionSpec& o = spec.options[i];
        if (o.group.empty()) {
            s += " [" + synopsis_form(o) + "]";
            continue;
        }
        // A group where its first member is: [-x | -d], one of them at most.
        bool seen = false;
        for (std::size_t j = 0; j < i && !seen; ++j) seen = spec.options[j].group == o.group;
        if (seen) continue;
        std::string alternatives;
        for (std::size_t j = i; j < spec.options.size(); ++j)
            if (spec.options[j].group == o.group)
                alternatives += (alternatives.empty() ? "" : " | ") + synopsis_form(spec.options[j]);
        s += " [" + alternatives + "]";
    }
    for (const auto& a : spec.arguments) {
        std::string word = a.name + (a.repeated ? " ..." : "");
        s += a.optional ? " [" + word + "]" : " " + word;
    }
    return s;
}

namespace {

void indented(std::string& out, std::string_view text, std::string_view indent) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty()) out.append(indent).append(line);
        out += '\n';
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
}

// "  -i FILE    help", continuation lines of the help under its first line.
void item(std::string& out, const std::string& form, std::string_view help) {
    constexpr std::size_t kColumn = 20;
    std::string head = "  " + form;
    bool first = true;
    if (head.size() + 2 > kColumn) {
        out += head + '\n';
        head.clear();
    }
    while (true) {
        auto nl = help.find('\n');
        std::string_view line = help.substr(0, nl);
        out += fmt::format("{:<{}}{}\n", first ? head : std::string(), kColumn, line);
        first = false;
        if (nl == std::string_view::npos) break;
        help = help.substr(nl + 1);
    }
}

}  // namespace

std::string help_page(const CommandSpec& spec) {
    std::string out = "NAME\n  " + spec.name;
    for (const auto& a : spec.aliases) out += ", " + a;
    out += " - " + spec.summary + "\n\nSYNOPSIS\n  " + synopsis(spec) + "\n";
    if (!spec.description.empty()) {
        out += "\nDESCRIPTION\n";
        indented(out, spec.description, "  ");
    }
    bool any = !spec.options.empty();
    for (const auto& a : spec.arguments) any = any || !a.help.empty();
    if (any) {
        out += "\nOPTIONS\n";
        for (const auto& o : spec.options) item(out, option_form(o), o.help);
        for (const auto& a : spec.arguments)
            if (!a.help.empty()) item(out, a.name, a.help);
    }
    if (!spec.examples.empty()) {
        out += "\nEXAMPLES\n";
        bool first = true;
        for (const auto& e : spec.examples) {
            if (!first) out += '\n';
            first = false;
            indented(out, e.text, "  ");
            out += "\n    kdive> " + e.command + "\n";
            indented(out, e.output, "    ");
        }
    }
    return out;
}

}  // namespace kdive
