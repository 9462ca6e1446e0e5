// SPDX-License-Identifier: GPL-3.0-or-later
#include "debuginfo/dwarf_index.hpp"

#include <dwarf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "util/leb128.hpp"
#include "util/unique_fd.hpp"

namespace kdive {

std::uint64_t name_hash(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string default_cache_dir() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/kdive";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/kdive";
    return {};
}

namespace {

using Byte = unsigned char;

struct CorruptDwarf {
    std::uint64_t offset;
};

// A bounds-checked cursor over one section; running off the end throws CorruptDwarf, which the
// scanner turns into an error for the unit (the scanner's only exception, kept local).
struct Cursor {
    const Byte* p;
    const Byte* end;
    const Byte* base;

    std::uint64_t off() const { return static_cast<std::uint64_t>(p - base); }
    void need(std::size_t n) const {
        if (static_cast<std::size_t>(end - p) < n) throw CorruptDwarf{off()};
    }
    std::uint8_t u8() {
        need(1);
        return *p++;
    }
    template <typename T>
    T fixed() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, p, sizeof(T));  // little-endian hosts and targets (x86-64)
        p += sizeof(T);
        return v;
    }
    template <typename Decode>
    auto leb(Decode decode) -> typename decltype(decode(p, end))::value_type {
        const auto v = decode(p, end);
        if (!v) throw CorruptDwarf{off()};
        return *v;
    }
    std::uint64_t uleb() { return leb(leb128::read_unsigned); }
    std::int64_t sleb() { return leb(leb128::read_signed); }
    void skip(std::uint64_t n) {
        need(n);
        p += n;
    }
    void skip_cstr() {
        const Byte* z = static_cast<const Byte*>(std::memchr(p, 0, static_cast<size_t>(end - p)));
        if (!z) throw CorruptDwarf{off()};
        p = z + 1;
    }
    std::uint64_t offset(unsigned size) { return size == 8 ? fixed<std::uint64_t>() : fixed<std::uint32_t>(); }
};

struct AttrSpec {
    std::uint64_t name;
    std::uint64_t form;
    std::int64_t implicit_const;
};

struct Abbrev {
    std::uint64_t tag = 0;
    bool children = false;
    std::uint32_t first = 0, count = 0;  // into the attribute array
};

struct AbbrevTable {
    std::vector<Abbrev> by_code;  // index = code (dense in practice); tag 0 = unused
    std::vector<AttrSpec> attrs;
};

AbbrevTable parse_abbrevs(std::span<const std::byte> sec, std::uint64_t offset) {
    AbbrevTable t;
    auto* base = reinterpret_cast<const Byte*>(sec.data());
    if (offset >= sec.size()) throw CorruptDwarf{offset};
    Cursor c{base + offset, base + sec.size(), base};
    for (;;) {
        std::uint64_t code = c.uleb();
        if (code == 0) break;
        if (code > 1'000'000) throw CorruptDwarf{c.off()};
        Abbrev a;
        a.tag = c.uleb();
        a.children = c.u8() != 0;
        a.first = static_cast<std::uint32_t>(t.attrs.size());
        for (;;) {
            std::uint64_t name = c.uleb(), form = c.uleb();
            if (name == 0 && form == 0) break;
            std::int64_t ic = form == DW_FORM_implicit_const ? c.sleb() : 0;
            t.attrs.push_back({name, form, ic});
        }
        a.count = static_cast<std::uint32_t>(t.attrs.size()) - a.first;
        if (t.by_code.size() <= code) t.by_code.resize(code + 1);
        t.by_code[code] = a;
    }
    return t;
}

// Entries kept once per name: types, enumerators and variable declarations.
bool deduplicated(const IndexEntry& e) {
    return e.kind != static_cast<std::uint8_t>(NameKind::Function) &&
           (e.kind != static_cast<std::uint8_t>(NameKind::Variable) ||
            (e.pad[0] & kEntryDeclaration));
}

struct UnitInfo {
    std::uint64_t offset;  // of the unit header
    std::uint64_t end;     // one past the unit
};

// Where a name lives; resolved to (section, offset) without copying the string.
struct NameRef {
    std::uint8_t sec = 0xff;  // 0xff: no name
    std::uint64_t off = 0;
};

class UnitScanner {
public:
    UnitScanner(const DwarfSections& s)
        : info_(s.section(".debug_info")),
          abbrev_(s.section(".debug_abbrev")),
          str_offsets_(s.section(".debug_str_offsets")) {}

    void scan(const UnitInfo& u, std::vector<IndexEntry>& out) {
        auto* base = reinterpret_cast<const Byte*>(info_.data());
        Cursor c{base + u.offset, base + u.end, base};
        std::uint64_t len = c.fixed<std::uint32_t>();
        offset_size_ = 4;
        if (len == 0xffffffff) {
            len = c.fixed<std::uint64_t>();
            offset_size_ = 8;
        }
        version_ = c.fixed<std::uint16_t>();
        std::uint64_t abbrev_off;
        if (version_ >= 5) {
            std::uint8_t unit_type = c.u8();
            addr_size_ = c.u8();
            abbrev_off = c.offset(offset_size_);
            if (unit_type == DW_UT_skeleton || unit_type == DW_UT_split_compile) c.skip(8);
            else if (unit_type == DW_UT_type || unit_type == DW_UT_split_type) c.skip(8 + offset_size_);
        } else if (version_ >= 2) {
            abbrev_off = c.offset(offset_size_);
            addr_size_ = c.u8();
        } else {
            return;  // not DWARF we know
        }
        table_ = parse_abbrevs(abbrev_, abbrev_off);
        str_offsets_base_ = 0;

        int depth = 0;
        bool in_enum = false;
        std::uint64_t enum_die = 0;
        while (c.p < c.end) {
            const std::uint64_t die = c.off();
            const std::uint64_t code = c.uleb();
            if (code == 0) {
                if (--depth <= 1) in_enum = false;
                if (depth < 0) break;
                continue;
            }
            if (code >= table_.by_code.size() || table_.by_code[code].tag == 0)
                throw CorruptDwarf{die};
            const Abbrev& a = table_.by_code[code];
            NameKind kind{};
            const bool wanted = depth == 1 ? classify(a.tag, kind)
                                           : (depth == 2 && in_enum && a.tag == DW_TAG_enumerator &&
                                              (kind = NameKind::Enumerator, true));
            Attrs at = read_attrs(c, a, depth == 0, wanted);
            // A global variable's definition usually names no one: GCC puts the name and type
            // on an extern declaration and points the definition at it (DW_AT_specification).
            // So variable declarations are indexed too, flagged; other declarations are not.
            if (wanted && at.name.sec != 0xff &&
                (!at.declaration || kind == NameKind::Variable)) {
                std::string_view n = name_view(at.name);
                // An enumerator is indexed by its enum: the type gives its value and name.
                if (!n.empty()) add(out, n, kind == NameKind::Enumerator ? enum_die : die, at, kind);
            }
            if (!a.children) continue;
            // Children of everything but the unit and enums are not indexed: jump over them.
            const bool descend = depth == 0 || (depth == 1 && a.tag == DW_TAG_enumeration_type);
            if (!descend && at.sibling > die && at.sibling <= u.end) {
                c.p = base + at.sibling;
                continue;
            }
            if (depth == 1 && a.tag == DW_TAG_enumeration_type) {
                in_enum = true;
                enum_die = die;
            }
            ++depth;
        }
    }

private:
    struct Attrs {
        NameRef name;
        bool declaration = false;
        std::uint64_t sibling = 0;
    };

    // Types are defined again in every unit that uses them, and extern declarations repeat:
    // keep the first of each name here, so the duplicates never reach the sort.
    void add(std::vector<IndexEntry>& out, std::string_view n, std::uint64_t die, const Attrs& at,
             NameKind kind) {
        IndexEntry e{name_hash(n), die, static_cast<std::uint32_t>(at.name.off), at.name.sec,
                     static_cast<std::uint8_t>(kind),
                     {static_cast<std::uint8_t>(at.declaration ? kEntryDeclaration : 0), 0}};
        if (!deduplicated(e)) {
            out.push_back(e);
            return;
        }
        if (seen_.size() < 2 * (seen_count_ + 1)) grow(out);
        std::size_t mask = seen_.size() - 1;
        for (std::size_t i = (e.hash ^ e.kind) & mask;; i = (i + 1) & mask) {
            if (seen_[i] == 0) {
                out.push_back(e);
                seen_[i] = static_cast<std::uint32_t>(out.size());
                ++seen_count_;
                return;
            }
            const IndexEntry& o = out[seen_[i] - 1];
            if (o.hash == e.hash && o.kind == e.kind && o.pad[0] == e.pad[0] &&
                name_view({o.name_sec, o.name_off}) == n)
                return;  // a duplicate
        }
    }
    void grow(const std::vector<IndexEntry>& out) {
        std::vector<std::uint32_t> bigger(std::max<std::size_t>(1024, seen_.size() * 2), 0);
        std::size_t mask = bigger.size() - 1;
        for (std::uint32_t slot : seen_) {
            if (!slot) continue;
            const IndexEntry& o = out[slot - 1];
            std::size_t i = (o.hash ^ o.kind) & mask;
            while (bigger[i]) i = (i + 1) & mask;
            bigger[i] = slot;
        }
        seen_.swap(bigger);
    }
    std::vector<std::uint32_t> seen_;  // open addressing: 1 + index into out, 0 = empty
    std::size_t seen_count_ = 0;

    static bool classify(std::uint64_t tag, NameKind& k) {
        switch (tag) {
            case DW_TAG_structure_type: k = NameKind::Struct; return true;
            case DW_TAG_union_type: k = NameKind::Union; return true;
            case DW_TAG_enumeration_type: k = NameKind::Enum; return true;
            case DW_TAG_typedef: k = NameKind::Typedef; return true;
            case DW_TAG_base_type: k = NameKind::Base; return true;
            case DW_TAG_variable: k = NameKind::Variable; return true;
            case DW_TAG_subprogram: k = NameKind::Function; return true;
            default: return false;
        }
    }

    std::string_view name_view(const NameRef& n) const {
        std::span<const std::byte> sec;
        switch (n.sec) {
            case 0: sec = str_; break;
            case 1: sec = info_; break;
            case 2: sec = line_str_; break;
            default: return {};
        }
        if (n.off >= sec.size()) return {};
        const char* s = reinterpret_cast<const char*>(sec.data()) + n.off;
        return std::string_view(s, strnlen(s, sec.size() - n.off));
    }

    Attrs read_attrs(Cursor& c, const Abbrev& a, bool unit_die, bool wanted) {
        Attrs at;
        for (std::uint32_t i = 0; i < a.count; ++i) {
            const AttrSpec& s = table_.attrs[a.first + i];
            std::uint64_t form = s.form;
            if (form == DW_FORM_indirect) form = c.uleb();
            const bool keep = wanted || unit_die || s.name == DW_AT_sibling;
            if (!keep) {
                skip_form(c, form);
                continue;
            }
            switch (s.name) {
                case DW_AT_name: at.name = read_name(c, form); break;
                case DW_AT_declaration:
                    at.declaration = form == DW_FORM_flag_present || (form == DW_FORM_flag && c.u8());
                    if (form != DW_FORM_flag_present && form != DW_FORM_flag) skip_form(c, form);
                    break;
                case DW_AT_sibling: at.sibling = read_ref(c, form); break;
                case DW_AT_str_offsets_base:
                    if (unit_die && form == DW_FORM_sec_offset) str_offsets_base_ = c.offset(offset_size_);
                    else skip_form(c, form);
                    break;
                default: skip_form(c, form); break;
            }
        }
        return at;
    }

    NameRef read_name(Cursor& c, std::uint64_t form) {
        switch (form) {
            case DW_FORM_strp: return {0, c.offset(offset_size_)};
            case DW_FORM_line_strp: return {2, c.offset(offset_size_)};
            case DW_FORM_string: {
                std::uint64_t o = c.off();
                c.skip_cstr();
                return {1, o};
            }
            case DW_FORM_strx: return strx(c.uleb());
            case DW_FORM_strx1: return strx(c.u8());
            case DW_FORM_strx2: return strx(c.fixed<std::uint16_t>());
            case DW_FORM_strx3: {
                c.need(3);
                std::uint64_t v = c.p[0] | (c.p[1] << 8) | (static_cast<std::uint64_t>(c.p[2]) << 16);
                c.p += 3;
                return strx(v);
            }
            case DW_FORM_strx4: return strx(c.fixed<std::uint32_t>());
            default: skip_form(c, form); return {};
        }
    }

    NameRef strx(std::uint64_t index) const {
        std::uint64_t at = str_offsets_base_ + index * offset_size_;
        if (at + offset_size_ > str_offsets_.size()) return {};
        std::uint64_t off = 0;
        std::memcpy(&off, str_offsets_.data() + at, offset_size_);
        return {0, off};
    }

    // A reference to another DIE, as a .debug_info offset (only the CU-relative forms matter).
    std::uint64_t read_ref(Cursor& c, std::uint64_t form) {
        std::uint64_t cu_rel;
        switch (form) {
            case DW_FORM_ref1: cu_rel = c.u8(); break;
            case DW_FORM_ref2: cu_rel = c.fixed<std::uint16_t>(); break;
            case DW_FORM_ref4: cu_rel = c.fixed<std::uint32_t>(); break;
            case DW_FORM_ref8: cu_rel = c.fixed<std::uint64_t>(); break;
            case DW_FORM_ref_udata: cu_rel = c.uleb(); break;
            default: skip_form(c, form); return 0;
        }
        return unit_offset_ + cu_rel;
    }

    void skip_form(Cursor& c, std::uint64_t form) {
        switch (form) {
            case DW_FORM_flag_present:
            case DW_FORM_implicit_const: return;
            case DW_FORM_addr: c.skip(addr_size_); return;
            case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag: case DW_FORM_strx1:
            case DW_FORM_addrx1: c.skip(1); return;
            case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2: case DW_FORM_addrx2:
                c.skip(2); return;
            case DW_FORM_strx3: case DW_FORM_addrx3: c.skip(3); return;
            case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_strx4: case DW_FORM_addrx4:
            case DW_FORM_ref_sup4: c.skip(4); return;
            case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8: case DW_FORM_ref_sup8:
                c.skip(8); return;
            case DW_FORM_data16: c.skip(16); return;
            case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_sec_offset:
            case DW_FORM_strp_sup: case DW_FORM_GNU_ref_alt: case DW_FORM_GNU_strp_alt:
                c.skip(offset_size_); return;
            case DW_FORM_ref_addr: c.skip(version_ <= 2 ? addr_size_ : offset_size_); return;
            case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx:
            case DW_FORM_loclistx: case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index:
            case DW_FORM_GNU_str_index: c.uleb(); return;
            case DW_FORM_sdata: c.sleb(); return;
            case DW_FORM_string: c.skip_cstr(); return;
            case DW_FORM_block1: c.skip(c.u8()); return;
            case DW_FORM_block2: c.skip(c.fixed<std::uint16_t>()); return;
            case DW_FORM_block4: c.skip(c.fixed<std::uint32_t>()); return;
            case DW_FORM_block: case DW_FORM_exprloc: c.skip(c.uleb()); return;
            case DW_FORM_indirect: skip_form(c, c.uleb()); return;
            default: throw CorruptDwarf{c.off()};
        }
    }

public:
    std::span<const std::byte> str_, line_str_;
    std::uint64_t unit_offset_ = 0;

private:
    std::span<const std::byte> info_, abbrev_, str_offsets_;
    AbbrevTable table_;
    unsigned offset_size_ = 4, addr_size_ = 8, version_ = 0;
    std::uint64_t str_offsets_base_ = 0;
};

// The units of .debug_info, from their headers. Read with pread, not through the mapping: a
// touch per unit would make the kernel map 64 KiB around each (fault-around), 2,352 units of
// Debian's vmlinux putting 144 MiB in RSS before the scan starts.
std::vector<UnitInfo> list_units(const DwarfSections& secs) {
    std::vector<UnitInfo> units;
    const DebugSection* info = secs.find(".debug_info");
    if (!info) return units;
    const std::uint64_t size = info->data.size();
    std::uint64_t off = 0;
    while (off + 4 <= size) {
        std::uint32_t len32 = 0;
        std::uint64_t len = 0, hdr = 4;
        if (::pread(secs.elf().fd(), &len32, 4, static_cast<off_t>(info->file_offset + off)) != 4) break;
        len = len32;
        if (len32 == 0xffffffff) {
            if (off + 12 > size ||
                ::pread(secs.elf().fd(), &len, 8, static_cast<off_t>(info->file_offset + off + 4)) != 8)
                break;
            hdr = 12;
        }
        if (len == 0 || off + hdr + len > size) break;
        units.push_back({off, off + hdr + len});
        off += hdr + len;
    }
    return units;
}

constexpr auto entry_less = [](const IndexEntry& a, const IndexEntry& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.kind != b.kind ? a.kind < b.kind : a.die < b.die;
};

struct CacheHeader {
    char magic[8];
    std::uint32_t version;
    std::uint32_t entry_size;
    std::uint64_t count;
    std::uint64_t info_size;  // a cheap check that the file belongs to this debug info
};
constexpr char kMagic[8] = {'K', 'D', 'I', 'V', 'E', 'I', 'D', 'X'};
constexpr std::uint32_t kCacheVersion = 3;

}  // namespace

DwarfIndex::~DwarfIndex() {
    if (map_) ::munmap(map_, map_len_);
}

std::string_view DwarfIndex::name_of(const IndexEntry& e) const {
    std::span<const std::byte> sec = e.name_sec == 0   ? secs_.section(".debug_str")
                                     : e.name_sec == 1 ? secs_.section(".debug_info")
                                                       : secs_.section(".debug_line_str");
    if (e.name_off >= sec.size()) return {};
    const char* s = reinterpret_cast<const char*>(sec.data()) + e.name_off;
    return std::string_view(s, strnlen(s, sec.size() - e.name_off));
}

Result<std::unique_ptr<DwarfIndex>> DwarfIndex::build(const DwarfSections& secs, unsigned threads) {
    std::unique_ptr<DwarfIndex> idx(new DwarfIndex(secs));  // private constructor
    const auto info = secs.section(".debug_info");
    const auto units = list_units(secs);
    if (units.empty()) return fail("no compilation units in .debug_info", secs.elf().path());
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(units.size())));

    // Contiguous unit ranges of about equal bytes, one per thread.
    std::vector<std::size_t> cut{0};
    const std::uint64_t per = info.size() / threads + 1;
    for (std::size_t i = 0; i < units.size() && cut.size() < threads; ++i)
        if (units[i].end >= per * cut.size()) cut.push_back(i + 1);
    cut.push_back(units.size());

    std::vector<std::vector<IndexEntry>> parts(cut.size() - 1);
    std::vector<std::string> errors(parts.size());
    auto work = [&](std::size_t t) {
        // The last cut may equal the end (a last unit larger than a share): an empty range.
        if (cut[t] >= cut[t + 1]) return;
        UnitScanner sc(secs);
        sc.str_ = secs.section(".debug_str");
        sc.line_str_ = secs.section(".debug_line_str");
        std::uint64_t released = units[cut[t]].offset;
        for (std::size_t i = cut[t]; i < cut[t + 1]; ++i) {
            try {
                sc.unit_offset_ = units[i].offset;
                sc.scan(units[i], parts[t]);
            } catch (const CorruptDwarf& e) {
                // One bad unit does not lose the rest; the first is reported.
                if (errors[t].empty())
                    errors[t] = fmt::format("corrupt DWARF at .debug_info+{:#x}", e.offset);
            }
            if (secs.mapped() && units[i].end - released >= (4u << 20)) {  // in 4 MiB steps
                DwarfSections::release(info.subspan(released, units[i].end - released));
                released = units[i].end;
            }
        }
        if (secs.mapped()) DwarfSections::release(info.subspan(released, units[cut[t + 1] - 1].end - released));
    };
    std::vector<std::jthread> pool;
    for (std::size_t t = 1; t < parts.size(); ++t) pool.emplace_back(work, t);
    work(0);
    pool.clear();  // joins

    std::size_t total = 0;
    for (auto& p : parts) total += p.size();
    idx->owned_.reserve(total);
    for (auto& p : parts) {
        idx->owned_.insert(idx->owned_.end(), p.begin(), p.end());
        std::vector<IndexEntry>().swap(p);
    }
    std::sort(idx->owned_.begin(), idx->owned_.end(), entry_less);
    // Each thread kept one of each type name; across threads they repeat once more. Functions
    // and variable definitions keep every one (static ones repeat under one name).
    std::vector<IndexEntry> kept;
    kept.reserve(idx->owned_.size());
    for (const IndexEntry& e : idx->owned_) {
        bool dup = false;
        if (deduplicated(e)) {
            for (std::size_t j = kept.size(); j-- > 0 && kept[j].hash == e.hash;)
                if (kept[j].kind == e.kind && kept[j].pad[0] == e.pad[0] &&
                    idx->name_of(kept[j]) == idx->name_of(e)) {
                    dup = true;
                    break;
                }
        }
        if (!dup) kept.push_back(e);
    }
    idx->owned_ = std::move(kept);
    idx->entries_ = idx->owned_;
    for (const auto& e : errors)
        if (!e.empty() && idx->owned_.empty()) return fail(e, secs.elf().path());
    return idx;
}

std::vector<std::uint64_t> DwarfIndex::find(std::string_view name, NameKind kind) const {
    std::vector<std::uint64_t> out;
    const std::uint64_t h = name_hash(name);
    auto it = std::lower_bound(entries_.begin(), entries_.end(), h,
                               [](const IndexEntry& e, std::uint64_t v) { return e.hash < v; });
    for (; it != entries_.end() && it->hash == h; ++it)
        if (it->kind == static_cast<std::uint8_t>(kind) && name_of(*it) == name) out.push_back(it->die);
    return out;
}

std::optional<std::uint64_t> DwarfIndex::find_first(std::string_view name, NameKind kind) const {
    auto v = find(name, kind);
    if (v.empty()) return std::nullopt;
    return v.front();
}

Result<void> DwarfIndex::save(const std::string& path) const {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) return fail(std::strerror(errno), tmp);
    CacheHeader h{};
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    h.version = kCacheVersion;
    h.entry_size = sizeof(IndexEntry);
    h.count = entries_.size();
    h.info_size = secs_.section(".debug_info").size();
    auto write_all = [&](const void* p, std::size_t n) {
        auto* b = static_cast<const char*>(p);
        while (n) {
            ssize_t w = ::write(fd.get(), b, n);
            if (w <= 0) return false;
            b += w;
            n -= static_cast<std::size_t>(w);
        }
        return true;
    };
    if (!write_all(&h, sizeof h) || !write_all(entries_.data(), entries_.size_bytes())) {
        ::unlink(tmp.c_str());
        return fail(std::strerror(errno), tmp);
    }
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return fail(std::strerror(errno), path);
    }
    return {};
}

Result<std::unique_ptr<DwarfIndex>> DwarfIndex::load_or_build(const DwarfSections& secs,
                                                              const std::string& key,
                                                              const std::string& cache_dir,
                                                              Stats* stats) {
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    const std::string path = cache_dir.empty() || key.empty()
                                 ? std::string()
                                 : fmt::format("{}/index/{}.v{}.idx", cache_dir, key, kCacheVersion);
    const std::uint64_t info_size = secs.section(".debug_info").size();
    if (!path.empty()) {
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        struct stat st {};
        if (fd && ::fstat(fd.get(), &st) == 0 && static_cast<std::size_t>(st.st_size) >= sizeof(CacheHeader)) {
            void* m = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
            if (m != MAP_FAILED) {
                std::unique_ptr<DwarfIndex> idx(new DwarfIndex(secs));
                idx->map_ = m;
                idx->map_len_ = static_cast<std::size_t>(st.st_size);
                const auto* h = static_cast<const CacheHeader*>(m);
                const std::size_t want = sizeof(CacheHeader) + h->count * sizeof(IndexEntry);
                if (std::memcmp(h->magic, kMagic, sizeof kMagic) == 0 && h->version == kCacheVersion &&
                    h->entry_size == sizeof(IndexEntry) && h->info_size == info_size &&
                    want == idx->map_len_) {
                    idx->entries_ = std::span<const IndexEntry>(
                        reinterpret_cast<const IndexEntry*>(h + 1), h->count);
                    if (stats) *stats = Stats{true, elapsed(), 0, h->count, path};
                    return idx;
                }
                // A stale or foreign file: rebuilt below (idx unmaps it).
            }
        }
    }
    auto built = build(secs, std::max(1u, std::thread::hardware_concurrency()));
    if (!built) return built.failure();
    if (stats) *stats = Stats{false, elapsed(), list_units(secs).size(),
                              (*built)->entries_.size(), path};
    if (!path.empty()) (void)(*built)->save(path);  // best effort: a read-only home still works
    return built;
}

}  // namespace kdive
