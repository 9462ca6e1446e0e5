// SPDX-License-Identifier: GPL-3.0-or-later
// A session on the running kernel: `kdive VMLINUX` reads its memory through /proc/kcore,
// read-only. The vmlinux is checked against it as against a dump (VMCOREINFO in /proc/kcore
// since Linux 4.19, else /sys/kernel/notes and linux_banner).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "session/dump_session.hpp"
#include "memory/kcore_target.hpp"

namespace kdive {

// Where the running kernel is described; other files only in tests.
struct LivePaths {
    std::string kcore = "/proc/kcore";
    std::string kallsyms = "/proc/kallsyms";
    std::string notes = "/sys/kernel/notes";
};

class LiveSession final : public KernelSession {
public:
    static Result<std::unique_ptr<LiveSession>> open(const std::string& vmlinux,
                                                     const SessionOptions& options = {},
                                                     const LivePaths& paths = {});

    KcoreTarget& target() override { return *target_; }
    std::optional<std::string> vmcoreinfo(std::string_view key) const override {
        return target_->vmcoreinfo().get(key);
    }
    unsigned num_cpus() const override { return num_cpus_; }
    bool live() const override { return true; }

private:
    LiveSession() : KernelSession("running kernel") {}
    // Without VMCOREINFO: the slide from /proc/kallsyms, the build-id from /sys/kernel/notes.
    Result<void> locate_without_vmcoreinfo(const SessionOptions& options, const LivePaths& paths);

    std::unique_ptr<KcoreTarget> target_;
    unsigned num_cpus_ = 0;
};

}  // namespace kdive
