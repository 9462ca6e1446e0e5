// SPDX-License-Identifier: GPL-3.0-or-later
// A session over a small program compiled by a test (its DWARF and symbols), whose memory is
// the program's own allocated sections at their link addresses: the object layer and the
// evaluator run on it without a dump. Ranges can be marked as excluded, as makedumpfile drops
// pages, to test reads that fault in the middle of a struct.
#pragma once

#include <gelf.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/elf_file.hpp"
#include "debuginfo/kernel_debuginfo.hpp"
#include "kdive/session.hpp"
#include "kdive/target.hpp"

namespace kdive::testing {

class SampleTarget final : public Target {
public:
    SampleTarget(const ElfFile& elf, std::string path) : path_(std::move(path)) {
        // Allocated sections with file bytes: .data, .rodata, ... (.bss reads as zeros).
        Elf* e = elf.elf();
        for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(e, scn));) {
            GElf_Shdr sh;
            if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || !sh.sh_addr) continue;
            Region r{sh.sh_addr, std::vector<std::byte>(sh.sh_size)};
            if (sh.sh_type != SHT_NOBITS) {
                Elf_Data* d = elf_rawdata(scn, nullptr);
                if (!d || d->d_size != sh.sh_size) continue;
                std::memcpy(r.bytes.data(), d->d_buf, d->d_size);
            }
            regions_.push_back(std::move(r));
        }
    }
    // Reads touching [start, end) fail as a page excluded from a dump does.
    void exclude(std::uint64_t start, std::uint64_t end) { excluded_.push_back({start, end}); }
    std::size_t reads() const { return reads_; }

    Result<void> read(AddressSpace, std::uint64_t addr, std::span<std::byte> out) override {
        ++reads_;
        for (const auto& x : excluded_)
            if (addr < x.end && addr + out.size() > x.start) {
                const std::uint64_t at = std::max(addr, x.start);
                return fail_fault(FaultReason::Excluded, at, addr + out.size() - at,
                                  "page not in the dump (excluded)");
            }
        for (const auto& r : regions_)
            if (addr >= r.start && addr - r.start <= r.bytes.size() &&
                out.size() <= r.bytes.size() - (addr - r.start)) {
                std::memcpy(out.data(), r.bytes.data() + (addr - r.start), out.size());
                return {};
            }
        return fail_fault(FaultReason::Unmapped, addr, out.size(), "not in the sample's memory");
    }
    std::string format_name() const override { return "sample"; }
    std::string path() const override { return path_; }

private:
    struct Region {
        std::uint64_t start;
        std::vector<std::byte> bytes;
    };
    std::vector<Region> regions_;
    std::vector<AddressRange> excluded_;
    std::string path_;
    std::size_t reads_ = 0;
};

class SampleSession final : public Session {
public:
    // Fails (nullptr) if the program cannot be read.
    static std::unique_ptr<SampleSession> open(const std::string& path) {
        auto elf = ElfFile::open(path);
        if (!elf || !(*elf)->load_symbols()) return nullptr;
        auto s = std::unique_ptr<SampleSession>(new SampleSession);
        s->path_ = path;
        s->elf_ = std::move(*elf);
        auto secs = DwarfSections::collect(*s->elf_);
        if (!secs) return nullptr;
        s->secs_ = std::move(*secs);
        // Over the session's sections, as KernelSession does: one set per session.
        auto di = KernelDebugInfo::open(*s->elf_, *s->secs_, 0, "");  // no cache dir: in memory
        if (!di) return nullptr;
        s->di_ = std::move(*di);
        s->target_ = std::make_unique<SampleTarget>(*s->elf_, path);
        return s;
    }
    SampleTarget& sample_target() { return *target_; }
    Target& target() override { return *target_; }
    std::string vmlinux_path() const override { return path_; }
    Result<std::uint64_t> symbol_address(std::string_view name) const override {
        const ElfSymbol* s = elf_->symbol(name);
        if (!s) return fail("no such symbol", std::string(name));
        return s->address;
    }
    std::uint64_t kaslr_offset() const override { return 0; }
    std::string kaslr_source() const override { return "none"; }
    std::optional<std::string> vmcoreinfo(std::string_view) const override { return std::nullopt; }
    unsigned num_cpus() const override { return 1; }
    Result<DebugInfo*> debuginfo() override { return di_.get(); }
    Result<const ElfFile*> vmlinux_elf() override { return elf_.get(); }
    Result<const DwarfSections*> vmlinux_sections() override { return secs_.get(); }

private:
    SampleSession() = default;
    std::string path_;
    std::unique_ptr<ElfFile> elf_;
    std::unique_ptr<DwarfSections> secs_;  // after elf_, before di_: each refers to the one before
    std::unique_ptr<KernelDebugInfo> di_;
    std::unique_ptr<SampleTarget> target_;
};

// Compiles `source` with gcc (-g -O0 -no-pie, so pointers in .data are final, plus `flags`)
// into a fresh temporary directory named after `tag`, and opens a session over it; on failure
// `error` says why (the compiler's output).
inline std::unique_ptr<SampleSession> compile_sample(const std::string& source, const std::string& flags,
                                                     const std::string& tag, std::string& error) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("kdive-" + tag + "-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path bin = dir / fs::path(source).stem();
    const std::string cmd = "gcc -g -gdwarf-5 -O0 -no-pie " + flags + " -o " + bin.string() + " " + source + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    for (std::size_t n; p && (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    if (p) pclose(p);
    if (!fs::exists(bin)) {
        error = "cannot compile " + source + ": " + out;
        return nullptr;
    }
    auto session = SampleSession::open(bin.string());
    if (!session) error = "cannot open " + bin.string() + " as a sample session";
    return session;
}

}  // namespace kdive::testing
