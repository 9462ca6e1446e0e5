// SPDX-License-Identifier: GPL-3.0-or-later
#include "target/kdump_target.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <optional>
#include <cstring>

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

}  // namespace

Result<std::unique_ptr<KdumpTarget>> KdumpTarget::open(const std::string& path) {
    std::unique_ptr<KdumpTarget> t(new KdumpTarget());  // private constructor: no make_unique
    t->path_ = path;
    t->fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!t->fd_) return fail(std::strerror(errno), path);
    struct stat st {};
    if (::fstat(t->fd_.get(), &st) != 0) return fail(std::strerror(errno), path);
    if (S_ISDIR(st.st_mode)) return fail("is a directory, not a dump file", path);

    t->ctx_.reset(kdump_new());
    if (!t->ctx_) return fail("out of memory creating a libkdumpfile context", path);
    kdump_ctx_t* ctx = t->ctx_.get();
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

    // VMCOREINFO as the dump carries it (an ELF note or the kdump header), read before the OS
    // type is set: that set-up needs it, and without it (QEMU's dump-guest-memory) libaddrxlat
    // fails to tell the paging depth and breaks physical reads too.
    if (auto raw = raw_vmcoreinfo(ctx)) t->vmcoreinfo_ = VmcoreInfo::parse(*raw);
    kdump_clear_err(ctx);
    if (t->vmcoreinfo_.empty()) {
        t->kvaddr_unavailable_ = "no VMCOREINFO in the dump: kernel page tables not located yet";
        return t;
    }
    // Kernel virtual reads need the Linux translation (direct map, kernel text, page tables).
    if (kdump_set_string_attr(ctx, KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK)
        return fail(fmt::format("cannot set up Linux address translation ({})",
                                kdump_get_err(ctx)), path);
    return t;
}

Error KdumpTarget::last_error(kdump_status st, std::uint64_t addr) const {
    std::string what;
    switch (st) {
        case KDUMP_ERR_NODATA: what = "page not in the dump (excluded or never captured)"; break;
        case KDUMP_ERR_ADDRXLAT: what = "address not mapped"; break;
        case KDUMP_ERR_CORRUPT: what = "dump data is corrupt"; break;
        case KDUMP_ERR_EOF: what = "dump file is truncated"; break;
        default: what = "read failed"; break;
    }
    const char* detail = kdump_get_err(ctx_.get());
    if (detail && *detail) what += fmt::format(" ({})", detail);
    kdump_clear_err(ctx_.get());
    return Error{std::move(what), hex_address(addr)};
}

Result<void> KdumpTarget::read(AddressSpace space, std::uint64_t addr, std::span<std::byte> out) {
    if (space == AddressSpace::KernelVirtual && !kvaddr_unavailable_.empty())
        return fail(kvaddr_unavailable_, hex_address(addr));
    // Without the Linux set-up, kernel-physical reads need a paging guess libaddrxlat cannot
    // make; machine-physical is the same space on bare metal and KVM/QEMU (not under Xen).
    const kdump_addrspace_t phys = kvaddr_unavailable_.empty() ? KDUMP_KPHYSADDR
                                                               : KDUMP_MACHPHYSADDR;
    const kdump_addrspace_t as = space == AddressSpace::Physical ? phys : KDUMP_KVADDR;
    size_t len = out.size();
    kdump_status st = kdump_read(ctx_.get(), as, addr, out.data(), &len);
    if (st != KDUMP_OK) return Failure{last_error(st, addr + len)};
    return {};
}

}  // namespace kdive
