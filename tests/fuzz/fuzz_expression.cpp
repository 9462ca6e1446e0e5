// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any text as a C expression, evaluated and printed (p's path) in a session
// over tests/data/types_sample.c compiled at build time (KDIVE_FUZZ_SAMPLE). Its memory is the
// object's own allocated sections at their link addresses; every other read fails, so pointers
// followed into nowhere must come back as errors.
#include <gelf.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "debuginfo/kernel_debuginfo.hpp"
#include "kdive/object.hpp"
#include "kdive/type_format.hpp"

namespace {

class SampleTarget final : public kdive::Target {
public:
    explicit SampleTarget(const kdive::ElfFile& elf) {
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
    kdive::Result<void> read(kdive::AddressSpace, std::uint64_t addr, std::span<std::byte> out) override {
        for (const auto& r : regions_)
            if (addr >= r.start && addr - r.start <= r.bytes.size() &&
                out.size() <= r.bytes.size() - (addr - r.start)) {
                std::memcpy(out.data(), r.bytes.data() + (addr - r.start), out.size());
                return {};
            }
        return kdive::fail("not in the sample's memory", kdive::hex_address(addr));
    }
    std::string format_name() const override { return "sample"; }
    std::string path() const override { return KDIVE_FUZZ_SAMPLE; }

private:
    struct Region {
        std::uint64_t start;
        std::vector<std::byte> bytes;
    };
    std::vector<Region> regions_;
};

class SampleSession final : public kdive::Session {
public:
    SampleSession() {
        auto elf = kdive::ElfFile::open(KDIVE_FUZZ_SAMPLE);
        if (!elf || !(*elf)->load_symbols()) __builtin_trap();
        elf_ = std::move(*elf);
        auto di = kdive::KernelDebugInfo::open(*elf_, 0, "");  // no cache dir: in memory
        if (!di) __builtin_trap();
        di_ = std::move(*di);
        target_ = std::make_unique<SampleTarget>(*elf_);
    }
    kdive::Target& target() override { return *target_; }
    std::string vmlinux_path() const override { return KDIVE_FUZZ_SAMPLE; }
    kdive::Result<std::uint64_t> symbol_address(std::string_view name) const override {
        const kdive::ElfSymbol* s = elf_->symbol(name);
        if (!s) return kdive::fail("no such symbol", std::string(name));
        return s->address;
    }
    std::uint64_t kaslr_offset() const override { return 0; }
    std::string kaslr_source() const override { return "none"; }
    std::optional<std::string> vmcoreinfo(std::string_view) const override { return std::nullopt; }
    unsigned num_cpus() const override { return 1; }
    kdive::Result<kdive::DebugInfo*> debuginfo() override { return di_.get(); }

private:
    std::unique_ptr<kdive::ElfFile> elf_;
    std::unique_ptr<kdive::KernelDebugInfo> di_;
    std::unique_ptr<SampleTarget> target_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static SampleSession session;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    text = text.substr(0, text.find('\n'));  // the shell hands over one line at a time
    auto v = kdive::evaluate(session, text);
    if (!v) {
        // Errors are one line (the shell prints them as such).
        if (v.error().message().find('\n') != std::string::npos) __builtin_trap();
        return 0;
    }
    for (int radix : {10, 16}) (void)kdive::format_object(session, *v, {.radix = radix});
    (void)kdive::format_object_json(session, *v);
    (void)v->to_u64();
    // whatis/ptype's path: a type name or an expression.
    if (auto t = kdive::resolve_type_or_expression(session, text); t && t->type)
        (void)kdive::format_type_definition(t->type, **session.debuginfo(), {.offsets = true});
    return 0;
}
