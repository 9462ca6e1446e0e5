// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/live_session.hpp"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <vector>

#include <fmt/format.h>

namespace kdive {

namespace {

// `_text`'s run-time address in a kallsyms file; nullopt if absent or hidden (kptr_restrict
// shows zeros to the unprivileged).
std::optional<std::uint64_t> kallsyms_text(const std::string& path) {
    std::ifstream in(path);
    std::string addr, type, name;
    while (in >> addr >> type >> name) {
        if (name == "_text") {
            auto v = parse_unsigned(addr, 16);
            return v && *v ? v : std::nullopt;
        }
        in.ignore(4096, '\n');  // [module] after the name
    }
    return std::nullopt;
}

// The GNU build-id among the kernel's own notes (/sys/kernel/notes), as lowercase hex.
std::optional<std::string> notes_build_id(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto id = find_elf_note(std::as_bytes(std::span{raw}), "GNU", 3 /* NT_GNU_BUILD_ID */);
    if (!id || id->empty()) return std::nullopt;
    std::string hex;
    for (std::byte b : *id) hex += fmt::format("{:02x}", static_cast<unsigned>(b));
    return hex;
}

}  // namespace

Result<std::unique_ptr<LiveSession>> LiveSession::open(const std::string& vmlinux,
                                                       const SessionOptions& options,
                                                       const LivePaths& paths) {
    std::unique_ptr<LiveSession> s(new LiveSession());  // private constructor: no make_unique
    if (auto r = s->open_vmlinux(vmlinux); !r) return r.failure();
    auto target = KcoreTarget::open(paths.kcore);
    if (!target) return target.failure();
    s->target_ = std::move(*target);
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    s->num_cpus_ = cpus > 0 ? static_cast<unsigned>(cpus) : 0;

    const VmcoreInfo& vi = s->target_->vmcoreinfo();
    if (vi.empty()) {
        if (auto r = s->locate_without_vmcoreinfo(options, paths); !r) return r.failure();
        return s;
    }
    if (auto r = s->use_vmcoreinfo(vi, options); !r) return r.failure();
    if (!options.kaslr && vi.kernel_offset()) s->kaslr_source_ = "VMCOREINFO KERNELOFFSET in /proc/kcore";
    return s;
}

Result<void> LiveSession::locate_without_vmcoreinfo(const SessionOptions& options,
                                                    const LivePaths& paths) {
    const VmlinuxIdentity me = identity();
    if (auto running = notes_build_id(paths.notes); running && me.build_id && *running != *me.build_id) {
        auto r = mismatch(fmt::format("running kernel is build-id {} ({}), {}", *running,
                                      paths.notes, me.described),
                          options.force);
        if (!r) return r;
    }
    const ElfSymbol* text = vmlinux_->symbol("_text");
    if (options.kaslr) {
        kaslr_offset_ = *options.kaslr;
        kaslr_source_ = "--kaslr (command line)";
    } else if (auto run_text = kallsyms_text(paths.kallsyms); run_text && text) {
        kaslr_offset_ = *run_text - text->address;
        kaslr_source_ = fmt::format("{} _text minus the vmlinux's", paths.kallsyms);
    } else {
        return fail("cannot find the KASLR slide: /proc/kcore has no VMCOREINFO and " + paths.kallsyms +
                        " shows no _text address (not root? kptr_restrict?); give --kaslr=OFFSET",
                    paths.kcore);
    }
    return check_banner(options);
}

}  // namespace kdive
