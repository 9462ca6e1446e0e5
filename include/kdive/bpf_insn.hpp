// SPDX-License-Identifier: GPL-3.0-or-later
// eBPF instructions decoded from their bytes and printed in the kernel's own syntax
// (kernel/bpf/disasm.c, what `bpftool prog dump xlated` and the verifier log print):
// "(bf) r6 = r1", "(85) call bpf_map_lookup_elem#1", "(18) r1 = map[id:1]". A pure function
// over bytes: names of helpers, kernel functions and maps come from callbacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kdive::bpf {

struct Insn {
    std::uint8_t code = 0;
    std::uint8_t dst = 0;  // dst_reg: low nibble of byte 1
    std::uint8_t src = 0;  // src_reg: high nibble of byte 1
    std::int16_t off = 0;
    std::int32_t imm = 0;
};

// One 8-byte slot, little-endian as the kernel stores it.
Insn decode(std::span<const std::byte, 8> bytes);

// Pseudo source registers (include/uapi/linux/bpf.h).
constexpr std::uint8_t kPseudoMapFd = 1, kPseudoMapValue = 2, kPseudoBtfId = 3, kPseudoFunc = 4,
                       kPseudoMapIdx = 5, kPseudoMapIdxValue = 6;
constexpr std::uint8_t kPseudoCall = 1, kPseudoKfuncCall = 2;

struct Callbacks {
    // A helper's name by BPF_FUNC_ id: "bpf_map_lookup_elem" for 1 (nullopt: unknown id).
    std::function<std::optional<std::string>(std::int32_t id)> helper;
    // What a call that is not a known helper id calls (in a loaded program, imm is the offset
    // of the kernel function from __bpf_call_base): disasm.c's cb_call.
    std::function<std::optional<std::string>(const Insn&)> call;
    // How a 64-bit immediate is shown (a map pointer as "map[id:1]"): disasm.c's cb_imm.
    std::function<std::optional<std::string>(const Insn&, std::uint64_t)> imm;
};

// The text print_bpf_insn prints for `insns[0]` without its newline: "(bf) r6 = r1". A
// ld_imm64 reads its upper half from insns[1]; with only one slot given it is printed as
// "(18) BUG_ld_imm64_truncated".
std::string format_insn(std::span<const Insn> insns, const Callbacks& cb = {});

// What the kernel does to a loaded program's instructions before it shows them
// (bpf_insn_prepare_dump): its internal opcodes back to the UAPI ones (BPF_CALL_ARGS and
// BPF_PROBE_MEM loads to calls and loads; BPF_TAIL_CALL to a call of bpf_tail_call).
Insn normalize_xlated(const Insn& insn);

struct Line {
    std::size_t index = 0;   // slot number
    std::size_t slots = 1;   // 2 for ld_imm64
    std::string text;        // format_insn()
};

// A program: every instruction, a ld_imm64 taking two slots (as bpftool counts). `xlated`:
// the bytes are a loaded program's (normalize_xlated first). A trailing partial slot is ignored.
std::vector<Line> disassemble(std::span<const std::byte> bytes, const Callbacks& cb = {},
                              bool xlated = false);

// bpftool's fprint_hex: bytes as "%02x" separated by `sep`, two blanks every 8, a newline every 16.
std::string hex_bytes(std::span<const std::byte> bytes, const char* sep = " ");

}  // namespace kdive::bpf
