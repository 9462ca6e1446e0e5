// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/dump_session.hpp"

#include <cstring>

#include <fmt/format.h>

#include "kdive/kernel_facts.hpp"
#include "kdive/symbolizer.hpp"
#include "kdive/unwind.hpp"
#include "memory/kaslr_probe.hpp"

namespace kdive {

namespace {

// A debug vmlinux: an executable ELF with a symbol table (an ELF vmcore is ET_CORE), kept open
// for the session; nullptr otherwise.
std::unique_ptr<ElfFile> open_if_vmlinux(const std::string& path) {
    auto f = ElfFile::open(path);
    if (!f || (*f)->type() != ET_EXEC || !(*f)->has_section(".symtab")) return nullptr;
    return std::move(*f);
}

// The NUL-terminated string at link-time address `addr` in the vmlinux's sections.
std::optional<std::string> vmlinux_string(const ElfFile& f, std::uint64_t addr,
                                          std::size_t max = 1024) {
    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(f.elf(), scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC))
            continue;
        if (addr < sh.sh_addr || addr >= sh.sh_addr + sh.sh_size) continue;
        Elf_Data* d = elf_getdata(scn, nullptr);
        if (!d || !d->d_buf) return std::nullopt;
        const char* p = static_cast<const char*>(d->d_buf) + (addr - sh.sh_addr);
        const std::size_t room = std::min<std::size_t>(max, sh.sh_addr + sh.sh_size - addr);
        return std::string(p, strnlen(p, room));
    }
    return std::nullopt;
}

// "6.1.0-56-amd64" out of "Linux version 6.1.0-56-amd64 (...) ...".
std::string release_of(const std::string& banner) {
    constexpr std::string_view prefix = "Linux version ";
    if (!std::string_view(banner).starts_with(prefix)) return {};
    auto rest = banner.substr(prefix.size());
    return rest.substr(0, rest.find(' '));
}

std::string first_line(std::string s) {
    if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
    return s;
}

std::string short_id(const std::optional<std::string>& id) {
    return id ? *id : std::string("none");
}

}  // namespace

Result<std::unique_ptr<DumpSession>> DumpSession::open(const std::string& a, const std::string& b,
                                                       const SessionOptions& options) {
    std::string vmlinux_path = a, dump_path = b;
    // The file that is the vmlinux stays open: the session maps it once.
    std::unique_ptr<ElfFile> vmlinux = open_if_vmlinux(a);
    if (!vmlinux) {
        if ((vmlinux = open_if_vmlinux(b))) std::swap(vmlinux_path, dump_path);
    }

    std::unique_ptr<DumpSession> s(new DumpSession());  // private constructor: no make_unique
    // Neither looks like one: opening `a` says why it is not.
    if (auto r = vmlinux ? s->open_vmlinux(std::move(vmlinux)) : s->open_vmlinux(vmlinux_path); !r)
        return r.failure();

    auto target = KdumpTarget::open(dump_path, TargetOptions{.allow_truncated = options.force});
    if (!target) return target.failure();
    s->target_ = std::move(*target);
    if (s->target_->layout().truncated())
        s->warnings_.push_back(fmt::format(
            "the dump file is truncated ({} of {} bytes): reads of what is missing will fail",
            s->target_->layout().file_size(), s->target_->layout().expected_size()));

    if (auto r = s->locate_kernel(options); !r) return r.failure();
    return s;
}

Result<void> KernelSession::open_vmlinux(const std::string& path) {
    auto elf = ElfFile::open(path);
    if (!elf) return elf.failure();
    return open_vmlinux(std::move(*elf));
}

Result<void> KernelSession::open_vmlinux(std::unique_ptr<ElfFile> elf) {
    vmlinux_ = std::move(elf);
    if (vmlinux_->type() != ET_EXEC)
        return fail("not a vmlinux (expected an executable ELF with debug info)", vmlinux_->path());
    return vmlinux_->load_symbols();
}

Result<void> KernelSession::mismatch(const std::string& what, bool force) {
    const std::string msg = fmt::format("vmlinux does not match the {}: {}", memory_, what);
    if (!force) return fail(msg + " (--force to go on anyway)", target().path());
    warnings_.push_back(msg);
    return {};
}

KernelSession::VmlinuxIdentity KernelSession::identity() const {
    VmlinuxIdentity id;
    if (const ElfSymbol* sym = vmlinux_->symbol("linux_banner"))
        id.banner = vmlinux_string(*vmlinux_, sym->address).value_or("");
    id.release = release_of(id.banner);
    id.build_id = vmlinux_->build_id();
    id.described = fmt::format("vmlinux is {} build-id {}",
                               id.release.empty() ? "of unknown release" : id.release,
                               short_id(id.build_id));
    return id;
}

Result<void> KernelSession::use_vmcoreinfo(const VmcoreInfo& vi, const SessionOptions& options) {
    // What the memory says it is: VMCOREINFO, written by that kernel itself.
    const VmlinuxIdentity me = identity();
    const auto their_release = vi.osrelease();
    const auto their_id = vi.build_id();
    const bool id_differs = their_id && me.build_id && *their_id != *me.build_id;
    const bool release_differs = their_release && !me.release.empty() && *their_release != me.release;
    if (id_differs || release_differs) {
        auto r = mismatch(fmt::format("{} is {} build-id {}, {}", memory_,
                                      their_release.value_or("of unknown release"),
                                      short_id(their_id), me.described),
                          options.force);
        if (!r) return r;
    }
    if (options.kaslr) {
        kaslr_offset_ = *options.kaslr;
        kaslr_source_ = "--kaslr (command line)";
    } else if (auto off = vi.kernel_offset()) {
        kaslr_offset_ = *off;
        kaslr_source_ = "VMCOREINFO KERNELOFFSET";
    } else {
        kaslr_source_ = "none (VMCOREINFO has no KERNELOFFSET: KASLR off)";
    }
    if (auto pb = vi.number("phys_base")) phys_base_ = static_cast<std::uint64_t>(*pb);
    return check_banner(options);
}

Result<void> KernelSession::check_banner(const SessionOptions& options) {
    // The banner in memory is the last word: same build-id but other bytes means other data.
    const ElfSymbol* sym = vmlinux_->symbol("linux_banner");
    const std::string banner = identity().banner;
    if (!sym || banner.empty()) return {};
    auto in_memory = target().read_string(AddressSpace::KernelVirtual, sym->address + kaslr_offset_,
                                          banner.size() + 1);
    if (in_memory && *in_memory != banner)
        return mismatch(fmt::format("linux_banner in the {} is \"{}\", in the vmlinux \"{}\"",
                                    memory_, first_line(*in_memory), first_line(banner)),
                        options.force);
    return {};
}

Result<void> DumpSession::locate_kernel(const SessionOptions& options) {
    const VmcoreInfo& vi = target_->vmcoreinfo();
    if (!vi.empty()) return use_vmcoreinfo(vi, options);

    // No VMCOREINFO (QEMU's dump-guest-memory): find the page tables and the slide ourselves.
    const VmlinuxIdentity me = identity();
    const ElfSymbol* banner_sym = vmlinux_->symbol("linux_banner");
    const ElfSymbol* text_sym = vmlinux_->symbol("_text");
    const ElfSymbol* pgt_sym = vmlinux_->symbol("init_top_pgt");
    KernelImage image;
    image.text = text_sym ? text_sym->address : 0;
    image.banner = banner_sym ? banner_sym->address : 0;
    image.top_pgt = pgt_sym ? pgt_sym->address : 0;
    image.banner_text = me.banner;
    auto found = find_kaslr(*target_, image, options.kaslr);
    if (found) {
        kaslr_offset_ = found->slide;
        phys_base_ = found->phys_base;
        kaslr_source_ = fmt::format("{}: {}; phys_base {:#x}",
                                    options.kaslr ? "--kaslr (command line), checked" : "found",
                                    found->how, found->phys_base);
        return {};
    }
    if (options.kaslr) {
        kaslr_offset_ = *options.kaslr;
        kaslr_source_ = "--kaslr (command line), NOT confirmed: " + found.error().what;
    } else {
        kaslr_source_ = "unknown: " + found.error().what;
    }
    std::string dump_is = "the dump's memory does not hold the vmlinux's linux_banner";
    if (auto other = find_linux_banner(*target_))
        dump_is = fmt::format("the dump holds \"{}\"", first_line(*other));
    return mismatch(fmt::format("{}; {}", dump_is, me.described), options.force);
}

Result<std::uint64_t> KernelSession::symbol_address(std::string_view name) const {
    const ElfSymbol* sym = vmlinux_->symbol(name);
    if (!sym) return fail("no such symbol in vmlinux", std::string(name));
    return sym->address + kaslr_offset_;
}

std::optional<CodeSymbol> KernelSession::symbolize_any(std::uint64_t addr, SymbolRule rule) {
    return symbolize(*this, addr, rule);
}

Result<std::uint64_t> KernelSession::per_cpu_offset(unsigned cpu) { return per_cpu_address(*this, 0, cpu); }

Result<const DwarfSections*> KernelSession::vmlinux_sections() {
    if (!sections_) {
        auto secs = DwarfSections::collect(*vmlinux_);
        if (!secs) return secs.failure();
        sections_ = std::move(*secs);
    }
    return sections_.get();
}

Result<DebugInfo*> KernelSession::debuginfo() {
    if (!debuginfo_) {
        auto secs = vmlinux_sections();
        if (!secs) return secs.failure();
        auto d = KernelDebugInfo::open(*vmlinux_, **secs, kaslr_offset_, default_cache_dir());
        if (!d) return d.failure();
        debuginfo_ = std::move(*d);
    }
    return debuginfo_.get();
}

}  // namespace kdive
