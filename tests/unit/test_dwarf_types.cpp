// SPDX-License-Identifier: GPL-3.0-or-later
// The DWARF reader on a small program compiled here (tests/data/types_sample.c), checked
// against pahole reading the same binary: layouts, bit-fields, anonymous members, enums,
// multi-dimensional and flexible arrays, typedef chains, function pointers.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "debuginfo/kernel_debuginfo.hpp"
#include "support/pahole.hpp"

using namespace kdive;
namespace fs = std::filesystem;

namespace {

std::string shell(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

struct Sample {
    fs::path dir, binary;
    std::unique_ptr<ElfFile> elf;
    std::unique_ptr<KernelDebugInfo> di;
};

Sample& sample() {
    static Sample s = [] {
        Sample r;
        r.dir = fs::temp_directory_path() / ("kdive-types-" + std::to_string(::getpid()));
        fs::create_directories(r.dir);
        r.binary = r.dir / "types_sample";
        const std::string cmd = "gcc -g -gdwarf-5 -O0 -o " + r.binary.string() + " " KDIVE_TEST_DATA "/types_sample.c 2>&1";
        const std::string out = shell(cmd);
        if (!fs::exists(r.binary)) FAIL("cannot compile the sample: " << out);
        auto elf = ElfFile::open(r.binary);
        REQUIRE(elf);
        REQUIRE((*elf)->load_symbols());
        r.elf = std::move(*elf);
        auto di = KernelDebugInfo::open(*r.elf, 0, "");  // no cache dir: built in memory
        if (!di) FAIL(di.error().message());
        r.di = std::move(*di);
        return r;
    }();
    return s;
}


}  // namespace

TEST_CASE("struct layouts equal pahole's on a compiled sample", "[dwarf][types]") {
    if (shell("command -v pahole").empty()) FAIL("pahole (dwarves) is not installed: scripts/deps.sh installs it");
    for (const char* name : {"bits", "inner", "outer"}) {
        INFO(name);
        auto t = sample().di->find_type(std::string("struct ") + name);
        REQUIRE(t);
        test_support::check_layout(*t, test_support::pahole_layout(sample().binary, name, "-F dwarf"));
    }
}

TEST_CASE("bit-fields, anonymous members and arrays are modelled", "[dwarf][types]") {
    auto& di = *sample().di;
    auto bits = di.find_type("struct bits");
    REQUIRE(bits);
    auto c = find_member(*bits, "c");
    REQUIRE(c);
    CHECK(c->member->bit_size == 7);
    CHECK(c->bit_offset == 8);  // after a:3 and b:5
    auto d = find_member(*bits, "d");
    REQUIRE(d);
    CHECK(d->member->bit_size == 40);

    auto outer = di.find_type("struct outer");
    REQUIRE(outer);
    // Members of the anonymous union and of the struct inside it are found by name.
    auto hi = find_member(*outer, "hi");
    REQUIRE(hi);
    auto l = find_member(*outer, "l");
    REQUIRE(l);
    CHECK(hi->bit_offset == l->bit_offset + 16);
    auto many = find_member(*outer, "many");
    REQUIRE(many);
    CHECK(declaration(many->member->type.get(), "many") == "struct inner many[3][2]");
    CHECK(type_size(many->member->type.get()) == 3 * 2 * 16);
    auto flex = find_member(*outer, "flex");
    REQUIRE(flex);
    CHECK(declaration(flex->member->type.get(), "flex") == "int flex[]");
    auto cb = find_member(*outer, "callback");
    REQUIRE(cb);
    CHECK(declaration(cb->member->type.get(), "callback") == "void (*callback)(struct outer *, int, ...)");
    auto label = find_member(*outer, "label");
    REQUIRE(label);
    CHECK(declaration(label->member->type.get(), "label") == "const char *const label");
    auto counter = find_member(*outer, "counter");
    REQUIRE(counter);
    CHECK(type_name(counter->member->type.get()) == "volatile my_ulong2");
    CHECK(type_size(counter->member->type.get()) == 8);
}

TEST_CASE("enums keep negative values; anonymous enumerators resolve", "[dwarf][types]") {
    auto& di = *sample().di;
    auto neg = di.find_enumerator("NEG_TWO");
    REQUIRE(neg);
    CHECK(neg->second == -2);
    CHECK(type_name(neg->first) == "enum signed_enum");
    auto big = di.find_enumerator("BIG");
    REQUIRE(big);
    CHECK(big->second == 0x7fffffff);
    auto anon = di.find_enumerator("ANON_CONST");
    REQUIRE(anon);
    CHECK(anon->second == 42);
    CHECK_FALSE(di.find_enumerator("NO_SUCH_ENUMERATOR"));
}

TEST_CASE("type names parse as C writes them", "[dwarf][types]") {
    auto& di = *sample().di;
    auto ul = di.find_type("unsigned long");
    REQUIRE(ul);
    CHECK(type_name(*ul) == "unsigned long");
    CHECK((*ul)->size == 8);
    auto p = di.find_type("struct outer **");
    REQUIRE(p);
    CHECK(type_name(*p) == "struct outer **");
    auto td = di.find_type("my_ulong2");
    REQUIRE(td);
    CHECK((*td)->kind == TypeKind::Typedef);
    CHECK(type_name(strip_typedefs(*td)) == "unsigned long");
    CHECK_FALSE(di.find_type("struct no_such_struct"));
    CHECK_FALSE(di.find_type(""));
}

TEST_CASE("the index cache round-trips", "[dwarf][index]") {
    auto& s = sample();
    const fs::path cache = s.dir / "cache";
    auto secs = DwarfSections::collect(*s.elf);
    REQUIRE(secs);
    DwarfIndex::Stats first, second;
    auto a = DwarfIndex::load_or_build(**secs, "sample-key", cache, &first);
    REQUIRE(a);
    CHECK_FALSE(first.from_cache);
    auto b = DwarfIndex::load_or_build(**secs, "sample-key", cache, &second);
    REQUIRE(b);
    CHECK(second.from_cache);
    CHECK((*a)->entries().size() == (*b)->entries().size());
    CHECK((*a)->find("outer", NameKind::Struct) == (*b)->find("outer", NameKind::Struct));
    CHECK((*b)->find_first("sample_outer", NameKind::Variable));
    // A cache file that does not match the debug info is rebuilt, not trusted.
    {
        FILE* f = std::fopen(second.cache_path.c_str(), "r+b");
        REQUIRE(f);
        std::fseek(f, 24, SEEK_SET);  // info_size
        const std::uint64_t wrong = 1;
        std::fwrite(&wrong, sizeof wrong, 1, f);
        std::fclose(f);
    }
    DwarfIndex::Stats third;
    auto c = DwarfIndex::load_or_build(**secs, "sample-key", cache, &third);
    REQUIRE(c);
    CHECK_FALSE(third.from_cache);
    fs::remove_all(s.dir / "cache");
}
