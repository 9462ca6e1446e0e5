// SPDX-License-Identifier: GPL-3.0-or-later
#include "dump_session.hpp"

#include <fmt/format.h>

namespace kdive {

namespace {

// A debug vmlinux: an executable ELF with a symbol table. An ELF vmcore is ET_CORE.
bool looks_like_vmlinux(const std::string& path) {
    auto f = ElfFile::open(path);
    return f && (*f)->type() == ET_EXEC && (*f)->has_section(".symtab");
}

}  // namespace

Result<std::unique_ptr<DumpSession>> DumpSession::open(const std::string& a, const std::string& b) {
    std::string vmlinux_path = a, dump_path = b;
    if (!looks_like_vmlinux(a) && looks_like_vmlinux(b)) std::swap(vmlinux_path, dump_path);

    std::unique_ptr<DumpSession> s(new DumpSession());  // private constructor: no make_unique
    auto elf = ElfFile::open(vmlinux_path);
    if (!elf) return elf.failure();
    s->vmlinux_ = std::move(*elf);
    if (s->vmlinux_->type() != ET_EXEC)
        return fail("not a vmlinux (expected an executable ELF with debug info)", vmlinux_path);
    if (auto r = s->vmlinux_->load_symbols(); !r) return r.failure();

    auto target = KdumpTarget::open(dump_path);
    if (!target) return target.failure();
    s->target_ = std::move(*target);

    const VmcoreInfo& vi = s->target_->vmcoreinfo();
    if (auto off = vi.kernel_offset()) {
        s->kaslr_offset_ = *off;
        s->kaslr_source_ = "VMCOREINFO KERNELOFFSET";
    } else if (vi.empty()) {
        s->kaslr_source_ = "unknown: the dump has no VMCOREINFO";
        s->warnings_.push_back(
            "the dump carries no VMCOREINFO: KASLR offset assumed 0, kernel symbols may be wrong");
    } else {
        s->kaslr_source_ = "none (VMCOREINFO has no KERNELOFFSET: KASLR off)";
    }
    return s;
}

Result<std::uint64_t> DumpSession::symbol_address(std::string_view name) const {
    const ElfSymbol* sym = vmlinux_->symbol(name);
    if (!sym) return fail("no such symbol in vmlinux", std::string(name));
    return sym->address + kaslr_offset_;
}


}  // namespace kdive
