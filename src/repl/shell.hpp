// SPDX-License-Identifier: GPL-3.0-or-later
// The shell: runs command lines (aliases, `!cmd`, `| pipe`, `> file`, the pager), from a batch
// file, from stdin, or at a readline prompt.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "kdive/shell.hpp"
#include "repl/plugin_loader.hpp"

namespace kdive {

class ReplShell final : public Shell {
public:
    explicit ReplShell(Session& session) : session_(session) {}

    Session& session() override { return session_; }
    Settings& settings() override { return settings_; }
    Result<void> execute(const std::vector<std::string>& words, Output& out) override;

    const std::map<std::string, std::string>& aliases() const override { return aliases_; }
    Result<void> set_alias(const std::string& name, const std::string& text) override;
    Result<void> remove_alias(const std::string& name) override;

    Result<PluginInfo> load_plugin(const std::string& path) override { return plugins_.load(path); }
    Result<PluginInfo> unload_plugin(const std::string& path) override { return plugins_.unload(path); }
    std::vector<PluginInfo> plugins() const override { return plugins_.list(); }

    void quit() override { quit_ = true; }
    bool quitting() const { return quit_; }

    // One line as typed. Errors are printed on one line to stderr and counted.
    void run_line(std::string_view line);
    // Every line of `in` until EOF, `q`, or Ctrl-C; returns how many failed.
    int run_batch(std::FILE* in);
    // The readline prompt, with history in `history_file` (empty: none).
    void run_interactive(const std::string& history_file);

    int failures() const { return failures_; }

private:
    // Runs words whose aliases are already expanded (run_line expands the text, execute the words).
    Result<void> run_words(std::vector<std::string> words, Output& out);
    void report(const std::string& message);

    Session& session_;
    Settings settings_;
    std::map<std::string, std::string> aliases_;
    PluginLoader plugins_;
    bool quit_ = false;
    bool interactive_ = false;  // the pager only at the prompt
    int failures_ = 0;
};

}  // namespace kdive
