// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/name_completers.hpp"

#include <algorithm>
#include <memory>

#include "kdive/command.hpp"

namespace kdive {

std::vector<std::string> elf_symbol_names(const ElfFile& elf) {
    std::vector<std::string> names;
    names.reserve(elf.symbols().size());
    for (const ElfSymbol& s : elf.symbols())
        if (s.type == STT_FUNC || s.type == STT_OBJECT || s.type == STT_NOTYPE) names.emplace_back(s.name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::vector<std::string> member_path_candidates(DebugInfo& di, std::string_view prefix) {
    const auto dot = prefix.rfind('.');
    if (dot == std::string_view::npos) return di.names_with_prefix(prefix, NameClass::Type);
    // Walk the path before the last dot: a type, then members (through anonymous ones).
    std::string_view path = prefix.substr(0, dot);
    const auto first = path.find('.');
    std::string type_name(path.substr(0, first));
    auto t = di.find_type(type_name);
    if (!t) t = di.find_type("struct " + type_name);
    if (!t) return {};
    const Type* cur = di.complete(strip_typedefs(*t));
    for (std::size_t b = first; b != std::string_view::npos && cur;) {
        const auto e = path.find('.', b + 1);
        auto m = find_member(cur, path.substr(b + 1, e == std::string_view::npos ? e : e - b - 1));
        if (!m) return {};
        cur = di.complete(strip_typedefs(m->member->type.get()));
        b = e;
    }
    if (!cur || (cur->kind != TypeKind::Struct && cur->kind != TypeKind::Union)) return {};
    const std::string_view tail = prefix.substr(dot + 1);
    std::vector<std::string> out;
    // Members of anonymous members are reachable by name: list them too.
    std::vector<const Type*> todo{cur};
    while (!todo.empty()) {
        const Type* s = todo.back();
        todo.pop_back();
        for (const Member& m : s->members) {
            if (m.name.empty()) {
                if (const Type* inner = di.complete(strip_typedefs(m.type.get()))) todo.push_back(inner);
            } else if (std::string_view(m.name).starts_with(tail)) {
                out.push_back(std::string(prefix.substr(0, dot + 1)) + m.name);
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

void register_name_completers(const ElfFile& vmlinux) {
    // Shared by both kinds; filled once, when first asked.
    auto names = std::make_shared<std::vector<std::string>>();
    auto loaded = std::make_shared<bool>(false);
    Completer symbols = [&vmlinux, names, loaded](Session&, std::string_view prefix) {
        if (!*loaded) {
            *names = elf_symbol_names(vmlinux);
            *loaded = true;
        }
        auto lo = std::lower_bound(names->begin(), names->end(), prefix);
        std::vector<std::string> out;
        for (auto it = lo; it != names->end() && it->starts_with(prefix); ++it) out.push_back(*it);
        return out;
    };
    set_completer(ValueKind::Symbol, symbols);
    set_completer(ValueKind::Address, symbols);
    set_completer(ValueKind::Type, [](Session& s, std::string_view prefix) {
        auto di = s.debuginfo();
        return di ? (*di)->names_with_prefix(prefix, NameClass::Type) : std::vector<std::string>{};
    });
    set_completer(ValueKind::Member, [](Session& s, std::string_view prefix) {
        auto di = s.debuginfo();
        return di ? member_path_candidates(**di, prefix) : std::vector<std::string>{};
    });
}

}  // namespace kdive
