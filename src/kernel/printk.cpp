// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/printk.hpp"

#include "kdive/kernel_time.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>

#include <fmt/format.h>

#include "kdive/debuginfo.hpp"
#include "kdive/object.hpp"
#include "kdive/type.hpp"

namespace kdive {

namespace {

// Where a member lies in its struct, from the debug info.
struct Field {
    std::uint64_t bit_offset = 0;
    std::uint32_t bit_size = 0;  // non-zero for a bit-field
    std::uint64_t size = 0;      // bytes of its type
    std::uint64_t offset() const { return bit_offset / 8; }
};

// Struct layouts by name, member paths ("desc_ring.head_id.counter") to Fields.
class Layout {
public:
    explicit Layout(DebugInfo& di) : di_(di) {}

    Result<const Type*> type(std::string_view name) {
        auto t = di_.find_type(name);
        if (!t) return t.failure();
        const Type* s = strip_typedefs(di_.complete(*t));
        if (!s || !s->size) return fail("the debug info has no definition of it", std::string(name));
        return s;
    }

    Result<Field> field(const Type* t, std::string_view path) const {
        Field f;
        const Type* cur = t;
        std::string_view rest = path;
        while (true) {
            const std::size_t dot = rest.find('.');
            const std::string_view part = rest.substr(0, dot);
            cur = strip_typedefs(di_.complete(strip_typedefs(cur)));
            auto m = find_member(cur, part);
            if (!m) return fail(fmt::format("no member '{}' in struct {}", path, t->name), "printk");
            f.bit_offset += m->bit_offset;
            f.bit_size = m->member->bit_size;
            cur = m->member->type.get();
            if (dot == std::string_view::npos) break;
            rest.remove_prefix(dot + 1);
        }
        f.size = type_size(cur);
        if (!f.bit_size && (f.size == 0 || f.bit_offset % 8))
            return fail(fmt::format("unexpected layout of {}.{}", t->name, path), "printk");
        return f;
    }

private:
    DebugInfo& di_;
};

// An unsigned integer (or pointer, or bit-field) of a struct held in `bytes` at `base`; 0 if
// it lies outside (a truncated read is caught by the callers' size checks).
std::uint64_t get(std::span<const std::byte> bytes, std::uint64_t base, const Field& f) {
    const std::uint64_t start = base + f.offset();
    const std::uint64_t shift = f.bit_size ? f.bit_offset % 8 : 0;
    const std::uint64_t n = f.bit_size ? (shift + f.bit_size + 7) / 8 : f.size;
    if (n > 8 || start > bytes.size() || n > bytes.size() - start) return 0;
    std::uint64_t v = 0;
    std::memcpy(&v, bytes.data() + start, n);  // little-endian, as on x86-64
    if (f.bit_size) {
        v >>= shift;
        if (f.bit_size < 64) v &= (std::uint64_t{1} << f.bit_size) - 1;
    }
    return v;
}

// A char array member as a C string.
std::string get_string(std::span<const std::byte> bytes, std::uint64_t base, const Field& f) {
    const std::uint64_t start = base + f.offset();
    if (start > bytes.size() || f.size > bytes.size() - start) return {};
    const char* p = reinterpret_cast<const char*>(bytes.data() + start);
    return std::string(p, strnlen(p, f.size));
}

Result<std::vector<std::byte>> read_bytes(Session& s, std::uint64_t addr, std::uint64_t size,
                                          std::string_view what) {
    std::vector<std::byte> buf(size);
    auto r = s.target().read(AddressSpace::KernelVirtual, addr, buf);
    if (!r) return fail(fmt::format("cannot read {}: {}", what, r.error().what), r.error().where);
    return buf;
}

// A global scalar, or a member path in one ("prb", "log_buf_len"), through the object layer.
Result<std::uint64_t> global(Session& s, std::string_view path) {
    const std::size_t cut = path.find_first_of(".[");
    auto o = Object::variable(s, path.substr(0, cut));
    if (!o) return o.failure();
    if (cut == std::string_view::npos) return o->to_u64();
    return o->member(path.substr(cut + (path[cut] == '.' ? 1 : 0))).and_then([](const Object& m) {
        return m.to_u64();
    });
}

// ---- The lockless ring buffer (5.10+): kernel/printk/printk_ringbuffer.[ch] ----

// A descriptor's state_var: two state bits on top of the id.
constexpr unsigned kSvBits = 64;
constexpr std::uint64_t kFlagsMask = std::uint64_t{3} << (kSvBits - 2);
constexpr std::uint64_t kIdMask = ~kFlagsMask;
enum DescState : unsigned { Reserved = 0, Committed = 1, Finalized = 2, Reusable = 3 };
// Data-less blocks have bit 0 set in their lpos: NO_LPOS for empty text, FAILED_LPOS otherwise.
constexpr std::uint64_t kNoLpos = 0x3;
constexpr std::uint64_t kIdSize = 8;  // sizeof(prb_data_block.id): an unsigned long

Result<PrintkLog> read_ringbuffer(Session& s, Layout& L, std::uint64_t prb_addr) {
    auto rb_t = L.type("struct printk_ringbuffer");
    auto desc_t = L.type("struct prb_desc");
    auto info_t = L.type("struct printk_info");
    if (!rb_t) return rb_t.failure();
    if (!desc_t) return desc_t.failure();
    if (!info_t) return info_t.failure();

    struct {
        const char* path;
        Field f;
    } rb_fields[] = {{"desc_ring.count_bits", {}},     {"desc_ring.descs", {}},
                     {"desc_ring.infos", {}},          {"desc_ring.head_id.counter", {}},
                     {"desc_ring.tail_id.counter", {}}, {"text_data_ring.size_bits", {}},
                     {"text_data_ring.data", {}}};
    for (auto& rf : rb_fields) {
        auto f = L.field(*rb_t, rf.path);
        if (!f) return f.failure();
        rf.f = *f;
    }
    auto state_f = L.field(*desc_t, "state_var.counter");
    auto begin_f = L.field(*desc_t, "text_blk_lpos.begin");
    auto next_f = L.field(*desc_t, "text_blk_lpos.next");
    auto seq_f = L.field(*info_t, "seq");
    auto ts_f = L.field(*info_t, "ts_nsec");
    auto len_f = L.field(*info_t, "text_len");
    auto fac_f = L.field(*info_t, "facility");
    auto lvl_f = L.field(*info_t, "level");
    for (const auto* f : {&state_f, &begin_f, &next_f, &seq_f, &ts_f, &len_f, &fac_f, &lvl_f})
        if (!*f) return f->failure();
    auto caller_f = L.field(*info_t, "caller_id");  // optional
    auto subsys_f = L.field(*info_t, "dev_info.subsystem");
    auto device_f = L.field(*info_t, "dev_info.device");

    auto rb = read_bytes(s, prb_addr, (*rb_t)->size, "the printk ring buffer (prb)");
    if (!rb) return rb.failure();
    auto rbf = [&](int i) { return get(*rb, 0, rb_fields[i].f); };
    const std::uint64_t count_bits = rbf(0), descs = rbf(1), infos = rbf(2);
    const std::uint64_t head_id = rbf(3) & kIdMask, tail_id = rbf(4) & kIdMask;
    const std::uint64_t size_bits = rbf(5), data = rbf(6);
    // The kernel caps the log at 2^25 bytes (CONFIG_LOG_BUF_SHIFT, log_buf_len=); anything far
    // beyond is not a ring buffer.
    if (count_bits > 28 || size_bits > 31 || size_bits < 4)
        return fail(fmt::format("implausible ring sizes (count_bits {}, size_bits {})", count_bits, size_bits),
                    hex_address(prb_addr));
    const std::uint64_t count = std::uint64_t{1} << count_bits;
    const std::uint64_t desc_size = (*desc_t)->size, info_size = (*info_t)->size;

    auto desc_bytes = read_bytes(s, descs, count * desc_size, "the printk descriptors");
    if (!desc_bytes) return desc_bytes.failure();
    auto info_bytes = read_bytes(s, infos, count * info_size, "the printk infos");
    if (!info_bytes) return info_bytes.failure();
    auto text = read_bytes(s, data, std::uint64_t{1} << size_bits, "the printk text ring");
    if (!text) return text.failure();

    PrintkLog log;
    log.layout = "printk_ringbuffer";
    // Ids run from the tail to the head (both included), wrapping within the id bits. More
    // of them than slots means the ids are garbage: refuse rather than loop.
    const std::uint64_t span = (head_id - tail_id) & kIdMask;
    if (span >= count)
        return fail(fmt::format("tail id {:#x} and head id {:#x} are {} apart, the ring has {} slots",
                                tail_id, head_id, span, count),
                    hex_address(prb_addr));
    log.records.reserve(span + 1);
    for (std::uint64_t i = 0, id = tail_id; i <= span; ++i, id = (id + 1) & kIdMask) {
        const std::uint64_t slot = id & (count - 1);
        const std::uint64_t d = slot * desc_size, in = slot * info_size;
        const std::uint64_t sv = get(*desc_bytes, d, *state_f);
        const unsigned state = static_cast<unsigned>(sv >> (kSvBits - 2));
        // A slot whose id is not this one was reused; reserved and reusable slots hold no record.
        if ((sv & kIdMask) != id || (state != Committed && state != Finalized)) {
            ++log.skipped;
            continue;
        }
        auto t = printk_block_text(*text, static_cast<unsigned>(size_bits), get(*desc_bytes, d, *begin_f),
                            get(*desc_bytes, d, *next_f), get(*info_bytes, in, *len_f));
        if (!t) {
            ++log.skipped;
            continue;
        }
        PrintkRecord r;
        r.seq = get(*info_bytes, in, *seq_f);
        r.ts_nsec = get(*info_bytes, in, *ts_f);
        r.level = static_cast<unsigned>(get(*info_bytes, in, *lvl_f));
        r.facility = static_cast<unsigned>(get(*info_bytes, in, *fac_f));
        if (caller_f) {
            r.caller_id = static_cast<std::uint32_t>(get(*info_bytes, in, *caller_f));
            r.has_caller_id = true;
        }
        r.text.assign(*t);
        if (subsys_f)
            if (auto v = get_string(*info_bytes, in, *subsys_f); !v.empty()) r.dict.push_back("SUBSYSTEM=" + v);
        if (device_f)
            if (auto v = get_string(*info_bytes, in, *device_f); !v.empty()) r.dict.push_back("DEVICE=" + v);
        log.records.push_back(std::move(r));
    }
    return log;
}

// ---- The variable-length records of 3.5 to 5.9: kernel/printk/printk.c's log_buf ----

Result<PrintkLog> read_log_buf(Session& s, Layout& L) {
    auto log_t = L.type("struct printk_log");
    if (!log_t) log_t = L.type("struct log");  // its name before 3.11
    if (!log_t) return fail("neither prb nor a struct printk_log in the debug info: unsupported printk buffer");
    auto ts_f = L.field(*log_t, "ts_nsec");
    auto len_f = L.field(*log_t, "len");
    auto text_len_f = L.field(*log_t, "text_len");
    auto dict_len_f = L.field(*log_t, "dict_len");
    auto fac_f = L.field(*log_t, "facility");
    auto lvl_f = L.field(*log_t, "level");
    for (const auto* f : {&ts_f, &len_f, &text_len_f, &dict_len_f, &fac_f, &lvl_f})
        if (!*f) return f->failure();
    auto caller_f = L.field(*log_t, "caller_id");  // CONFIG_PRINTK_CALLER, 5.1+

    auto buf = global(s, "log_buf");
    auto buf_len = global(s, "log_buf_len");
    auto first_idx = global(s, "log_first_idx");
    auto next_idx = global(s, "log_next_idx");
    auto first_seq = global(s, "log_first_seq");
    auto next_seq = global(s, "log_next_seq");
    for (const auto* v : {&buf, &buf_len, &first_idx, &next_idx, &first_seq, &next_seq})
        if (!*v) return v->failure();
    if (*buf_len > (std::uint64_t{1} << 31) || *first_idx >= *buf_len || *next_idx > *buf_len)
        return fail(fmt::format("implausible log_buf_len {} / log_first_idx {} / log_next_idx {}", *buf_len,
                                *first_idx, *next_idx),
                    "log_buf");
    auto bytes = read_bytes(s, *buf, *buf_len, "log_buf");
    if (!bytes) return bytes.failure();

    const std::uint64_t hdr = (*log_t)->size;
    PrintkLog log;
    log.layout = "printk_log";
    std::uint64_t idx = *first_idx;
    // One record per sequence number from the first kept to the next to be written; the
    // sequence numbers bound the walk even when the indexes are garbage.
    const std::uint64_t n = *next_seq - *first_seq;
    if (n > *buf_len / hdr + 1)
        return fail(fmt::format("{} records cannot fit in {} bytes", n, *buf_len), "log_first_seq");
    for (std::uint64_t i = 0; i < n; ++i) {
        if (idx + hdr > bytes->size())
            return fail(fmt::format("record {} runs past the end of log_buf", *first_seq + i), "log_buf");
        std::uint64_t len = get(*bytes, idx, *len_f);
        if (len == 0) {  // the end-of-buffer marker: the record is at the start
            idx = 0;
            len = get(*bytes, idx, *len_f);
        }
        const std::uint64_t text_len = get(*bytes, idx, *text_len_f), dict_len = get(*bytes, idx, *dict_len_f);
        if (len < hdr + text_len + dict_len || idx + len > bytes->size())
            return fail(fmt::format("record {} at index {} has a bad length {}", *first_seq + i, idx, len), "log_buf");
        PrintkRecord r;
        r.seq = *first_seq + i;
        r.ts_nsec = get(*bytes, idx, *ts_f);
        r.level = static_cast<unsigned>(get(*bytes, idx, *lvl_f));
        r.facility = static_cast<unsigned>(get(*bytes, idx, *fac_f));
        if (caller_f) {
            r.caller_id = static_cast<std::uint32_t>(get(*bytes, idx, *caller_f));
            r.has_caller_id = true;
        }
        const char* p = reinterpret_cast<const char*>(bytes->data() + idx + hdr);
        r.text.assign(p, text_len);
        // The dictionary: KEY=value properties separated by NULs.
        std::string_view dict(p + text_len, dict_len);
        while (!dict.empty()) {
            const auto nul = dict.find('\0');
            if (nul != 0) r.dict.emplace_back(dict.substr(0, nul));
            if (nul == std::string_view::npos) break;
            dict.remove_prefix(nul + 1);
        }
        log.records.push_back(std::move(r));
        idx += len;
    }
    return log;
}

}  // namespace

std::optional<std::string_view> printk_block_text(std::span<const std::byte> ring, unsigned size_bits,
                                           std::uint64_t begin, std::uint64_t next,
                                           std::uint64_t text_len) {
    if (size_bits >= 63) return std::nullopt;
    const std::uint64_t size = std::uint64_t{1} << size_bits;
    auto wraps = [&](std::uint64_t lpos) { return lpos >> size_bits; };
    if ((begin & 1) && (next & 1)) {  // data-less
        if (begin == kNoLpos && next == kNoLpos) return std::string_view{};
        return std::nullopt;
    }
    std::uint64_t at = 0, n = 0;
    if (wraps(begin) == wraps(next) && begin < next) {
        at = begin & (size - 1);
        n = next - begin;
    } else if (wraps(begin + size) == wraps(next)) {
        // A block that would cross the end is stored whole at the start of the ring.
        at = 0;
        n = next & (size - 1);
    } else {
        return std::nullopt;
    }
    if (begin % kIdSize || next % kIdSize || n < kIdSize || at + n > ring.size()) return std::nullopt;
    // The block may be longer than the text (alignment); a shorter one is cut, as crash does.
    n = std::min(n - kIdSize, text_len);
    return std::string_view(reinterpret_cast<const char*>(ring.data() + at + kIdSize), n);
}

Result<PrintkLog> read_printk_log(Session& s) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    Layout layout(**di);
    if (auto prb = s.symbol_address("prb")) {
        auto ptr = s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, *prb);
        if (!ptr) return fail("cannot read prb: " + ptr.error().what, ptr.error().where);
        return read_ringbuffer(s, layout, *ptr);
    }
    return read_log_buf(s, layout);
}

Result<std::int64_t> boot_time(Session& s) {
    // crash's boot date: the timekeeper's wall-clock seconds minus the uptime in jiffies, so
    // that log -T shows the same second as crash.
    if (auto clock = kernel_clock(s); clock && clock->wall_sec)
        return *clock->wall_sec - static_cast<std::int64_t>(clock->uptime_ns / 1'000'000'000);
    for (const char* tk : {"tk_core.timekeeper", "timekeeper"}) {
        // Without jiffies: CLOCK_REALTIME - CLOCK_BOOTTIME, which local_clock() follows.
        auto real = global(s, fmt::format("{}.offs_real", tk));
        auto boot = global(s, fmt::format("{}.offs_boot", tk));
        if (!real) return real.failure();
        if (!boot) return boot.failure();
        const std::int64_t ns = static_cast<std::int64_t>(*real) - static_cast<std::int64_t>(*boot);
        return ns >= 0 ? ns / 1'000'000'000 : -((-ns + 999'999'999) / 1'000'000'000);
    }
    return fail("no timekeeper (tk_core) in this kernel: wall-clock time unknown");
}

Result<std::vector<AuditRecord>> read_audit_queue(Session& s) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    // The queues kauditd has not yet sent to auditd, in crash's order: held (auditd gone),
    // to be retried, then new ones. Before 4.11: audit_skb_hold_queue and audit_skb_queue.
    std::vector<std::uint64_t> heads;
    for (const char* name : {"audit_hold_queue", "audit_retry_queue", "audit_queue"})
        if (auto a = s.symbol_address(name)) heads.push_back(*a);
    if (heads.empty())
        for (const char* name : {"audit_skb_hold_queue", "audit_skb_queue"})
            if (auto a = s.symbol_address(name)) heads.push_back(*a);
    if (heads.empty()) return fail("no audit queues in this kernel (CONFIG_AUDIT)");

    Layout L(**di);
    auto head_t = L.type("struct sk_buff_head");
    auto skb_t = L.type("struct sk_buff");
    if (!head_t) return head_t.failure();
    if (!skb_t) return skb_t.failure();
    auto qnext_f = L.field(*head_t, "next");
    auto qlen_f = L.field(*head_t, "qlen");
    auto next_f = L.field(*skb_t, "next");
    auto data_f = L.field(*skb_t, "data");
    auto len_f = L.field(*skb_t, "len");
    for (const auto* f : {&qnext_f, &qlen_f, &next_f, &data_f, &len_f})
        if (!*f) return f->failure();

    // struct nlmsghdr is UAPI: u32 nlmsg_len, u16 nlmsg_type, u16 flags, u32 seq, u32 pid.
    constexpr std::uint64_t kNlmsgHdrLen = 16;
    constexpr unsigned kAuditEoe = 1320;  // end of a multi-record event: no text
    constexpr std::uint64_t kMaxMessage = 1 << 20;
    std::vector<AuditRecord> out;
    for (const std::uint64_t head : heads) {
        auto hb = read_bytes(s, head, (*head_t)->size, "an audit queue");
        if (!hb) return hb.failure();
        const std::uint64_t qlen = get(*hb, 0, *qlen_f);
        std::uint64_t p = get(*hb, 0, *qnext_f);
        // qlen bounds the walk: a list that does not come back is corrupt, not endless.
        for (std::uint64_t n = 0; p != head; ++n) {
            if (n > qlen) return fail("the audit queue does not loop back to its head", hex_address(head));
            auto skb = read_bytes(s, p, (*skb_t)->size, "an audit sk_buff");
            if (!skb) return skb.failure();
            const std::uint64_t data = get(*skb, 0, *data_f), len = get(*skb, 0, *len_f);
            p = get(*skb, 0, *next_f);
            if (len < kNlmsgHdrLen || len > kMaxMessage) continue;
            auto msg = read_bytes(s, data, len, "an audit message");
            if (!msg) return msg.failure();
            std::uint16_t type = 0;
            std::memcpy(&type, msg->data() + 4, sizeof type);
            if (type == kAuditEoe) continue;
            const char* text = reinterpret_cast<const char*>(msg->data() + kNlmsgHdrLen);
            out.push_back({type, std::string(text, strnlen(text, len - kNlmsgHdrLen))});
        }
    }
    return out;
}

}  // namespace kdive
