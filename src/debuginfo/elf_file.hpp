// SPDX-License-Identifier: GPL-3.0-or-later
// An ELF file opened read-only with elfutils libelf (mmap, no copies), and its symbol table.
#pragma once

#include <gelf.h>
#include <libelf.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kdive/debuginfo.hpp"
#include "kdive/result.hpp"
#include "util/unique_fd.hpp"

namespace kdive {

class ElfFile {
public:
    static Result<std::unique_ptr<ElfFile>> open(const std::string& path);
    // How many files open() has opened in this process: tests check that a session maps its
    // vmlinux once.
    static unsigned opens();

    const std::string& path() const { return path_; }
    GElf_Half type() const { return ehdr_.e_type; }  // ET_EXEC, ET_CORE, ET_REL...
    bool has_section(std::string_view name) const;
    // The GNU build-id note as lowercase hex, if present.
    std::optional<std::string> build_id() const;

    // Symbols from .symtab at their link-time addresses (no KASLR slide applied).
    Result<void> load_symbols();
    const ElfSymbol* symbol(std::string_view name) const;
    // (Addresses to names: the kernel layer's Symbolizer, over symbols().)
    std::size_t symbol_count() const { return by_address_.size(); }
    const std::vector<ElfSymbol>& symbols() const { return by_address_; }  // by address

    Elf* elf() const { return elf_.get(); }
    int fd() const { return fd_.get(); }

private:
    struct ElfEnd {
        void operator()(Elf* e) const { elf_end(e); }
    };
    ElfFile() = default;

    std::string path_;
    UniqueFd fd_;  // before elf_: closed after elf_end
    std::unique_ptr<Elf, ElfEnd> elf_;
    GElf_Ehdr ehdr_{};
    std::vector<ElfSymbol> by_address_;
    std::unordered_map<std::string_view, std::size_t> by_name_;
};

}  // namespace kdive
