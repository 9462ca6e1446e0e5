// SPDX-License-Identifier: GPL-3.0-or-later
#include "memory/kdump_target.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace kdive {

namespace {

// The raw VMCOREINFO text, from the attribute the file-format layer fills in.
std::optional<std::string> raw_vmcoreinfo(kdump_ctx_t* ctx) {
    kdump_attr_t attr;
    if (kdump_get_attr(ctx, "linux.vmcoreinfo.raw", &attr) != KDUMP_OK) return std::nullopt;
    if (attr.type == KDUMP_STRING && attr.val.string) return std::string(attr.val.string);
    if (attr.type == KDUMP_BLOB && attr.val.blob) {
        kdump_blob_t* b = attr.val.blob;
        const char* data = static_cast<const char*>(kdump_blob_pin(b));
        std::string s(data, kdump_blob_size(b));
        kdump_blob_unpin(b);
        return s;
    }
    return std::nullopt;
}

std::string describe_format(const char* fmt) {
    std::string_view f = fmt ? fmt : "";
    if (f == "diskdump") return "kdump-compressed";
    if (f == "elf") return "ELF vmcore";
    if (f.empty()) return "unknown";
    return std::string(f);
}

// References to libkdumpfile's address translation objects, dropped on scope exit. Fetched per
// use: setting the OS type again replaces them.
class Addrxlat {
public:
    explicit Addrxlat(kdump_ctx_t* ctx) {
        if (kdump_get_addrxlat(ctx, &ctx_, &sys_) != KDUMP_OK) ctx_ = nullptr, sys_ = nullptr;
    }
    ~Addrxlat() {
        if (ctx_) addrxlat_ctx_decref(ctx_);
        if (sys_) addrxlat_sys_decref(sys_);
    }
    Addrxlat(const Addrxlat&) = delete;
    Addrxlat& operator=(const Addrxlat&) = delete;
    explicit operator bool() const { return ctx_ && sys_; }
    addrxlat_ctx_t* ctx() const { return ctx_; }
    addrxlat_sys_t* sys() const { return sys_; }
    std::optional<std::uint64_t> convert(std::uint64_t addr, addrxlat_addrspace_t from,
                                         addrxlat_addrspace_t to) const {
        addrxlat_fulladdr_t fa{addr, from};
        if (addrxlat_fulladdr_conv(&fa, to, ctx_, sys_) != ADDRXLAT_OK) {
            addrxlat_ctx_clear_err(ctx_);
            return std::nullopt;
        }
        return fa.addr;
    }
    std::string error() const {
        const char* e = addrxlat_ctx_get_err(ctx_);
        return e ? e : "translation failed";
    }

private:
    addrxlat_ctx_t* ctx_ = nullptr;
    addrxlat_sys_t* sys_ = nullptr;
};

Result<void> set_number(kdump_ctx_t* ctx, const char* key, kdump_attr_type_t type,
                        std::uint64_t v) {
    kdump_attr_t a;
    a.type = type;
    if (type == KDUMP_ADDRESS)
        a.val.address = v;
    else
        a.val.number = v;
    if (kdump_set_attr(ctx, key, &a) != KDUMP_OK)
        return fail(fmt::format("cannot set {} ({})", key, kdump_get_err(ctx)));
    return {};
}

}  // namespace

Result<std::unique_ptr<KdumpTarget>> KdumpTarget::open(const std::string& path,
                                                       TargetOptions options) {
    std::unique_ptr<KdumpTarget> t(new KdumpTarget());  // private constructor: no make_unique
    t->path_ = path;
    // O_NONBLOCK: a FIFO must not hang the open; it is refused below. (Regular files and
    // block devices ignore the flag.)
    t->fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!t->fd_) return fail(std::strerror(errno), path);
    struct stat st {};
    if (::fstat(t->fd_.get(), &st) != 0) return fail(std::strerror(errno), path);
    if (S_ISDIR(st.st_mode)) return fail("is a directory, not a dump file", path);
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return fail("not a regular file or block device, not a dump file", path);

    // The file's own headers first: libkdumpfile opens a cut file and fails (or reads zeros)
    // only when a missing page is touched.
    auto layout = DumpFileLayout::read(t->fd_.get(), path);
    if (!layout) return layout.failure();
    t->layout_ = std::move(*layout);
    if (t->layout_.headers_cut())
        return fail(fmt::format("dump file is truncated inside its headers ({} bytes)",
                                t->layout_.file_size()),
                    path);
    if (t->layout_.truncated() && !options.allow_truncated)
        return fail(fmt::format("dump file is truncated: {} bytes of the {} its headers describe "
                                "(--force opens what is there)",
                                t->layout_.file_size(), t->layout_.expected_size()),
                    path);

    t->ctx_.reset(kdump_new());
    if (!t->ctx_) return fail("out of memory creating a libkdumpfile context", path);
    kdump_ctx_t* ctx = t->ctx_.get();
    // A cut file (--force) is read with read(2): through mmap, the first page-table or page
    // read past its end (libaddrxlat's own, which kdive cannot check) would be a SIGBUS.
    if (t->layout_.truncated())
        (void)set_number(ctx, KDUMP_ATTR_FILE_MMAP_POLICY, KDUMP_NUMBER, KDUMP_MMAP_NEVER);
    if (kdump_open_fd(ctx, t->fd_.get()) != KDUMP_OK)
        return fail(fmt::format("not a kernel dump this build can read ({})", kdump_get_err(ctx)),
                    path);

    const char* s = nullptr;
    t->format_ = describe_format(kdump_get_string_attr(ctx, KDUMP_ATTR_FILE_FORMAT, &s) == KDUMP_OK
                                     ? s : nullptr);
    if (kdump_get_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, &s) == KDUMP_OK && s) t->arch_ = s;
    kdump_num_t ncpus = 0;
    if (kdump_get_number_attr(ctx, KDUMP_ATTR_NUM_CPUS, &ncpus) == KDUMP_OK)
        t->num_cpus_ = static_cast<unsigned>(ncpus);
    t->qemu_cpus_ = read_qemu_cpu_states(t->fd_.get());
    kdump_num_t max_pfn = 0, page_size = 4096;
    if (kdump_get_number_attr(ctx, "max_pfn", &max_pfn) == KDUMP_OK) {
        (void)kdump_get_number_attr(ctx, KDUMP_ATTR_PAGE_SIZE, &page_size);
        t->max_phys_ = max_pfn * page_size;
    }
    kdump_clear_err(ctx);

    // VMCOREINFO as the dump carries it (an ELF note or the kdump header), read before the OS
    // type is set: that set-up needs it, and without it (QEMU's dump-guest-memory) libaddrxlat
    // fails to tell the paging depth and breaks physical reads too.
    if (auto raw = raw_vmcoreinfo(ctx)) t->vmcoreinfo_ = VmcoreInfo::parse(*raw);
    kdump_clear_err(ctx);
    if (t->vmcoreinfo_.empty() && t->format_ == "kdump-compressed")
        // makedumpfile always writes it; without it libkdumpfile 0.5.1 crashes (a NULL write in
        // kdump_read) on the physical reads that would look for the kernel.
        return fail("kdump-compressed dump without VMCOREINFO (zeroed or corrupt): cannot be read",
                    path);
    if (t->vmcoreinfo_.empty()) {
        t->kvaddr_unavailable_ = "no VMCOREINFO in the dump: kernel page tables not located";
        return t;
    }
    // Kernel virtual reads need the Linux translation (direct map, kernel text, page tables).
    if (kdump_set_string_attr(ctx, KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK) {
        auto why = fmt::format("cannot set up Linux address translation ({})", kdump_get_err(ctx));
        kdump_clear_err(ctx);
        // A truncated dump may have lost what the set-up reads (init_uts_ns, page tables):
        // physical reads still work.
        if (!t->layout_.truncated()) return fail(why, path);
        t->kvaddr_unavailable_ = why;
        return t;
    }
    t->levels_ = t->vmcoreinfo_.number("pgtable_l5_enabled").value_or(0) == 1 ? 5 : 4;
    t->settle_translation();
    return t;
}

Result<void> KdumpTarget::use_page_tables(std::uint64_t root, unsigned levels) {
    if (levels != 4 && levels != 5) return fail("paging depth must be 4 or 5 levels");
    kdump_ctx_t* ctx = ctx_.get();
    // libaddrxlat picks the depth from the virtual address width: 48 bits = 4 levels, 57 = 5.
    for (auto r : {set_number(ctx, "addrxlat.force.virt_bits", KDUMP_NUMBER, levels == 5 ? 57 : 48),
                   set_number(ctx, "addrxlat.force.rootpgt.as", KDUMP_NUMBER, ADDRXLAT_MACHPHYSADDR),
                   set_number(ctx, "addrxlat.force.rootpgt.addr", KDUMP_ADDRESS, root)}) {
        if (!r) return Failure{Error{r.error().what, path_}};
    }
    if (kdump_set_string_attr(ctx, KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK) {
        auto e = fmt::format("cannot set up Linux address translation ({})", kdump_get_err(ctx));
        kdump_clear_err(ctx);
        return fail(e, path_);
    }
    levels_ = levels;
    kvaddr_unavailable_.clear();
    settle_translation();
    return {};
}

void KdumpTarget::settle_translation() {
    // libkdumpfile finishes the Linux set-up (the kernel text search through the page tables)
    // lazily, on the first read, and reports its failure as that read's error even when the
    // read itself is fine (a truncated dump whose page tables are cut off). Get it over with.
    std::byte b{};
    size_t len = 1;
    (void)kdump_read(ctx_.get(), KDUMP_KPHYSADDR, 0, &b, &len);
    kdump_clear_err(ctx_.get());
}

Error KdumpTarget::last_error(kdump_status st, std::uint64_t addr, std::uint64_t size) const {
    std::string what;
    FaultReason why = FaultReason::Other;
    switch (st) {
        case KDUMP_ERR_NODATA:
            what = "page not in the dump (excluded or never captured)";
            why = FaultReason::Excluded;
            break;
        case KDUMP_ERR_ADDRXLAT:
            what = "address not mapped";
            why = FaultReason::Unmapped;
            break;
        case KDUMP_ERR_CORRUPT:
            what = "dump data is corrupt";
            why = FaultReason::Corrupt;
            break;
        case KDUMP_ERR_EOF:
            what = "dump file is truncated";
            why = FaultReason::PastEnd;
            break;
        case KDUMP_ERR_NOTIMPL: what = "not supported by this build of libkdumpfile"; break;
        default: what = "read failed"; break;
    }
    const char* detail = kdump_get_err(ctx_.get());
    if (detail && *detail) what += fmt::format(" ({})", detail);
    kdump_clear_err(ctx_.get());
    return fail_fault(why, addr, size, std::move(what)).error;
}

Result<void> KdumpTarget::check_in_file(AddressSpace space, std::uint64_t addr, std::size_t len) {
    const auto missing = [&](std::uint64_t at) {
        return fail_fault(FaultReason::PastEnd, at, addr + len - at,
                          fmt::format("dump file is truncated: the data of this page lies past "
                                      "its end ({} of {} bytes present)",
                                      layout_.file_size(), layout_.expected_size()));
    };
    if (space == AddressSpace::Physical) {
        for (std::uint64_t a = addr; a < addr + len; a = (a | 0xfff) + 1)
            if (layout_.past_end(a, 1)) return missing(a);
        return {};
    }
    Addrxlat ax(ctx_.get());
    if (!ax) return {};
    for (std::uint64_t a = addr; a < addr + len; a = (a | 0xfff) + 1) {
        auto pa = ax.convert(a, ADDRXLAT_KVADDR, ADDRXLAT_KPHYSADDR);
        if (pa && layout_.past_end(*pa, 1)) return missing(a);
    }
    return {};
}

Result<void> KdumpTarget::read(AddressSpace space, std::uint64_t addr, std::span<std::byte> out) {
    if (space == AddressSpace::KernelVirtual && !kvaddr_unavailable_.empty())
        return fail(kvaddr_unavailable_, hex_address(addr));
    if (layout_.truncated()) {
        if (auto r = check_in_file(space, addr, out.size()); !r) return r;
    }
    // Without the Linux set-up, kernel-physical reads need a paging guess libaddrxlat cannot
    // make; machine-physical is the same space on bare metal and KVM/QEMU (not under Xen).
    const kdump_addrspace_t phys = kvaddr_unavailable_.empty() ? KDUMP_KPHYSADDR
                                                               : KDUMP_MACHPHYSADDR;
    const kdump_addrspace_t as = space == AddressSpace::Physical ? phys : KDUMP_KVADDR;
    size_t len = out.size();
    kdump_status st = kdump_read(ctx_.get(), as, addr, out.data(), &len);
    if (st != KDUMP_OK) return Failure{last_error(st, addr + len, out.size() - len)};
    return {};
}

std::optional<std::vector<AddressRange>> KdumpTarget::present_physical() {
    if (present_) return present_;
    kdump_ctx_t* ctx = ctx_.get();
    kdump_num_t page_size = 4096;
    (void)kdump_get_number_attr(ctx, KDUMP_ATTR_PAGE_SIZE, &page_size);
    std::vector<AddressRange> ranges;
    if (auto own = layout_.present()) {
        // The file's own map (makedumpfile's bitmap, the ELF segments; in a cut file without
        // the pages whose data lies past its end) first: libkdumpfile
        // 0.5.1's file.pagemap of an ELF vmcore stops at the end of the kernel text segment
        // when that overlaps the RAM segment holding it (/proc/vmcore copies do).
        ranges = std::move(*own);
    } else {
        // Otherwise libkdumpfile's map, in runs: find_set/find_clear jump over whole excluded
        // stretches.
        kdump_attr_t attr;
        if (kdump_get_attr(ctx, KDUMP_ATTR_FILE_PAGEMAP, &attr) != KDUMP_OK ||
            attr.type != KDUMP_BITMAP || !attr.val.bitmap) {
            kdump_clear_err(ctx);
            return std::nullopt;
        }
        kdump_bmp_t* bmp = attr.val.bitmap;
        kdump_bmp_incref(bmp);
        const kdump_addr_t limit = max_phys_ ? max_phys_ / page_size : ~kdump_addr_t{0} / page_size;
        kdump_addr_t idx = 0;
        while (idx < limit && kdump_bmp_find_set(bmp, &idx) == KDUMP_OK && idx < limit) {
            kdump_addr_t end = idx;
            if (kdump_bmp_find_clear(bmp, &end) != KDUMP_OK || end > limit) end = limit;
            if (end <= idx) break;
            ranges.push_back({idx * page_size, end * page_size});
            idx = end;
        }
        kdump_bmp_decref(bmp);
        kdump_clear_err(ctx);
    }
    present_ = std::move(ranges);
    return present_;
}

Result<PageWalk> KdumpTarget::walk(std::uint64_t vaddr) {
    if (!kvaddr_unavailable_.empty()) return fail(kvaddr_unavailable_, hex_address(vaddr));
    Addrxlat ax(ctx_.get());
    if (!ax) return fail("no address translation", path_);
    const addrxlat_meth_t* meth = addrxlat_sys_get_meth(ax.sys(), ADDRXLAT_SYS_METH_PGT);
    if (!meth || meth->kind != ADDRXLAT_PGT) return fail("no kernel page tables", path_);

    PageWalk w;
    w.vaddr = vaddr;
    const unsigned nfields = meth->param.pgt.pf.nfields;  // levels + the page offset
    w.levels = nfields - 1;
    const addrxlat_fulladdr_t root = meth->param.pgt.root;
    w.root = root.as == ADDRXLAT_KVADDR
                 ? ax.convert(root.addr, ADDRXLAT_KVADDR, ADDRXLAT_KPHYSADDR).value_or(root.addr)
                 : root.addr;
    const auto level_name = [&](unsigned remain) -> std::string {
        if (remain == nfields) return "PGD";
        static const char* const names[] = {"PTE", "PMD", "PUD", "P4D"};
        return remain >= 2 && remain <= 5 ? names[remain - 2] : "L" + std::to_string(remain);
    };

    addrxlat_step_t step{};
    step.ctx = ax.ctx();
    step.sys = ax.sys();
    step.meth = meth;
    if (addrxlat_launch(&step, vaddr) != ADDRXLAT_OK) {
        w.fault = ax.error();
        addrxlat_ctx_clear_err(ax.ctx());
        return w;
    }
    unsigned last_table = 2;
    while (step.remain) {
        const unsigned r = step.remain;
        addrxlat_fulladdr_t entry{step.base.addr + step.idx[r - 1] * step.elemsz, step.base.as};
        // An int, not addrxlat_status: libkdumpfile returns its own errors below
        // ADDRXLAT_ERR_CUSTOM_BASE, outside the enum's range (UB to hold in it).
        const int st = addrxlat_step(&step);
        // Taken before the entry address is converted: a conversion resets the message.
        const std::string fault = st == ADDRXLAT_OK ? std::string() : ax.error();
        if (r > 1) {
            std::uint64_t entry_phys = entry.addr;
            if (entry.as == ADDRXLAT_KVADDR)
                entry_phys = ax.convert(entry.addr, ADDRXLAT_KVADDR, ADDRXLAT_KPHYSADDR)
                                 .value_or(entry.addr);
            if (st == ADDRXLAT_OK || st == ADDRXLAT_ERR_NOTPRESENT)
                w.entries.push_back({level_name(r), entry_phys, step.raw.pte});
            last_table = r;
        }
        if (st != ADDRXLAT_OK) {
            w.fault = fault;
            addrxlat_ctx_clear_err(ax.ctx());
            return w;
        }
    }
    w.mapped = true;
    w.paddr = step.base.addr;
    w.page_size = std::uint64_t{1} << (12 + 9 * (last_table - 2));
    return w;
}

Result<std::uint64_t> KdumpTarget::phys_to_virt(std::uint64_t paddr) {
    if (!kvaddr_unavailable_.empty()) return fail(kvaddr_unavailable_, hex_address(paddr));
    Addrxlat ax(ctx_.get());
    if (!ax) return fail("no address translation", path_);
    auto v = ax.convert(paddr, ADDRXLAT_KPHYSADDR, ADDRXLAT_KVADDR);
    if (!v) return fail("not in the kernel's direct map", hex_address(paddr));
    return *v;
}

Result<SavedCpuRegisters> KdumpTarget::cpu_registers(unsigned cpu) {
    kdump_ctx_t* ctx = ctx_.get();
    const std::string where = "CPU " + std::to_string(cpu);
    if (arch_ != "x86_64") return fail("saved registers are only read for x86-64 dumps", where);
    SavedCpuRegisters out;
    X86Registers& r = out.regs;
    const std::pair<const char*, std::uint64_t*> regs[] = {
        {"r15", &r.r15}, {"r14", &r.r14}, {"r13", &r.r13}, {"r12", &r.r12}, {"rbp", &r.rbp},
        {"rbx", &r.rbx}, {"r11", &r.r11}, {"r10", &r.r10}, {"r9", &r.r9},   {"r8", &r.r8},
        {"rax", &r.rax}, {"rcx", &r.rcx}, {"rdx", &r.rdx}, {"rsi", &r.rsi}, {"rdi", &r.rdi},
        {"orig_rax", &r.orig_rax}, {"rip", &r.rip}, {"cs", &r.cs}, {"rflags", &r.rflags},
        {"rsp", &r.rsp}, {"ss", &r.ss}};
    for (const auto& [name, slot] : regs) {
        const std::string key = fmt::format("cpu.{}.reg.{}", cpu, name);
        kdump_num_t v = 0;
        if (kdump_get_number_attr(ctx, key.c_str(), &v) != KDUMP_OK) {
            kdump_clear_err(ctx);
            return fail("the dump has no saved registers for this CPU", where);
        }
        *slot = v;
    }
    kdump_num_t pid = 0;
    // QEMU numbers its notes' pr_pid by CPU (index + 1): not a task's pid.
    if (qemu_cpus_.empty() &&
        kdump_get_number_attr(ctx, fmt::format("cpu.{}.pid", cpu).c_str(), &pid) == KDUMP_OK)
        out.pid = static_cast<std::int32_t>(pid);
    kdump_clear_err(ctx);
    return out;
}

}  // namespace kdive
