// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/bpf.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include <fmt/format.h>

#include "kdive/interrupt.hpp"
#include "kdive/kernel_facts.hpp"
#include "kdive/object.hpp"
#include "kdive/type.hpp"
#include "kdive/xarray.hpp"

namespace kdive {

namespace {

// Every field is read through the debug info's types, only its own bytes.
Result<Object> member_at(Session& s, std::string_view type, std::uint64_t addr, std::string_view path) {
    return Object::at(s, type, addr).and_then([&](const Object& o) { return o.member(path); });
}

Result<std::uint64_t> scalar(Session& s, std::string_view type, std::uint64_t addr, std::string_view path) {
    return member_at(s, type, addr, path).and_then([](const Object& o) { return o.to_u64(); });
}

Result<std::vector<std::byte>> bytes_of(Session& s, std::string_view type, std::uint64_t addr, std::string_view path) {
    return member_at(s, type, addr, path).and_then([](const Object& o) { return o.bytes(); });
}

std::string c_string(const std::vector<std::byte>& b) {
    const char* p = reinterpret_cast<const char*>(b.data());
    return std::string(p, strnlen(p, b.size()));
}

Result<std::uint64_t> offset_of(Session& s, std::string_view type, std::string_view path) {
    return member_offset(s, type, path);
}

Result<std::uint64_t> size_of(Session& s, std::string_view type) { return type_size_of(s, type); }

Result<std::vector<std::byte>> read_bytes(Session& s, std::uint64_t addr, std::size_t n) {
    std::vector<std::byte> b(n);
    if (auto r = s.target().read(AddressSpace::KernelVirtual, addr, b); !r) return r.failure();
    return b;
}

Result<std::uint64_t> read_u64(Session& s, std::uint64_t addr) {
    return s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, addr);
}

// An enumerator's name by value, less `prefix`; the number if the enum has none.
std::string enum_name(Session& s, std::string_view enum_type, std::int64_t value, std::string_view prefix) {
    if (auto di = s.debuginfo())
        if (auto t = (*di)->find_type(enum_type)) {
            const Type* e = strip_typedefs((*di)->complete(*t));
            for (const auto& en : e->enumerators)
                if (en.value == value) {
                    std::string_view n = en.name;
                    if (n.starts_with(prefix)) n.remove_prefix(prefix.size());
                    return std::string(n);
                }
        }
    return std::to_string(value);
}

std::size_t longest_enumerator(Session& s, std::string_view enum_type) {
    std::size_t n = 0;
    if (auto di = s.debuginfo())
        if (auto t = (*di)->find_type(enum_type))
            for (const auto& en : strip_typedefs((*di)->complete(*t))->enumerators) n = std::max(n, en.name.size());
    return n;
}

std::uint64_t page_size(Session& s) {
    auto f = kernel_facts(s);
    return f ? (*f)->page_size : 4096;
}

// The possible CPUs (cpu_possible_mask), as per-CPU map values have one slot for each.
Result<std::vector<unsigned>> possible_cpus(Session& s) {
    auto f = kernel_facts(s);
    if (!f) return f.failure();
    return (*f)->possible_cpus;
}

Result<std::uint64_t> per_cpu_offset(Session& s, unsigned cpu) { return per_cpu_address(s, 0, cpu); }

bool is_percpu_type(std::string_view t) {
    return t == "PERCPU_HASH" || t == "LRU_PERCPU_HASH" || t == "PERCPU_ARRAY" || t == "PERCPU_CGROUP_STORAGE";
}
bool is_fd_map(std::string_view t) {
    return t == "PERF_EVENT_ARRAY" || t == "CGROUP_ARRAY" || t == "ARRAY_OF_MAPS" || t == "PROG_ARRAY" ||
           t == "HASH_OF_MAPS";
}
std::uint64_t round8(std::uint64_t v) { return (v + 7) & ~std::uint64_t{7}; }

// Sizes are bounded before anything is allocated from them: a corrupt map must not make us
// read gigabytes.
constexpr std::uint32_t kMaxKeyValue = 1u << 20;
constexpr std::uint64_t kMaxBtf = 16u << 20;  // BTF_MAX_SIZE: what BPF_BTF_LOAD accepts

Result<BpfMap> read_map(Session& s, std::uint32_t id, std::uint64_t addr, std::size_t ncpus) {
    constexpr std::string_view T = "struct bpf_map";
    BpfMap m;
    m.id = id;
    m.map = addr;
    auto type = scalar(s, T, addr, "map_type");
    auto key = scalar(s, T, addr, "key_size");
    auto value = scalar(s, T, addr, "value_size");
    auto max = scalar(s, T, addr, "max_entries");
    auto flags = scalar(s, T, addr, "map_flags");
    if (!type) return fail("cannot read struct bpf_map: " + type.error().message(), hex_address(addr));
    if (!key || !value || !max || !flags) return fail("cannot read struct bpf_map", hex_address(addr));
    m.type = static_cast<std::uint32_t>(*type);
    m.type_name = enum_name(s, "enum bpf_map_type", m.type, "BPF_MAP_TYPE_");
    m.key_size = static_cast<std::uint32_t>(*key);
    m.value_size = static_cast<std::uint32_t>(*value);
    m.max_entries = static_cast<std::uint32_t>(*max);
    m.map_flags = static_cast<std::uint32_t>(*flags);
    if (auto n = bytes_of(s, T, addr, "name")) m.name = c_string(*n);
    if (auto f = scalar(s, T, addr, "frozen")) m.frozen = *f != 0;
    if (auto btf = scalar(s, T, addr, "btf"); btf && *btf) {
        m.btf = *btf;
        if (auto bid = scalar(s, "struct btf", *btf, "id")) m.btf_id = static_cast<std::uint32_t>(*bid);
    }
    m.btf_key_type_id = static_cast<std::uint32_t>(scalar(s, T, addr, "btf_key_type_id").value_or(0));
    m.btf_value_type_id = static_cast<std::uint32_t>(scalar(s, T, addr, "btf_value_type_id").value_or(0));
    m.btf_vmlinux_value_type_id =
        static_cast<std::uint32_t>(scalar(s, T, addr, "btf_vmlinux_value_type_id").value_or(0));
    // bpf_map_memory_footprint (kernel/bpf/syscall.c): what /proc/PID/fdinfo calls memlock.
    std::uint64_t vsize = m.value_size;
    if (is_percpu_type(m.type_name)) vsize = round8(m.value_size) * ncpus;
    else if (is_fd_map(m.type_name)) vsize = 4;
    const std::uint64_t page = page_size(s);
    const std::uint64_t bytes = std::uint64_t{m.max_entries} * round8(m.key_size + vsize);
    m.memlock = (bytes + page - 1) / page * page;
    if (m.type_name == "ARRAY") {
        auto value = offset_of(s, "struct bpf_array", "value");
        auto elem = scalar(s, "struct bpf_array", addr, "elem_size");
        if (value && elem) {
            m.value_start = addr + *value;
            m.value_end = m.value_start + *elem * m.max_entries;
        }
    }
    return m;
}

Result<BpfProg> read_prog(Session& s, std::uint32_t id, std::uint64_t addr,
                          std::optional<std::int64_t> boot_to_real) {
    constexpr std::string_view P = "struct bpf_prog";
    constexpr std::string_view A = "struct bpf_prog_aux";
    BpfProg p;
    p.id = id;
    p.prog = addr;
    auto aux = scalar(s, P, addr, "aux");
    if (!aux) return fail("cannot read struct bpf_prog: " + aux.error().message(), hex_address(addr));
    p.aux = *aux;
    auto type = scalar(s, P, addr, "type");
    auto len = scalar(s, P, addr, "len");
    auto jited_len = scalar(s, P, addr, "jited_len");
    auto func = scalar(s, P, addr, "bpf_func");
    auto tag = bytes_of(s, P, addr, "tag");
    auto insnsi = offset_of(s, P, "insnsi");
    if (!type || !len || !jited_len || !func || !tag || !insnsi)
        return fail("cannot read struct bpf_prog", hex_address(addr));
    p.type = static_cast<std::uint32_t>(*type);
    p.type_name = enum_name(s, "enum bpf_prog_type", p.type, "BPF_PROG_TYPE_");
    p.len = static_cast<std::uint32_t>(*len);
    p.jited_len = static_cast<std::uint32_t>(*jited_len);
    p.bpf_func = *func;
    p.insnsi = addr + *insnsi;
    for (std::size_t i = 0; i < p.tag.size() && i < tag->size(); ++i) p.tag[i] = static_cast<std::uint8_t>((*tag)[i]);
    p.jited = scalar(s, P, addr, "jited").value_or(0) != 0;
    if (auto g = scalar(s, P, addr, "gpl_compatible")) p.gpl_compatible = *g != 0;
    if (auto pages = scalar(s, P, addr, "pages")) p.memlock = *pages * page_size(s);
    auto eat = scalar(s, P, addr, "expected_attach_type");
    p.expected_attach_type = static_cast<std::uint32_t>(eat.value_or(0));
    p.attach_type_name = enum_name(s, "enum bpf_attach_type", p.expected_attach_type, "");

    // The aux structure: what BPF_OBJ_GET_INFO_BY_FD reports besides.
    auto cnt = scalar(s, A, p.aux, "used_map_cnt");
    auto used = scalar(s, A, p.aux, "used_maps");
    if (!cnt || !used) return fail("cannot read struct bpf_prog_aux", hex_address(p.aux));
    if (*cnt > 65536) return fail(fmt::format("implausible used_map_cnt {}", *cnt), hex_address(p.aux));
    if (*cnt) {
        auto maps = read_bytes(s, *used, *cnt * 8);
        if (!maps) return maps.failure();
        p.used_maps.resize(*cnt);
        std::memcpy(p.used_maps.data(), maps->data(), maps->size());
    }
    p.load_time = scalar(s, A, p.aux, "load_time").value_or(0);
    if (boot_to_real) p.load_realtime_ns = static_cast<std::int64_t>(p.load_time) + *boot_to_real;
    if (auto n = bytes_of(s, A, p.aux, "name")) p.name = c_string(*n);
    if (auto user = scalar(s, A, p.aux, "user"); user && *user)
        if (auto uid = scalar(s, "struct user_struct", *user, "uid.val")) p.uid = static_cast<std::uint32_t>(*uid);
    p.attach_btf_id = static_cast<std::uint32_t>(scalar(s, A, p.aux, "attach_btf_id").value_or(0));
    if (auto fn = scalar(s, A, p.aux, "attach_func_name"); fn && *fn)
        if (auto str = s.target().read_string(AddressSpace::KernelVirtual, *fn, 256)) p.attach_func_name = *str;
    if (auto dst = scalar(s, A, p.aux, "dst_prog"); dst && *dst)
        if (auto daux = scalar(s, P, *dst, "aux"))
            if (auto did = scalar(s, A, *daux, "id")) p.dst_prog_id = static_cast<std::uint32_t>(*did);
    if (auto btf = scalar(s, A, p.aux, "btf"); btf && *btf)
        if (auto bid = scalar(s, "struct btf", *btf, "id")) p.btf_id = static_cast<std::uint32_t>(*bid);
    if (auto v = scalar(s, A, p.aux, "verified_insns")) p.verified_insns = static_cast<std::uint32_t>(*v);
    p.stack_depth = static_cast<std::uint32_t>(scalar(s, A, p.aux, "stack_depth").value_or(0));
    return p;
}

// CLOCK_REALTIME - CLOCK_BOOTTIME at the time of the dump, from the timekeeper: load times
// are boot-time nanoseconds (ktime_get_boottime_ns).
std::optional<std::int64_t> boot_to_real(Session& s) {
    auto tk = Object::variable(s, "tk_core");
    if (!tk) return std::nullopt;
    auto r = tk->member("timekeeper.offs_real").and_then([](const Object& o) { return o.to_u64(); });
    auto b = tk->member("timekeeper.offs_boot").and_then([](const Object& o) { return o.to_u64(); });
    if (!r || !b) return std::nullopt;
    return static_cast<std::int64_t>(*r) - static_cast<std::int64_t>(*b);
}

Result<std::vector<XaEntry>> idr_of(Session& s, const char* name) {
    auto addr = s.symbol_address(name);
    if (!addr) return fail("no BPF in this kernel", name);
    return idr_entries(s, *addr);
}

// A hash table's elements: every bucket's hlist_nulls chain.
Result<void> hash_entries(Session& s, const BpfMap& m, BpfMapContents& out) {
    constexpr std::string_view H = "struct bpf_htab";
    auto buckets = scalar(s, H, m.map, "buckets");
    auto nb = scalar(s, H, m.map, "n_buckets");
    auto bucket_size = size_of(s, "struct bucket");
    auto first_off = offset_of(s, "struct bucket", "head.first");
    auto node_off = offset_of(s, "struct htab_elem", "hash_node");
    auto next_off = offset_of(s, "struct hlist_nulls_node", "next");
    auto key_off = offset_of(s, "struct htab_elem", "key");
    if (!buckets || !nb || !bucket_size || !first_off || !node_off || !next_off || !key_off)
        return fail("cannot read the hash table's layout", hex_address(m.map));
    if (*nb > (1u << 31)) return fail(fmt::format("implausible n_buckets {}", *nb), hex_address(m.map));
    // Preallocated tables keep up to max_entries + per-CPU extras in use; anything far past
    // that is a corrupt chain.
    const std::size_t limit = std::size_t{m.max_entries} * 2 + 1024;
    std::unordered_set<std::uint64_t> seen;
    for (std::uint64_t b = 0; b < *nb; ++b) {
        if (auto r = check_interrupted(); !r) return r;
        auto node = read_u64(s, *buckets + b * *bucket_size + *first_off);
        if (!node) return node.failure();
        std::uint64_t n = *node;
        while (n && !(n & 1)) {  // a nulls marker (odd) ends the chain
            if (!seen.insert(n).second || seen.size() > limit)
                return fail("the hash table's chains loop or are corrupt", hex_address(n));
            const std::uint64_t elem = n - *node_off;
            auto key = read_bytes(s, elem + *key_off, m.key_size);
            if (!key) return key.failure();
            BpfMapEntry e;
            e.key = std::move(*key);
            if (out.per_cpu) {
                auto pptr = read_u64(s, elem + *key_off + m.key_size);
                if (!pptr) return pptr.failure();
                for (unsigned cpu : out.cpus) {
                    auto off = per_cpu_offset(s, cpu);
                    if (!off) return off.failure();
                    auto v = read_bytes(s, *pptr + *off, m.value_size);
                    if (!v) return v.failure();
                    e.values.push_back(std::move(*v));
                }
            } else {
                auto v = read_bytes(s, elem + *key_off + round8(m.key_size), m.value_size);
                if (!v) return v.failure();
                e.values.push_back(std::move(*v));
            }
            out.entries.push_back(std::move(e));
            auto next = read_u64(s, n + *next_off);
            if (!next) return next.failure();
            n = *next;
        }
    }
    return {};
}

Result<void> array_entries(Session& s, const BpfMap& m, BpfMapContents& out) {
    constexpr std::string_view A = "struct bpf_array";
    auto elem_size = scalar(s, A, m.map, "elem_size");
    auto value_off = offset_of(s, A, out.per_cpu ? "pptrs" : "value");
    if (!elem_size || !value_off) return fail("cannot read the array's layout", hex_address(m.map));
    if (!out.per_cpu && *elem_size < m.value_size)
        return fail(fmt::format("implausible elem_size {}", *elem_size), hex_address(m.map));
    std::vector<std::uint64_t> offsets;
    for (unsigned cpu : out.cpus) {
        auto off = per_cpu_offset(s, cpu);
        if (!off) return off.failure();
        offsets.push_back(*off);
    }
    for (std::uint32_t i = 0; i < m.max_entries; ++i) {
        if (auto r = check_interrupted(); !r) return r;
        BpfMapEntry e;
        e.key.resize(m.key_size);
        std::memcpy(e.key.data(), &i, std::min<std::size_t>(4, m.key_size));
        if (out.per_cpu) {
            auto pptr = read_u64(s, m.map + *value_off + 8ull * i);
            if (!pptr) return pptr.failure();
            for (std::uint64_t off : offsets) {
                auto v = read_bytes(s, *pptr + off, m.value_size);
                if (!v) return v.failure();
                e.values.push_back(std::move(*v));
            }
        } else {
            auto v = read_bytes(s, m.map + *value_off + *elem_size * i, m.value_size);
            if (!v) return v.failure();
            e.values.push_back(std::move(*v));
        }
        out.entries.push_back(std::move(e));
    }
    return {};
}

Result<void> ringbuf_state(Session& s, const BpfMap& m, BpfMapContents& out) {
    constexpr std::string_view R = "struct bpf_ringbuf";
    auto rb = scalar(s, "struct bpf_ringbuf_map", m.map, "rb");
    if (!rb) return rb.failure();
    BpfRingbuf r;
    r.rb = *rb;
    auto mask = scalar(s, R, r.rb, "mask");
    auto cons = scalar(s, R, r.rb, "consumer_pos");
    auto prod = scalar(s, R, r.rb, "producer_pos");
    if (!mask || !cons || !prod) return fail("cannot read struct bpf_ringbuf", hex_address(r.rb));
    r.size = *mask + 1;
    r.consumer_pos = *cons;
    r.producer_pos = *prod;
    if (auto pend = scalar(s, R, r.rb, "pending_pos")) r.pending_pos = *pend;
    out.ringbuf = r;
    return {};
}

}  // namespace

std::string BpfProg::tag_hex() const {
    std::string s;
    for (auto b : tag) s += fmt::format("{:02x}", b);
    return s;
}

Result<std::vector<BpfProg>> bpf_programs(Session& s) {
    auto entries = idr_of(s, "prog_idr");
    if (!entries) return entries.failure();
    const auto offset = boot_to_real(s);
    std::vector<BpfProg> out;
    for (const auto& e : *entries) {
        if (xa_is_value(e.entry)) continue;  // not a pointer: nothing the IDR of programs holds
        auto p = read_prog(s, static_cast<std::uint32_t>(e.index), e.entry, offset);
        if (!p) return p.failure();
        out.push_back(std::move(*p));
    }
    return out;
}

Result<std::vector<BpfMap>> bpf_maps(Session& s) {
    auto entries = idr_of(s, "map_idr");
    if (!entries) return entries.failure();
    const std::size_t ncpus = possible_cpus(s).value_or(std::vector<unsigned>(1)).size();
    std::vector<BpfMap> out;
    for (const auto& e : *entries) {
        if (xa_is_value(e.entry)) continue;
        auto m = read_map(s, static_cast<std::uint32_t>(e.index), e.entry, ncpus);
        if (!m) return m.failure();
        out.push_back(std::move(*m));
    }
    return out;
}

BpfTypeWidths bpf_type_widths(Session& s) {
    BpfTypeWidths w;
    constexpr std::size_t kPrefix = 14;  // strlen("BPF_PROG_TYPE_"), for both (as crash does)
    if (auto n = longest_enumerator(s, "enum bpf_prog_type"); n > kPrefix) w.prog = std::min<std::size_t>(13, n - kPrefix);
    if (auto n = longest_enumerator(s, "enum bpf_map_type"); n > kPrefix) w.map = n - kPrefix;
    return w;
}

std::optional<std::string> bpf_helper_name(Session& s, std::int32_t id) {
    auto di = s.debuginfo();
    if (!di) return std::nullopt;
    auto t = (*di)->find_type("enum bpf_func_id");
    if (!t) return std::nullopt;
    for (const auto& en : strip_typedefs((*di)->complete(*t))->enumerators) {
        if (en.value != id) continue;
        std::string_view n = en.name;
        if (!n.starts_with("BPF_FUNC_")) return std::nullopt;  // __BPF_FUNC_MAX_ID
        n.remove_prefix(9);
        return "bpf_" + std::string(n);
    }
    return std::nullopt;
}

Result<BpfMapContents> bpf_map_contents(Session& s, const BpfMap& m) {
    BpfMapContents out;
    const std::string& t = m.type_name;
    const bool array = t == "ARRAY" || t == "PERCPU_ARRAY";
    const bool hash = t == "HASH" || t == "PERCPU_HASH" || t == "LRU_HASH" || t == "LRU_PERCPU_HASH";
    if (t == "RINGBUF") {
        if (auto r = ringbuf_state(s, m, out); !r) return r.failure();
        return out;
    }
    if (!array && !hash) return fail("the contents of " + t + " maps are not read", fmt::format("map {}", m.id));
    if (m.key_size > kMaxKeyValue || m.value_size > kMaxKeyValue || (array && m.key_size != 4))
        return fail(fmt::format("implausible key/value sizes {}/{}", m.key_size, m.value_size),
                    fmt::format("map {}", m.id));
    out.per_cpu = is_percpu_type(t);
    if (out.per_cpu) {
        auto cpus = possible_cpus(s);
        if (!cpus) return cpus.failure();
        out.cpus = std::move(*cpus);
    }
    auto r = array ? array_entries(s, m, out) : hash_entries(s, m, out);
    if (!r) return r.failure();
    return out;
}

Result<std::unique_ptr<BtfTypes>> bpf_map_btf(Session& s, const BpfMap& m) {
    const std::string where = m.btf_id ? fmt::format("BTF {}", *m.btf_id) : fmt::format("map {}", m.id);
    if (!m.btf) return fail("the map has no BTF", where);
    constexpr std::string_view B = "struct btf";
    // A split BTF's type IDs and string offsets continue its base's: without reading the base
    // too, its references cannot be followed. Maps created from user space carry standalone
    // BTF; split BTF is the vmlinux's modules'.
    if (auto base = scalar(s, B, m.btf, "base_btf"); base && *base)
        return fail("split BTF (types of the vmlinux or a module BTF) is not read", where);
    auto data = scalar(s, B, m.btf, "data");
    auto size = scalar(s, B, m.btf, "data_size");
    if (!data || !size) return fail("cannot read struct btf", hex_address(m.btf));
    if (*size > kMaxBtf) return fail(fmt::format("implausible BTF size {}", *size), where);
    auto blob = read_bytes(s, *data, static_cast<std::size_t>(*size));
    if (!blob) return blob.failure();
    auto btf = Btf::parse(*blob);
    if (!btf) return fail(btf.error().what, where);
    return std::make_unique<BtfTypes>(std::move(*btf));
}

}  // namespace kdive
