// SPDX-License-Identifier: GPL-3.0-or-later
// Finding the KASLR slide and phys_base of a dump that does not state them (QEMU's
// dump-guest-memory has no VMCOREINFO). The page tables come from a CPU's CR3 in the dump's
// QEMU notes (CR4.LA57 gives their depth) or, failing that, from where this vmlinux's
// linux_banner lies in physical memory (init_top_pgt sits at a fixed distance from it in the
// loaded image). The slide is the 2 MiB step at which linux_banner, translated through those
// page tables, reads as the vmlinux's own banner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kdive/result.hpp"
#include "memory/kdump_target.hpp"

namespace kdive {

// Link-time facts of the vmlinux the probe needs.
struct KernelImage {
    std::uint64_t text = 0;     // _text
    std::uint64_t banner = 0;   // linux_banner
    std::uint64_t top_pgt = 0;  // init_top_pgt (0: unknown)
    std::string banner_text;    // linux_banner as the vmlinux holds it, without the NUL
};

struct KaslrFinding {
    std::uint64_t slide = 0;
    std::uint64_t phys_base = 0;  // the kernel's phys_base: physical _text minus its offset
    std::uint64_t root = 0;       // the page tables used (physical)
    unsigned levels = 0;
    std::string how;              // "linux_banner through CR3 of CPU 0 (5-level)"
};

// Sets up `target`'s page tables and returns what was found. With `slide` given, only that
// slide is checked. On failure the first page tables tried stay in place (for --force).
Result<KaslrFinding> find_kaslr(KdumpTarget& target, const KernelImage& image,
                                std::optional<std::uint64_t> slide = std::nullopt);

// The first "Linux version ..." string in the dump's physical memory: what kernel the dump
// holds, to name it when the vmlinux does not match.
std::optional<std::string> find_linux_banner(KdumpTarget& target);

}  // namespace kdive
