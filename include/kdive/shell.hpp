// SPDX-License-Identifier: GPL-3.0-or-later
// The shell as commands see it: settings (`set`), aliases, plugins, and running another command
// (`repeat`). Reached from a command through Arguments::shell().
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/output.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct Settings {
    unsigned radix = 10;  // crash's default; `set radix 10|16`
    bool scroll = true;   // `set scroll on|off`: the pager, on a terminal only
    Output::Format format = Output::Format::Text;  // `set output text|json`, `kdive --json`
};

struct PluginInfo {
    std::string path;                   // as loaded (absolute)
    std::vector<std::string> commands;  // what it registered
};

class Shell {
public:
    virtual ~Shell() = default;

    virtual Session& session() = 0;
    virtual Settings& settings() = 0;

    // Runs one command (words[0] is its name or an alias) writing to `out`; what a line's
    // pipes and redirections were already applied to.
    virtual Result<void> execute(const std::vector<std::string>& words, Output& out) = 0;

    virtual const std::map<std::string, std::string>& aliases() const = 0;
    // NAME is replaced by TEXT when it starts a line ("alias ll \"help sys\"").
    virtual Result<void> set_alias(const std::string& name, const std::string& text) = 0;
    virtual Result<void> remove_alias(const std::string& name) = 0;

    virtual Result<PluginInfo> load_plugin(const std::string& path) = 0;
    virtual Result<PluginInfo> unload_plugin(const std::string& path) = 0;
    virtual std::vector<PluginInfo> plugins() const = 0;

    // Leave after the current line.
    virtual void quit() = 0;
};

}  // namespace kdive
