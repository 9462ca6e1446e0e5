// SPDX-License-Identifier: GPL-3.0-or-later
// Runtime plugins: a shared object built against include/kdive, loaded with `extend FILE.so` or
// `kdive -x FILE.so`. It defines its entry point with KDIVE_PLUGIN and adds its commands there:
//
//     KDIVE_PLUGIN(host) { host.add_command(std::make_unique<UtsCommand>()); }
//
// (KDIVE_REGISTER_COMMAND works in a plugin too: what registers while it loads belongs to it.)
// `extend -u FILE.so` destroys the plugin's commands, then unloads it. kdive exports its symbols
// (the executable is linked with ENABLE_EXPORTS), so a plugin links nothing of kdive.
#pragma once

#include <memory>

#include "kdive/command.hpp"

namespace kdive {

// Raised whenever a public header changes in a way that breaks plugins built against it.
inline constexpr int kPluginApiVersion = 2;  // 2: typed values and groups in OptionSpec, Arguments

class PluginHost {
public:
    virtual ~PluginHost() = default;
    // A failure (a name already taken) is reported by `extend`, which then unloads the plugin.
    // (A plugin completes its own values by overriding Command::complete: that code goes away
    // with the command, a global completer would outlive the plugin.)
    virtual void add_command(std::unique_ptr<Command> cmd) = 0;
};

}  // namespace kdive

#define KDIVE_PLUGIN(host)                                                             \
    extern "C" int kdive_plugin_api_version() { return ::kdive::kPluginApiVersion; } \
    extern "C" void kdive_plugin_init(::kdive::PluginHost& host)
