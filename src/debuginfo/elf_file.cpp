// SPDX-License-Identifier: GPL-3.0-or-later
#include "debuginfo/elf_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace kdive {

namespace {
std::atomic<unsigned> g_opens{0};
}  // namespace

unsigned ElfFile::opens() { return g_opens.load(); }

Result<std::unique_ptr<ElfFile>> ElfFile::open(const std::string& path) {
    ++g_opens;
    if (elf_version(EV_CURRENT) == EV_NONE) return fail("libelf version mismatch", path);
    std::unique_ptr<ElfFile> f(new ElfFile());  // private constructor: no make_unique
    f->path_ = path;
    // O_NONBLOCK: a FIFO must not hang the open; it is refused below like any non-file.
    f->fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!f->fd_) return fail(std::strerror(errno), path);
    struct stat st {};
    if (::fstat(f->fd_.get(), &st) != 0) return fail(std::strerror(errno), path);
    if (S_ISDIR(st.st_mode)) return fail("is a directory", path);
    if (!S_ISREG(st.st_mode)) return fail("not a regular file", path);
    f->elf_.reset(elf_begin(f->fd_.get(), ELF_C_READ_MMAP, nullptr));
    if (!f->elf_ || elf_kind(f->elf_.get()) != ELF_K_ELF) return fail("not an ELF file", path);
    if (!gelf_getehdr(f->elf_.get(), &f->ehdr_))
        return fail(fmt::format("bad ELF header ({})", elf_errmsg(-1)), path);
    return f;
}

bool ElfFile::has_section(std::string_view name) const {
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf_.get(), &shstrndx) != 0) return false;
    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf_.get(), scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        const char* n = elf_strptr(elf_.get(), shstrndx, sh.sh_name);
        if (n && name == n) return true;
    }
    return false;
}

std::optional<std::string> ElfFile::build_id() const {
    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf_.get(), scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE) continue;
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data) continue;
        GElf_Nhdr nh;
        size_t off = 0, name_off = 0, desc_off = 0;
        while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
            const char* name = static_cast<const char*>(data->d_buf) + name_off;
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
                auto* desc = static_cast<const unsigned char*>(data->d_buf) + desc_off;
                std::string hex;
                for (size_t i = 0; i < nh.n_descsz; ++i) hex += fmt::format("{:02x}", desc[i]);
                return hex;
            }
        }
    }
    return std::nullopt;
}

Result<void> ElfFile::load_symbols() {
    if (!by_address_.empty()) return {};
    // nm's letter for each section: from its flags and type.
    std::vector<char> section_letter(1, 'U');
    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf_.get(), scn));) {
        GElf_Shdr sh;
        char l = 'n';
        if (gelf_getshdr(scn, &sh)) {
            if (sh.sh_flags & SHF_EXECINSTR) l = 't';
            else if (sh.sh_type == SHT_NOBITS) l = 'b';
            else if (sh.sh_flags & SHF_WRITE) l = 'd';
            else if (sh.sh_flags & SHF_ALLOC) l = 'r';
        }
        section_letter.push_back(l);
    }
    for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf_.get(), scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB) continue;
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data || sh.sh_entsize == 0) continue;
        const size_t n = sh.sh_size / sh.sh_entsize;
        by_address_.reserve(n);
        for (size_t i = 1; i < n; ++i) {
            GElf_Sym sym;
            if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
            const unsigned char type = GELF_ST_TYPE(sym.st_info);
            if (sym.st_shndx == SHN_UNDEF || type == STT_SECTION || type == STT_FILE) continue;
            const char* name = elf_strptr(elf_.get(), sh.sh_link, sym.st_name);
            if (!name || !*name) continue;
            char letter = sym.st_shndx == SHN_ABS ? 'a'
                          : sym.st_shndx < section_letter.size() ? section_letter[sym.st_shndx]
                                                                 : '?';
            if (GELF_ST_BIND(sym.st_info) != STB_LOCAL) letter = static_cast<char>(std::toupper(letter));
            by_address_.push_back({name, sym.st_value, sym.st_size, type, letter});
        }
    }
    if (by_address_.empty()) return fail("no symbol table (.symtab)", path_);
    std::stable_sort(by_address_.begin(), by_address_.end(),
                     [](const ElfSymbol& a, const ElfSymbol& b) { return a.address < b.address; });
    by_name_.reserve(by_address_.size());
    for (std::size_t i = 0; i < by_address_.size(); ++i)
        by_name_.try_emplace(by_address_[i].name, i);  // first wins for duplicate statics
    return {};
}

const ElfSymbol* ElfFile::symbol(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &by_address_[it->second];
}

}  // namespace kdive
