// SPDX-License-Identifier: GPL-3.0-or-later
#include "kernel/unwind_orc.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <numeric>

#include <fmt/format.h>

#include "debuginfo/elf_file.hpp"
#include "kdive/layout.hpp"

namespace kdive::orc {

Format format_for_release(const std::string& release) {
    unsigned major = 0, minor = 0;
    if (std::sscanf(release.c_str(), "%u.%u", &major, &minor) != 2) return Format::V1;
    if (major > 6 || (major == 6 && minor >= 4)) return Format::V3;
    if (major == 6 && minor == 3) return Format::V2;
    return Format::V1;
}

Layout layout_for(Format f) {
    Layout l;
    l.format = f;
    switch (f) {
        case Format::V1: break;
        case Format::V2: l.signal = {42, 1}, l.end = {43, 1}; break;
        case Format::V3: l.type = {40, 3}, l.signal = {43, 1}, l.end = {}; break;
    }
    return l;
}

std::optional<Layout> layout_from_type(const kdive::Type* orc_entry) {
    const kdive::Type* t = strip_typedefs(orc_entry);
    if (!t || t->kind != TypeKind::Struct || t->size == 0 || t->size > 8) return std::nullopt;
    auto bits = [&](std::initializer_list<std::string_view> names) -> std::optional<Layout::Bits> {
        for (std::string_view n : names)
            if (auto m = find_member(t, n)) {
                const unsigned size = m->member->bit_size ? m->member->bit_size
                                                          : static_cast<unsigned>(type_size(m->member->type.get()) * 8);
                return Layout::Bits{static_cast<unsigned>(m->bit_offset), size};
            }
        return std::nullopt;
    };
    auto sp_offset = bits({"sp_offset"}), bp_offset = bits({"bp_offset", "fp_offset"});
    auto sp_reg = bits({"sp_reg"}), bp_reg = bits({"bp_reg", "fp_reg"}), type = bits({"type"});
    if (!sp_offset || !bp_offset || !sp_reg || !bp_reg || !type) return std::nullopt;
    Layout l;
    l.size = static_cast<unsigned>(t->size);
    l.sp_offset = *sp_offset, l.bp_offset = *bp_offset, l.sp_reg = *sp_reg, l.bp_reg = *bp_reg, l.type = *type;
    l.signal = bits({"signal"}).value_or(Layout::Bits{});
    l.end = bits({"end"}).value_or(Layout::Bits{});
    // A 3-bit type has UNDEFINED and END_OF_STACK of its own; a 2-bit one marks them with an
    // undefined sp and the end bit.
    l.format = l.type.size >= 3 ? Format::V3 : l.signal.size ? Format::V2 : Format::V1;
    return l;
}

Entry decode(std::span<const std::uint8_t> raw, const Layout& l) {
    std::uint64_t v = 0;  // a little-endian host reads the entry as one word
    std::memcpy(&v, raw.data(), std::min<std::size_t>(raw.size(), sizeof v));
    auto field = [&](Layout::Bits b) -> std::uint64_t {
        if (!b.size) return 0;
        return (v >> b.offset) & (b.size >= 64 ? ~0ULL : (1ULL << b.size) - 1);
    };
    Entry e;
    e.sp_offset = static_cast<std::int16_t>(field(l.sp_offset));
    e.bp_offset = static_cast<std::int16_t>(field(l.bp_offset));
    e.sp_reg = l.regs[field(l.sp_reg) & 15];
    e.bp_reg = l.regs[field(l.bp_reg) & 15];
    const std::uint64_t type = field(l.type);
    if (l.format == Format::V3) {
        switch (type) {
        case 0: e.type = Type::Undefined; break;
        case 1: e.type = Type::EndOfStack; break;
        case 2: e.type = Type::Call; break;
        case 3: e.type = Type::Regs; break;
        case 4: e.type = Type::RegsPartial; break;
        default: e.type = Type::Undefined; break;
        }
        return e;
    }
    switch (type) {
    case 0: e.type = Type::Call; break;
    case 1: e.type = Type::Regs; break;
    case 2: e.type = Type::RegsPartial; break;
    default: e.type = Type::Undefined; break;
    }
    // Older formats mark the bottom of a stack with an undefined SP and the end bit.
    if (e.sp_reg == RegUndefined) e.type = field(l.end) ? Type::EndOfStack : Type::Undefined;
    return e;
}

Entry decode(const std::uint8_t raw[6], Format f) { return decode(std::span{raw, 6}, layout_for(f)); }

Entry frame_pointer_entry() {
    return Entry{.sp_offset = 16, .bp_offset = -16, .sp_reg = RegBp, .bp_reg = RegPrevSp,
                 .type = Type::Call};
}

Table Table::build(std::uint64_t ip_base, std::span<const std::int32_t> ips,
                   std::span<const std::uint8_t> entries, const Layout& layout, std::int64_t slide) {
    Table t;
    const std::size_t stride = layout.size;
    const std::size_t n = std::min(ips.size(), entries.size() / stride);
    std::vector<std::uint64_t> at(n);
    for (std::size_t i = 0; i < n; ++i) at[i] = ip_base + 4 * i + ips[i] + slide;
    // The kernel sorts its tables (at build time, at module load); a stable sort keeps the
    // order of equal addresses, whose rightmost entry wins as in __orc_find.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    if (!std::is_sorted(at.begin(), at.end()))
        std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return at[a] < at[b]; });
    t.ips_.reserve(n);
    t.entries_.reserve(n);
    for (std::size_t i : order) {
        t.ips_.push_back(at[i]);
        t.entries_.push_back(decode(entries.subspan(stride * i, stride), layout));
    }
    return t;
}

RegisterEvidence Table::evidence() const {
    RegisterEvidence ev;
    for (const Entry& e : entries_) {
        if (e.type == Type::Call && e.sp_offset == 8) ++ev.sp_at_entry[e.sp_reg & 15];
        if (e.bp_offset < 0) ++ev.bp_saved[e.bp_reg & 15];
    }
    return ev;
}

void Table::remap_registers(const std::array<std::uint8_t, 16>& regs) {
    for (Entry& e : entries_) {
        e.sp_reg = regs[e.sp_reg & 15];
        e.bp_reg = regs[e.bp_reg & 15];
    }
}

std::optional<std::array<std::uint8_t, 16>> registers_from_entries(const RegisterEvidence& e) {
    const auto most = [](const std::array<std::size_t, 16>& c) {
        return static_cast<unsigned>(std::max_element(c.begin() + 1, c.end()) - c.begin());
    };
    const unsigned sp = most(e.sp_at_entry), prev_sp = most(e.bp_saved);
    if (sp == RegSp && prev_sp == RegPrevSp) {
        std::array<std::uint8_t, 16> id{};
        for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(i);
        return id;
    }
    if (sp == 3 && prev_sp == 8) {
        // Debian's 7.2: DX 2, SP 3, BP 4, R10 6, R13 7, PREV_SP 8, SP_INDIRECT 9, BP_INDIRECT 10
        // (counted across its whole table against 6.12's); DI was not seen, 1 and 5 are left
        // undefined so that an entry using them stops the trace rather than misleads it.
        std::array<std::uint8_t, 16> m{};
        m[2] = RegDx, m[3] = RegSp, m[4] = RegBp, m[6] = RegR10, m[7] = RegR13, m[8] = RegPrevSp,
        m[9] = RegSpIndirect, m[10] = RegBpIndirect;
        return m;
    }
    return std::nullopt;
}

std::optional<Entry> Table::find(std::uint64_t ip) const {
    if (ips_.empty() || ip < ips_.front()) return std::nullopt;
    auto it = std::upper_bound(ips_.begin(), ips_.end(), ip);  // > ip; the one before is <= ip
    return entries_[static_cast<std::size_t>(it - ips_.begin()) - 1];
}

namespace {

// A section's bytes and link-time address.
Result<std::pair<std::span<const std::uint8_t>, std::uint64_t>> section(const ElfFile& f,
                                                                        const char* name) {
    std::size_t shstrndx = 0;
    if (elf_getshdrstrndx(f.elf(), &shstrndx) != 0) return fail("no section names", f.path());
    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(f.elf(), scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        const char* n = elf_strptr(f.elf(), shstrndx, sh.sh_name);
        if (!n || std::string_view(n) != name) continue;
        Elf_Data* d = elf_getdata(scn, nullptr);
        if (!d || !d->d_buf) return fail(fmt::format("section {} has no data", name), f.path());
        return std::pair{std::span{static_cast<const std::uint8_t*>(d->d_buf), d->d_size}, sh.sh_addr};
    }
    return fail(fmt::format("no {} section (kernel built without the ORC unwinder?)", name), f.path());
}

}  // namespace

Result<Table> vmlinux_table(Session& session, const Layout& layout) {
    auto elf = session.vmlinux_elf();  // the session's mapping, not one of our own
    if (!elf) return elf.failure();
    auto ip = section(**elf, ".orc_unwind_ip");
    if (!ip) return ip.failure();
    auto un = section(**elf, ".orc_unwind");
    if (!un) return un.failure();
    const auto& [ip_bytes, ip_addr] = *ip;
    std::vector<std::int32_t> ips(ip_bytes.size() / 4);
    std::memcpy(ips.data(), ip_bytes.data(), ips.size() * 4);
    return Table::build(ip_addr, ips, un->first, layout, static_cast<std::int64_t>(session.kaslr_offset()));
}

Result<Table> module_table(Session& session, std::uint64_t module, const Layout& layout) {
    auto di = session.debuginfo();
    if (!di) return di.failure();
    auto fip = field_of(**di, "struct module", "arch.orc_unwind_ip");
    auto fun = field_of(**di, "struct module", "arch.orc_unwind");
    auto fnum = field_of(**di, "struct module", "arch.num_orcs");
    if (!fip || !fun || !fnum) return fail("struct module has no ORC tables (arch.orc_unwind)");
    Target& t = session.target();
    auto rd = [&](const Field& fl) -> Result<std::uint64_t> {
        std::uint64_t v = 0;
        auto r = t.read(AddressSpace::KernelVirtual, module + fl.offset,
                        std::as_writable_bytes(std::span{&v, 1}).first(std::min<std::size_t>(fl.size, 8)));
        if (!r) return r.failure();
        return v;
    };
    auto ip_addr = rd(*fip), un_addr = rd(*fun), num = rd(*fnum);
    if (!ip_addr) return ip_addr.failure();
    if (!un_addr) return un_addr.failure();
    if (!num) return num.failure();
    const std::uint64_t n = *num & 0xffffffff;
    if (n == 0) return Table{};
    if (n > 10'000'000) return fail("implausible ORC entry count", hex_address(module));
    std::vector<std::int32_t> ips(n);
    std::vector<std::uint8_t> entries(std::size_t{layout.size} * n);
    if (auto r = t.read(AddressSpace::KernelVirtual, *ip_addr, std::as_writable_bytes(std::span{ips})); !r)
        return r.failure();
    if (auto r = t.read(AddressSpace::KernelVirtual, *un_addr, std::as_writable_bytes(std::span{entries})); !r)
        return r.failure();
    return Table::build(*ip_addr, ips, entries, layout);
}

}  // namespace kdive::orc
