// SPDX-License-Identifier: GPL-3.0-or-later
// DebugInfo for a vmlinux: ELF symbols for addresses, the DWARF index for names, the DWARF
// type loader for types. The index comes from the cache keyed by build-id when it can.
#pragma once

#include <memory>
#include <unordered_map>

#include "debuginfo/dwarf_index.hpp"
#include "debuginfo/dwarf_sections.hpp"
#include "debuginfo/dwarf_types.hpp"
#include "debuginfo/elf_file.hpp"
#include "kdive/debuginfo.hpp"

namespace kdive {

class KernelDebugInfo final : public DebugInfo {
public:
    // `elf` (with symbols loaded) must outlive this. `slide` is the KASLR offset. Collects
    // and owns the file's .debug_* sections.
    static Result<std::unique_ptr<KernelDebugInfo>> open(const ElfFile& elf, std::uint64_t slide,
                                                         const std::string& cache_dir);
    // The same over sections collected (and owned) by the caller, which must outlive this: a
    // session shares the vmlinux's sections with the unwinder and the line tables.
    static Result<std::unique_ptr<KernelDebugInfo>> open(const ElfFile& elf,
                                                         const DwarfSections& secs,
                                                         std::uint64_t slide,
                                                         const std::string& cache_dir);

    Result<const Type*> find_type(std::string_view name) override;
    Result<SymbolInfo> find_symbol(std::string_view name) override;
    std::optional<std::pair<const Type*, std::int64_t>> find_enumerator(std::string_view name) override;
    const Type* complete(const Type* t) override;
    const Type* pointer_to(const Type* t) override;
    const Type* base_type(std::string_view c_name) override;
    std::optional<SymbolEntry> symbol_entry(std::string_view name) override;
    void for_each_symbol(const std::function<bool(const SymbolEntry&)>& f) override;
    LinkSymbols link_symbols() const override {
        return {elf_.symbols(), slide_, per_cpu_zero_based() ? per_cpu_end_ : 0};
    }
    std::vector<std::string> names_with_prefix(std::string_view prefix, NameClass cls,
                                               std::size_t limit) override;

    Result<void> add_module(const std::string& module, const std::string& path,
                            std::vector<SymbolInfo> placed) override;
    std::optional<std::string> module_file(const std::string& module) const override;

    const DwarfIndex::Stats& index_stats() const { return stats_; }
    const DwarfSections& sections() const { return *secs_; }

private:
    KernelDebugInfo(const ElfFile& elf, std::uint64_t slide) : elf_(elf), slide_(slide) {}
    bool is_per_cpu(const ElfSymbol& s) const;
    SymbolEntry entry(const ElfSymbol& s) const;

    const ElfFile& elf_;
    std::uint64_t slide_;
    std::unique_ptr<DwarfSections> own_secs_;  // when open() collected them
    const DwarfSections* secs_ = nullptr;       // own_secs_ or the caller's
    std::unique_ptr<DwarfIndex> index_;
    std::unique_ptr<DwarfTypeLoader> types_;
    DwarfIndex::Stats stats_;
    std::string cache_dir_;
    std::uint64_t per_cpu_start_ = 0, per_cpu_end_ = 0;  // .data..percpu at link time
    // Linked at offsets from 0 (x86-64 before 6.15): per-CPU symbols are not slid.
    bool per_cpu_zero_based() const { return per_cpu_end_ && per_cpu_start_ == 0; }
    std::unordered_map<const Type*, const Type*> pointers_;
    std::unordered_map<std::string, const Type*> base_types_;
    // Modules' debug info, searched after the vmlinux's, in load order.
    struct ModuleDebugInfo {
        std::string name, path;
        std::unique_ptr<ElfFile> elf;  // before di: di refers to it
        std::unique_ptr<KernelDebugInfo> di;
        std::unordered_map<std::string, SymbolInfo> placed;  // name -> run-time symbol
    };
    std::vector<ModuleDebugInfo> modules_;
};

}  // namespace kdive
