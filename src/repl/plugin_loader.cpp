// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/plugin_loader.hpp"

#include <dlfcn.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "kdive/plugin.hpp"

namespace kdive {

namespace {

class Host final : public PluginHost {
public:
    void add_command(std::unique_ptr<Command> cmd) override {
        auto r = CommandRegistry::global().add(std::move(cmd));
        if (!r) CommandRegistry::global().note_error(r.error());
    }
};

// Owner names in the registry: what was loaded, as an absolute path.
Result<std::string> canonical(const std::string& path) {
    char* real = realpath(path.c_str(), nullptr);
    if (!real) return fail(std::strerror(errno), path);
    std::string s(real);
    std::free(real);
    if (std::filesystem::is_directory(s)) return fail("is a directory", path);
    return s;
}

}  // namespace

void PluginLoader::DlClose::operator()(void* handle) const { dlclose(handle); }

PluginInfo PluginLoader::info(const Loaded& p) const {
    PluginInfo i{p.path, {}};
    auto& reg = CommandRegistry::global();
    for (Command* c : reg.all())
        if (reg.owner(c) == p.path) i.commands.push_back(c->spec().name);
    return i;
}

Result<PluginInfo> PluginLoader::load(const std::string& given) {
    auto path = canonical(given);
    if (!path) return path.failure();
    if (std::any_of(loaded_.begin(), loaded_.end(), [&](const Loaded& l) { return l.path == *path; }))
        return fail("already loaded", given);

    auto& reg = CommandRegistry::global();
    (void)reg.take_errors();
    reg.set_loading_owner(*path);
    // Undo whatever a failed load registered; commands go before their code is unmapped.
    auto abandon = [&](std::string what) -> Failure {
        reg.remove_owner(*path);
        reg.set_loading_owner({});
        (void)reg.take_errors();
        return fail(std::move(what), given);
    };

    dlerror();
    // RTLD_LOCAL: two plugins may define the same helper names without clashing.
    std::unique_ptr<void, DlClose> handle(dlopen(path->c_str(), RTLD_NOW | RTLD_LOCAL));
    if (!handle) {
        const char* e = dlerror();
        return abandon(e ? e : "dlopen failed");
    }
    auto version = reinterpret_cast<int (*)()>(dlsym(handle.get(), "kdive_plugin_api_version"));
    if (!version) {
        auto f = abandon("not a kdive plugin (no kdive_plugin_api_version: use KDIVE_PLUGIN)");
        handle.reset();
        return f;
    }
    if (int v = version(); v != kPluginApiVersion) {
        auto f = abandon(fmt::format("built for plugin API {}, this kdive has {}", v, kPluginApiVersion));
        handle.reset();
        return f;
    }
    if (auto init = reinterpret_cast<void (*)(PluginHost&)>(dlsym(handle.get(), "kdive_plugin_init"))) {
        Host host;
        try {
            init(host);
        } catch (const std::exception& e) {
            auto f = abandon(std::string("kdive_plugin_init failed: ") + e.what());
            handle.reset();
            return f;
        }
    }
    if (auto errors = reg.take_errors(); !errors.empty()) {
        auto f = abandon(errors.front().what);
        handle.reset();
        return f;
    }
    reg.set_loading_owner({});
    loaded_.push_back({*path, std::move(handle)});
    return info(loaded_.back());
}

Result<PluginInfo> PluginLoader::unload(const std::string& given) {
    auto it = std::find_if(loaded_.begin(), loaded_.end(), [&](const Loaded& l) {
        return l.path == given || std::filesystem::path(l.path).filename() == given;
    });
    if (it == loaded_.end()) {
        auto path = canonical(given);
        if (path)
            it = std::find_if(loaded_.begin(), loaded_.end(),
                              [&](const Loaded& l) { return l.path == *path; });
    }
    if (it == loaded_.end()) return fail("not loaded", given);
    PluginInfo i = info(*it);
    CommandRegistry::global().remove_owner(it->path);
    loaded_.erase(it);  // dlclose
    return i;
}

std::vector<PluginInfo> PluginLoader::list() const {
    std::vector<PluginInfo> v;
    for (const auto& l : loaded_) v.push_back(info(l));
    return v;
}

PluginLoader::~PluginLoader() {
    while (!loaded_.empty()) {
        CommandRegistry::global().remove_owner(loaded_.back().path);
        loaded_.pop_back();
    }
}

}  // namespace kdive
