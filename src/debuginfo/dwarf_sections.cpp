// SPDX-License-Identifier: GPL-3.0-or-later
#include "debuginfo/dwarf_sections.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

namespace kdive {

namespace {

const DwarfSections& self(void* obj) { return *static_cast<const DwarfSections*>(obj); }

int get_section_info(void* obj, Dwarf_Half index, Dwarf_Obj_Access_Section* out, int* err) {
    const auto& secs = self(obj).sections();
    if (index >= secs.size()) {
        *err = DW_DLE_MDE;
        return DW_DLV_NO_ENTRY;
    }
    const DebugSection& s = secs[index];
    *out = Dwarf_Obj_Access_Section{};
    out->addr = s.addr;
    out->type = 1;  // SHT_PROGBITS: libdwarf only looks at names and sizes here
    out->size = s.data.size();
    out->name = s.name.c_str();
    return DW_DLV_OK;
}

Dwarf_Endianness get_byte_order(void*) { return DW_OBJECT_LSB; }
Dwarf_Small get_length_size(void*) { return 4; }
Dwarf_Small get_pointer_size(void*) { return 8; }
Dwarf_Unsigned get_section_count(void* obj) { return self(obj).sections().size(); }

int load_section(void* obj, Dwarf_Half index, Dwarf_Small** data, int* err) {
    const auto& secs = self(obj).sections();
    if (index >= secs.size()) {
        *err = DW_DLE_MDE;
        return DW_DLV_NO_ENTRY;
    }
    // libdwarf never writes through this pointer; the const_cast is its API's, not ours.
    *data = reinterpret_cast<Dwarf_Small*>(const_cast<std::byte*>(secs[index].data.data()));
    return DW_DLV_OK;
}

// ET_EXEC: relocations are already applied in the section contents.
int relocate_a_section(void*, Dwarf_Half, Dwarf_Debug, int*) { return DW_DLV_NO_ENTRY; }

}  // namespace

void DwarfSections::DebugFree::operator()(Dwarf_Debug dbg) const {
    Dwarf_Error err = nullptr;
    dwarf_object_finish(dbg, &err);
}

namespace {
std::atomic<unsigned> g_collections{0};
}  // namespace

unsigned DwarfSections::collections() { return g_collections.load(); }

Result<std::unique_ptr<DwarfSections>> DwarfSections::collect(const ElfFile& elf) {
    ++g_collections;
    std::unique_ptr<DwarfSections> d(new DwarfSections(elf));  // private constructor
    d->sections_.push_back(DebugSection{});                     // the null section
    Elf* e = elf.elf();
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(e, &shstrndx) != 0) return fail("no section name table", elf.path());
    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(e, scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        const char* name = elf_strptr(e, shstrndx, sh.sh_name);
        if (!name || std::string_view(name).substr(0, 7) != ".debug_") continue;
        if (sh.sh_type == SHT_NOBITS || (sh.sh_flags & SHF_COMPRESSED))
            return fail(fmt::format("section {} is compressed or empty (unsupported)", name),
                        elf.path());
        Elf_Data* data = elf_rawdata(scn, nullptr);  // with ELF_C_READ_MMAP: into the mapping
        if (!data || !data->d_buf) continue;
        d->sections_.push_back(DebugSection{
            name, sh.sh_addr, sh.sh_offset,
            std::span<const std::byte>(static_cast<const std::byte*>(data->d_buf), data->d_size)});
    }
    if (d->section(".debug_info").empty())
        return fail("no DWARF debug info (.debug_info): is this the -dbg vmlinux?", elf.path());
    if (elf.type() == ET_REL)
        if (auto r = d->relocate(); !r) return r.failure();

    d->methods_ = std::make_unique<Dwarf_Obj_Access_Methods>();
    *d->methods_ = Dwarf_Obj_Access_Methods{get_section_info, get_byte_order, get_length_size,
                                            get_pointer_size, get_section_count, load_section,
                                            relocate_a_section};
    d->iface_ = std::make_unique<Dwarf_Obj_Access_Interface>();
    d->iface_->object = d.get();
    d->iface_->methods = d->methods_.get();
    return d;
}

Result<void> DwarfSections::relocate() {
    Elf* e = elf_.elf();
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(e, &shstrndx) != 0) return fail("no section name table", elf_.path());
    // Section symbols' values: 0 for debug sections, the section's own address (0 in a .ko)
    // for code and data: the relocated values are link-time ones, enough for types and names.
    Elf_Scn* symscn = nullptr;
    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(e, scn));) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) symscn = scn;
    }
    Elf_Data* syms = symscn ? elf_getdata(symscn, nullptr) : nullptr;
    if (!syms) return fail("relocatable object without a symbol table", elf_.path());

    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(e, scn));) {
        GElf_Shdr rsh;
        if (!gelf_getshdr(scn, &rsh) || rsh.sh_type != SHT_RELA) continue;
        Elf_Scn* target = elf_getscn(e, rsh.sh_info);
        GElf_Shdr tsh;
        if (!target || !gelf_getshdr(target, &tsh)) continue;
        const char* tname = elf_strptr(e, shstrndx, tsh.sh_name);
        if (!tname) continue;
        auto it = std::find_if(sections_.begin(), sections_.end(),
                               [&](const DebugSection& s) { return s.name == tname; });
        if (it == sections_.end()) continue;  // relocations of code or data: not ours
        relocated_.emplace_back(it->data.begin(), it->data.end());
        std::vector<std::byte>& buf = relocated_.back();
        Elf_Data* rel = elf_getdata(scn, nullptr);
        const size_t n = rsh.sh_entsize ? rsh.sh_size / rsh.sh_entsize : 0;
        for (size_t i = 0; i < n; ++i) {
            GElf_Rela r;
            GElf_Sym sym;
            if (!gelf_getrela(rel, static_cast<int>(i), &r) ||
                !gelf_getsym(syms, static_cast<int>(GELF_R_SYM(r.r_info)), &sym))
                return fail(fmt::format("bad relocation {} of {}", i, tname), elf_.path());
            const std::uint64_t value = sym.st_value + static_cast<std::uint64_t>(r.r_addend);
            std::size_t width;
            switch (GELF_R_TYPE(r.r_info)) {
                case R_X86_64_64: width = 8; break;
                case R_X86_64_32:
                case R_X86_64_32S: width = 4; break;
                case R_X86_64_NONE: continue;
                default:
                    return fail(fmt::format("unsupported relocation type {} in {}", GELF_R_TYPE(r.r_info), tname),
                                elf_.path());
            }
            if (r.r_offset > buf.size() || width > buf.size() - r.r_offset)  // (no wrap-around)
                return fail(fmt::format("relocation beyond {}", tname), elf_.path());
            std::memcpy(buf.data() + r.r_offset, &value, width);  // little-endian x86-64
        }
        it->data = std::span<const std::byte>(buf.data(), buf.size());
    }
    return {};
}

void DwarfSections::release(std::span<const std::byte> range) {
    static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    auto begin = (reinterpret_cast<std::uintptr_t>(range.data()) + page - 1) & ~(page - 1);
    auto end = (reinterpret_cast<std::uintptr_t>(range.data()) + range.size()) & ~(page - 1);
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

const DebugSection* DwarfSections::find(std::string_view name) const {
    for (const auto& s : sections_)
        if (s.name == name) return &s;
    return nullptr;
}

std::span<const std::byte> DwarfSections::section(std::string_view name) const {
    const DebugSection* s = find(name);
    return s ? s->data : std::span<const std::byte>{};
}

Result<DwarfSections::DebugHandle> DwarfSections::open_libdwarf() const {
    Dwarf_Debug dbg = nullptr;
    Dwarf_Error err = nullptr;
    int rc = dwarf_object_init_b(iface_.get(), nullptr, nullptr, DW_GROUPNUMBER_ANY, &dbg, &err);
    if (rc != DW_DLV_OK) {
        std::string msg = rc == DW_DLV_ERROR ? dwarf_errmsg(err) : "no DWARF found";
        // An error made without a Dwarf_Debug is not freed with one: free it here (LSan).
        if (err) dwarf_dealloc_error(dbg, err);
        return fail("libdwarf cannot read the debug info (" + msg + ")", elf_.path());
    }
    return DebugHandle(dbg);
}

Result<Dwarf_Debug> DwarfSections::libdwarf() const {
    if (!shared_) {
        auto h = open_libdwarf();
        if (!h) return h.failure();
        shared_ = std::move(*h);
    }
    return shared_.get();
}

}  // namespace kdive
