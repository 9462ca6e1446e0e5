// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/line.hpp"

#include <cctype>
#include <set>

namespace kdive {

namespace {

bool blank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

Result<std::vector<std::string>> split_command_line(std::string_view line) {
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (char c : line) {
        if (quote) {
            if (c == quote) quote = 0;
            else cur += c;
        } else if (c == '"' || c == '\'') {
            quote = c;
            in_word = true;
        } else if (c == '#') {
            break;
        } else if (blank(c)) {
            if (in_word) words.push_back(std::move(cur));
            cur.clear();
            in_word = false;
        } else {
            cur += c;
            in_word = true;
        }
    }
    if (quote) return fail(std::string("unterminated ") + quote + " quote");
    if (in_word) words.push_back(std::move(cur));
    return words;
}

Result<CommandLine> parse_command_line(std::string_view line) {
    CommandLine cl;
    std::string_view t = trim(line);
    if (!t.empty() && t.front() == '!') {
        cl.shell_escape = true;
        cl.shell = std::string(trim(t.substr(1)));
        return cl;
    }
    // Find the first unquoted |, > or # : what follows is not the command's. C expressions
    // use them too (p task->comm, p (flags | 1), p x >> 2): inside () or [] they are the
    // expression's, and > redirects only after a blank, so -> and >> and >= stay words.
    std::size_t end = line.size();
    char quote = 0;
    char sep = 0;
    int depth = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '(' || c == '[') {
            ++depth;
        } else if ((c == ')' || c == ']') && depth > 0) {
            --depth;
        } else if (depth > 0 || (c == '>' && i > 0 && !blank(line[i - 1]))) {
            continue;
        } else if (c == '#' || c == '|' || c == '>') {
            end = i;
            sep = c;
            break;
        }
    }
    auto words = split_command_line(line.substr(0, end));
    if (!words) return words.failure();
    cl.words = std::move(*words);
    if (sep == '|') {
        cl.pipe = std::string(trim(line.substr(end + 1)));
        if (cl.pipe.empty()) return fail("missing shell command after '|'");
        if (cl.words.empty()) return fail("missing command before '|'");
    } else if (sep == '>') {
        std::size_t from = end + 1;
        if (from < line.size() && line[from] == '>') {
            cl.append = true;
            ++from;
        }
        const char* op = cl.append ? "'>>'" : "'>'";
        auto target = split_command_line(line.substr(from));
        if (!target) return target.failure();
        if (target->size() != 1 || target->front().empty())
            return fail(std::string(op) + " needs one file name");
        if (cl.words.empty()) return fail(std::string("missing command before ") + op);
        cl.redirect = target->front();
    }
    return cl;
}

std::pair<std::size_t, std::size_t> first_word(std::string_view line) {
    std::size_t b = 0;
    while (b < line.size() && blank(line[b])) ++b;
    std::size_t e = b;
    while (e < line.size() && !blank(line[e]) && std::string_view("|>#\"'!").find(line[e]) == std::string_view::npos)
        ++e;
    // A quoted or partly quoted first word is not an alias name.
    if (e < line.size() && (line[e] == '"' || line[e] == '\'')) return {b, b};
    return {b, e};
}

std::string expand_aliases(std::string_view line, const std::map<std::string, std::string>& aliases) {
    std::string out(line);
    std::set<std::string, std::less<>> seen;
    while (true) {
        auto [b, e] = first_word(out);
        if (b == e) break;
        std::string name = out.substr(b, e - b);
        auto it = aliases.find(name);
        if (it == aliases.end() || !seen.insert(name).second) break;
        out.replace(b, e - b, it->second);
    }
    return out;
}

std::vector<std::string> expand_aliases(std::vector<std::string> words,
                                        const std::map<std::string, std::string>& aliases) {
    if (words.empty() || !aliases.contains(words.front())) return words;
    auto expanded = split_command_line(expand_aliases(join_words(words), aliases));
    if (!expanded || expanded->empty()) return words;
    return std::move(*expanded);
}

std::string join_words(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ' ';
        bool plain = !w.empty();
        for (char c : w)
            if (blank(c) || std::string_view("\"'#|>").find(c) != std::string_view::npos) plain = false;
        if (plain) {
            out += w;
            continue;
        }
        if (w.empty()) out += "\"\"";
        // Adjacent quoted pieces make one word: "..." around everything but ", '...' around ".
        for (std::size_t i = 0; i < w.size();) {
            const char q = w[i] == '"' ? '\'' : '"';
            std::size_t j = i;
            while (j < w.size() && (w[j] == '"') == (q == '\'')) ++j;
            out += q + w.substr(i, j - i) + q;
            i = j;
        }
    }
    return out;
}

}  // namespace kdive
