// SPDX-License-Identifier: GPL-3.0-or-later
// Kernel state derived once per session (the task list, the module list): a dump never changes,
// so commands share one reading of it. A live session clears the cache before each command,
// since the running kernel moves on.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <typeindex>

#include "kdive/result.hpp"

namespace kdive {

class SessionCache {
public:
    // The T made by `make` the first time it succeeded; failures are not kept (a later call
    // may succeed, e.g. after `mod -s` made a type known).
    template <typename T>
    Result<const T*> get(const std::function<Result<T>()>& make) {
        auto it = entries_.find(typeid(T));
        if (it != entries_.end()) return static_cast<const T*>(it->second.get());
        auto made = make();
        if (!made) return made.failure();
        auto p = std::make_shared<T>(std::move(*made));
        const T* raw = p.get();
        entries_.emplace(typeid(T), std::move(p));
        return raw;
    }
    // A T that fills itself as it is used (a lookup cache), made empty on first use.
    template <typename T>
    T& state() {
        auto it = entries_.find(typeid(T));
        if (it == entries_.end()) it = entries_.emplace(typeid(T), std::make_shared<T>()).first;
        return *static_cast<T*>(it->second.get());
    }
    void clear() { entries_.clear(); }

private:
    std::map<std::type_index, std::shared_ptr<void>> entries_;
};

}  // namespace kdive
