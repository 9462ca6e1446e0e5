// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any bytes as an ELF object with DWARF (seeds: tests/data/types_sample.c
// compiled, an executable and a relocatable .o), through the path a vmlinux or a module's .ko
// takes: ElfFile, symbols, DwarfSections (relocation for ET_REL), the index scanner, the type
// loader; then a few lookups, each type printed as `struct -o` and `whatis` would.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "debuginfo/kernel_debuginfo.hpp"
#include "kdive/type_format.hpp"
#include "memfd_input.hpp"

namespace {

// One memfd reused for every input: ElfFile opens a path (and maps it).
const kdive::fuzz::MemfdInput& input() {
    static const kdive::fuzz::MemfdInput in("kdive-fuzz-dwarf");
    return in;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (!input().write(data, size)) return 0;
    auto elf = kdive::ElfFile::open(input().path());
    if (!elf) return 0;
    (void)(*elf)->build_id();
    (void)(*elf)->load_symbols();
    auto di = kdive::KernelDebugInfo::open(**elf, 0, "");  // no cache dir: built in memory
    if (!di) return 0;
    kdive::KernelDebugInfo& d = **di;
    for (const char* name : {"struct bits", "struct inner", "struct outer", "struct outer *",
                             "enum signed_enum", "my_ulong2", "unsigned long", "int"}) {
        auto t = d.find_type(name);
        if (!t) continue;
        (void)kdive::type_name(*t);
        (void)kdive::type_size(*t);
        (void)kdive::format_type_definition(*t, d, {.offsets = true});
        for (const char* m : {"c", "d", "hi", "many", "flex", "callback", "label", "counter"})
            if (auto path = kdive::find_member(*t, m))
                (void)kdive::declaration(path->member->type.get(), m);
    }
    for (const char* sym : {"sample_outer", "sample_bits", "anon_user", "main"})
        if (auto s = d.find_symbol(sym); s && s->type) (void)kdive::declaration(s->type, sym);
    (void)d.find_enumerator("NEG_TWO");
    (void)d.find_enumerator("ANON_CONST");
    (void)d.names_with_prefix("s", kdive::NameClass::Type, 50);
    (void)d.names_with_prefix("", kdive::NameClass::Variable, 50);
    return 0;
}
