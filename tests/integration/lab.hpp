// SPDX-License-Identifier: GPL-3.0-or-later
// The lab as the tests see it: the directory tests/lab/lab.sh printed (KDIVE_LAB_DIR), its
// vmlinux, its scenarios' dumps, and the ground truth the live guest printed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lab {

namespace fs = std::filesystem;

struct Dump {
    std::string scenario;  // kdump-l5, qemu-l4, ...
    std::string kind;      // zlib, lzo, elf, qemu-elf
    fs::path path;
    bool has_vmcoreinfo() const { return kind != "qemu-elf"; }
    bool five_level() const { return scenario.ends_with("-l5"); }
    std::string name() const { return scenario + "/" + kind; }
};

// The lab directory; fails the test if KDIVE_LAB_DIR is unset or incomplete.
fs::path dir();
fs::path vmlinux();
// Every dump of every scenario, each checked to exist. Not the NMI scenario's: its panic has
// no panic task known beforehand, so the tests that read truth/panic_pid take it separately.
std::vector<Dump> dumps();
// nmi-l4's lzo dump: the kernel panicked on an NMI the host injected (unknown_nmi_panic).
Dump nmi_dump();
// truth/NAME of a scenario, whole; trailing newline removed.
std::string truth(const std::string& scenario, const std::string& name);
// truth/NAME split into lines.
std::vector<std::string> truth_lines(const std::string& scenario, const std::string& name);
// Run a shell command, return its stdout; *status gets the exit status.
std::string run(const std::string& command, int* status = nullptr);

// A temporary file holding `text`, removed when this goes away.
class TempFile {
public:
    explicit TempFile(const std::string& text);
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// `kdive -s -i FILE VMLINUX DUMP` with `commands` in FILE: stdout and stderr together.
std::string kdive_batch(const std::string& commands, const fs::path& dump, int* status = nullptr);

// crash's output of each command on `dump` (`crash -s -i`), each redirected to a file of its own
// (crash's stdout through a pipe does not keep the order of markers). Blank lines crash puts
// before some outputs are removed.
std::vector<std::string> crash_run(const fs::path& dump, const std::vector<std::string>& commands);

// Whether crash is on the PATH; if not, says "SKIPPED: crash is not installed" as a warning
// (tests that compare with crash then return).
bool crash_available();

// Debian unstable's root (tests/lab-kernels/sid-root.sh: crash 9.0.2, drgn 0.3.0), found next to
// the lab's cache; empty if it is not there (tests then skip with a warning).
fs::path sid_root();
// `command` run by /bin/sh in that root (chroot), with the lab's cache bound at its own path
// inside (so dump and vmlinux paths, and the symlinks between them, are the same) and /proc
// mounted. stdin from `input` ("" for none); stdout returned, *status its exit status.
std::string sid_run(const std::string& command, const fs::path& input = {}, int* status = nullptr);

// text split into lines (no trailing newlines).
std::vector<std::string> lines(const std::string& text);

}  // namespace lab
