// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any bytes as an eBPF program, raw and as a loaded (xlated) one, with
// callbacks that answer like the bpf command's. Every slot must come out as one line.
#include <cstddef>
#include <cstdint>
#include <span>

#include "kdive/bpf_insn.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto bytes = std::as_bytes(std::span(data, size));
    kdive::bpf::Callbacks cb;
    cb.helper = [](std::int32_t id) -> std::optional<std::string> {
        if (id < 0 || id > 211) return std::nullopt;
        return "bpf_helper" + std::to_string(id);
    };
    cb.call = [](const kdive::bpf::Insn& i) -> std::optional<std::string> {
        if (i.imm % 3) return std::nullopt;
        return "kernel_function";
    };
    cb.imm = [](const kdive::bpf::Insn&, std::uint64_t v) -> std::optional<std::string> {
        if (v & 1) return std::nullopt;
        return "map[id:1]";
    };
    for (bool xlated : {false, true}) {
        std::size_t slots = 0;
        for (const auto& line : kdive::bpf::disassemble(bytes, xlated ? cb : kdive::bpf::Callbacks{}, xlated)) {
            if (line.index != slots || line.text.empty() || line.text.front() != '(') __builtin_trap();
            slots += line.slots;
        }
        if (slots != size / 8) __builtin_trap();
    }
    (void)kdive::bpf::hex_bytes(bytes);
    return 0;
}
