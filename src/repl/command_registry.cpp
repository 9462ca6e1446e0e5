// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <map>

#include "kdive/command.hpp"

namespace kdive {

CommandRegistry& CommandRegistry::global() {
    static CommandRegistry registry;  // built on first use: safe from static-init order
    return registry;
}

Result<void> CommandRegistry::add(std::unique_ptr<Command> cmd) {
    const CommandSpec& s = cmd->spec();
    std::vector<std::string> names = s.aliases;
    names.push_back(s.name);
    for (const auto& n : names) {
        if (n.empty()) return fail("a command needs a name", loading_owner_);
        if (Command* other = find(n))
            return fail(fmt::format("command name '{}' is taken by '{}'", n, other->spec().name),
                        loading_owner_.empty() ? s.name : loading_owner_);
    }
    commands_.push_back({std::move(cmd), loading_owner_});
    return {};
}

void CommandRegistry::remove_owner(std::string_view owner) {
    std::erase_if(commands_, [&](const Entry& e) { return e.owner == owner; });
}

Command* CommandRegistry::find(std::string_view name) const {
    for (const auto& e : commands_) {
        const CommandSpec& s = e.cmd->spec();
        if (s.name == name || std::find(s.aliases.begin(), s.aliases.end(), name) != s.aliases.end())
            return e.cmd.get();
    }
    return nullptr;
}

std::vector<Command*> CommandRegistry::all() const {
    std::vector<Command*> v;
    for (const auto& e : commands_) v.push_back(e.cmd.get());
    std::sort(v.begin(), v.end(),
              [](Command* a, Command* b) { return a->spec().name < b->spec().name; });
    return v;
}

std::string CommandRegistry::owner(const Command* cmd) const {
    for (const auto& e : commands_)
        if (e.cmd.get() == cmd) return e.owner;
    return {};
}

namespace {

std::map<ValueKind, Completer>& completers() {
    static std::map<ValueKind, Completer> m;
    return m;
}

}  // namespace

void set_completer(ValueKind kind, Completer completer) { completers()[kind] = std::move(completer); }

const Completer* find_completer(ValueKind kind) {
    auto& m = completers();
    auto it = m.find(kind);
    return it == m.end() || !it->second ? nullptr : &it->second;
}

}  // namespace kdive
