// SPDX-License-Identifier: GPL-3.0-or-later
// Loading and unloading plugin shared objects (`extend`, `kdive -x`).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/shell.hpp"

namespace kdive {

class PluginLoader {
public:
    PluginLoader() = default;
    PluginLoader(const PluginLoader&) = delete;
    PluginLoader& operator=(const PluginLoader&) = delete;
    ~PluginLoader();  // unloads every plugin, commands first

    // dlopen, check kdive_plugin_api_version, call kdive_plugin_init; on any failure nothing of
    // the plugin stays registered or mapped.
    Result<PluginInfo> load(const std::string& path);
    // `path` as given to load, or its file name.
    Result<PluginInfo> unload(const std::string& path);
    std::vector<PluginInfo> list() const;

private:
    struct DlClose {
        void operator()(void* handle) const;
    };
    struct Loaded {
        std::string path;
        std::unique_ptr<void, DlClose> handle;
    };
    PluginInfo info(const Loaded& p) const;

    std::vector<Loaded> loaded_;
};

}  // namespace kdive
