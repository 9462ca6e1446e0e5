// SPDX-License-Identifier: GPL-3.0-or-later
// eBPF programs and maps of the dumped kernel: the kernel's prog_idr and map_idr walked, each
// struct bpf_prog / bpf_map read through the debug info's types, and the contents of the maps
// whose storage is plain memory (array, hash and their per-CPU and LRU variants; a ring
// buffer's positions).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kdive/btf.hpp"
#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct BpfMap {
    std::uint32_t id = 0;
    std::uint64_t map = 0;  // struct bpf_map *
    std::uint32_t type = 0;
    std::string type_name;  // enum bpf_map_type without BPF_MAP_TYPE_: "ARRAY"
    std::uint32_t key_size = 0, value_size = 0, max_entries = 0, map_flags = 0;
    std::string name;
    bool frozen = false;
    std::uint64_t btf = 0;                // struct btf *, 0 without BTF
    std::optional<std::uint32_t> btf_id;  // map->btf's id, if it has BTF
    std::uint32_t btf_key_type_id = 0, btf_value_type_id = 0, btf_vmlinux_value_type_id = 0;
    std::uint64_t memlock = 0;  // the kernel's own estimate (bpf_map_memory_footprint)
    // An array map's values ([value_start, value_end)): programs address them directly
    // (BPF_PSEUDO_MAP_VALUE), shown as map[id:N][0]+OFFSET.
    std::uint64_t value_start = 0, value_end = 0;
};

struct BpfProg {
    std::uint32_t id = 0;
    std::uint64_t prog = 0;  // struct bpf_prog *
    std::uint64_t aux = 0;   // struct bpf_prog_aux *
    std::uint32_t type = 0;
    std::string type_name;   // "SOCKET_FILTER"
    std::array<std::uint8_t, 8> tag{};
    std::uint32_t len = 0;        // instructions (8-byte slots)
    std::uint32_t jited_len = 0;  // bytes
    std::uint64_t bpf_func = 0;   // JITed code
    std::uint64_t insnsi = 0;     // the translated instructions
    bool jited = false;
    std::optional<bool> gpl_compatible;
    std::uint64_t memlock = 0;    // pages * PAGE_SIZE
    std::vector<std::uint64_t> used_maps;  // struct bpf_map *
    std::uint64_t load_time = 0;  // ns since boot (CLOCK_BOOTTIME)
    std::optional<std::int64_t> load_realtime_ns;  // the same as wall-clock time, if known
    std::string name;
    std::optional<std::uint32_t> uid;
    std::uint32_t expected_attach_type = 0;
    std::string attach_type_name;  // enum bpf_attach_type: "BPF_CGROUP_INET_INGRESS"
    std::uint32_t attach_btf_id = 0;
    std::string attach_func_name;
    std::optional<std::uint32_t> dst_prog_id;
    std::optional<std::uint32_t> btf_id;
    std::optional<std::uint32_t> verified_insns;
    std::uint32_t stack_depth = 0;

    std::string tag_hex() const;
};

Result<std::vector<BpfProg>> bpf_programs(Session& session);
Result<std::vector<BpfMap>> bpf_maps(Session& session);

// Column widths crash derives from the enums (bpf_type_size_init): BPF_PROG_TYPE's is the
// longest bpf_prog_type enumerator less "BPF_PROG_TYPE_", at most 13; BPF_MAP_TYPE's the
// longest bpf_map_type enumerator less 14 (sic).
struct BpfTypeWidths {
    std::size_t prog = 13, map = 20;
};
BpfTypeWidths bpf_type_widths(Session& session);

// A helper's name by BPF_FUNC_ id from enum bpf_func_id ("bpf_map_lookup_elem"), as
// disasm.c's func_id_str spells it.
std::optional<std::string> bpf_helper_name(Session& session, std::int32_t id);

struct BpfMapEntry {
    std::vector<std::byte> key;
    std::vector<std::vector<std::byte>> values;  // one, or one per possible CPU
};

struct BpfRingbuf {
    std::uint64_t rb = 0;  // struct bpf_ringbuf *
    std::uint64_t size = 0;  // mask + 1
    std::uint64_t consumer_pos = 0, producer_pos = 0;
    std::optional<std::uint64_t> pending_pos;
};

struct BpfMapContents {
    bool per_cpu = false;
    std::vector<unsigned> cpus;  // the possible CPUs, for per-CPU values
    std::vector<BpfMapEntry> entries;
    std::optional<BpfRingbuf> ringbuf;
};

// What the dump holds of a map. Fails for map types whose contents are not read.
Result<BpfMapContents> bpf_map_contents(Session& session, const BpfMap& map);

// The BTF the map's key and value type IDs refer to (map->btf), parsed from the raw blob the
// kernel keeps (struct btf's data and data_size). Fails for a map without BTF, for split BTF
// (whose IDs continue the vmlinux or a module's BTF, not read here) and for a corrupt blob.
Result<std::unique_ptr<BtfTypes>> bpf_map_btf(Session& session, const BpfMap& map);

}  // namespace kdive
