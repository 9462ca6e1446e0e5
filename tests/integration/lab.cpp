// SPDX-License-Identifier: GPL-3.0-or-later
#include <fmt/format.h>

#include "lab.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

namespace lab {

fs::path dir() {
    const char* d = std::getenv("KDIVE_LAB_DIR");
    if (!d || !*d) FAIL("KDIVE_LAB_DIR is not set: run tests/lab/lab.sh (scripts/test.sh does)");
    fs::path p(d);
    if (!fs::is_directory(p)) FAIL("KDIVE_LAB_DIR " << p << " is not a directory");
    return p;
}

fs::path vmlinux() {
    auto p = dir() / "vmlinux";
    if (!fs::exists(p)) FAIL("no vmlinux in the lab: " << p);
    return p;
}

std::vector<Dump> dumps() {
    const std::vector<Dump> wanted = {
        {"kdump-l5", "zlib", "vmcore.zlib"}, {"kdump-l5", "lzo", "vmcore.lzo"},
        {"kdump-l5", "elf", "vmcore.elf"},   {"qemu-l5", "qemu-elf", "qemu.elf"},
        {"kdump-l4", "zlib", "vmcore.zlib"}, {"kdump-l4", "lzo", "vmcore.lzo"},
        {"kdump-l4", "elf", "vmcore.elf"},   {"qemu-l4", "qemu-elf", "qemu.elf"},
    };
    std::vector<Dump> out;
    for (auto d : wanted) {
        d.path = dir() / d.scenario / d.path;
        if (!fs::exists(d.path)) FAIL("lab dump missing: " << d.path << " (run tests/lab/lab.sh)");
        out.push_back(d);
    }
    return out;
}

Dump nmi_dump() {
    Dump d{"nmi-l4", "lzo", dir() / "nmi-l4" / "vmcore.lzo"};
    if (!fs::exists(d.path)) FAIL("lab dump missing: " << d.path << " (run tests/lab/lab.sh)");
    return d;
}

std::string truth(const std::string& scenario, const std::string& name) {
    auto p = dir() / scenario / "truth" / name;
    std::ifstream in(p);
    if (!in) FAIL("ground truth missing: " << p);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

std::vector<std::string> truth_lines(const std::string& scenario, const std::string& name) {
    std::vector<std::string> lines;
    std::istringstream in(truth(scenario, name));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

std::string run(const std::string& command, int* status) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    if (!p) FAIL("popen failed: " << command);
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    int st = pclose(p);
    if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

TempFile::TempFile(const std::string& text) {
    char tmpl[] = "/tmp/kdive-test-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) FAIL("mkstemp failed");
    close(fd);
    path_ = tmpl;
    std::ofstream(path_) << text;
}

TempFile::~TempFile() { std::remove(path_.c_str()); }

std::string kdive_batch(const std::string& commands, const fs::path& dump, int* status) {
    const TempFile batch(commands);
    return run(std::string(KDIVE_BINARY) + " -s -i " + batch.path() + " " + vmlinux().string() + " " +
                   dump.string() + " 2>&1",
               status);
}

fs::path sid_root() {
    for (fs::path d = dir(); d.has_relative_path() && d != d.parent_path(); d = d.parent_path())
        if (fs::exists(d / "sid-root" / "usr/bin/python3")) return d / "sid-root";
    return {};
}

std::string sid_run(const std::string& command, const fs::path& input, int* status) {
    const fs::path root = sid_root();
    if (root.empty()) FAIL("no Debian unstable root next to the lab (tests/lab-kernels/sid-root.sh)");
    const fs::path cache = root.parent_path();
    const fs::path inside = root / cache.relative_path();
    // Mounted once for every test (under a lock: ctest runs tests in parallel), left in place.
    int st = -1;
    run(fmt::format("flock {0}.lock sh -c 'mkdir -p {1} {0}/proc && "
                    "(mountpoint -q {1} || mount --bind {2} {1}) && "
                    "(mountpoint -q {0}/proc || mount -t proc proc {0}/proc)'",
                    root.string(), inside.string(), cache.string()),
        &st);
    if (st != 0) FAIL("cannot bind the lab cache into " << root);
    return run(fmt::format("chroot {} /bin/sh -c '{}' < {}", root.string(), command,
                           input.empty() ? "/dev/null" : input.string()),
               status);
}

bool crash_available() {
    int status = -1;
    run("command -v crash > /dev/null", &status);
    if (status != 0) WARN("SKIPPED: crash is not installed");
    return status == 0;
}

std::vector<std::string> crash_run(const fs::path& dump, const std::vector<std::string>& commands) {
    const fs::path dir = fs::temp_directory_path() / ("kdive-crash-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::string text;
    for (std::size_t i = 0; i < commands.size(); ++i)
        text += commands[i] + " > " + (dir / std::to_string(i)).string() + "\n";
    const TempFile batch(text + "q\n");
    run("crash -s -i " + batch.path() + " " + vmlinux().string() + " " + dump.string() +
        " < /dev/null > /dev/null 2>&1");
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        std::ifstream in(dir / std::to_string(i));
        std::stringstream ss;
        ss << in.rdbuf();
        std::string part = ss.str();
        while (part.starts_with("\n")) part.erase(0, 1);
        parts.push_back(part);
    }
    fs::remove_all(dir);
    return parts;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace lab
