// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>

#include "kdive/command.hpp"

namespace kdive {

CommandRegistry& CommandRegistry::global() {
    static CommandRegistry registry;  // built on first use: safe from static-init order
    return registry;
}

void CommandRegistry::add(std::unique_ptr<Command> cmd) { commands_.push_back(std::move(cmd)); }

Command* CommandRegistry::find(std::string_view name) const {
    for (const auto& c : commands_) {
        const CommandSpec& s = c->spec();
        if (s.name == name || std::find(s.aliases.begin(), s.aliases.end(), name) != s.aliases.end())
            return c.get();
    }
    return nullptr;
}

std::vector<Command*> CommandRegistry::all() const {
    std::vector<Command*> v;
    for (const auto& c : commands_) v.push_back(c.get());
    std::sort(v.begin(), v.end(),
              [](Command* a, Command* b) { return a->spec().name < b->spec().name; });
    return v;
}

}  // namespace kdive
