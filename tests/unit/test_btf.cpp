// SPDX-License-Identifier: GPL-3.0-or-later
// The BTF reader on hand-built blobs: every kind it knows, bit-fields both ways, the kdive
// Types made from them, and corrupt blobs (truncated, out-of-range, cyclic), which must be
// errors and never crashes.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kdive/btf.hpp"

namespace {

using kdive::Btf;
using kdive::BtfKind;
using kdive::BtfTypes;
using kdive::Type;
using kdive::TypeKind;

// A BTF blob built as clang or the kernel lays it out: header, type section, string section.
class Blob {
public:
    Blob() { strs_.push_back('\0'); }

    std::uint32_t str(const std::string& s) {
        if (s.empty()) return 0;
        const auto off = static_cast<std::uint32_t>(strs_.size());
        strs_.insert(strs_.end(), s.begin(), s.end());
        strs_.push_back('\0');
        return off;
    }
    void word(std::uint32_t w) { types_.push_back(w); }
    // A btf_type record; returns its ID.
    std::uint32_t type(const std::string& name, BtfKind kind, std::uint32_t vlen, std::uint32_t size_or_type,
                       bool kflag = false) {
        word(str(name));
        word(static_cast<std::uint32_t>(kind) << 24 | (kflag ? 1u << 31 : 0) | vlen);
        word(size_or_type);
        return ++count_;
    }
    std::uint32_t integer(const std::string& name, std::uint32_t size, std::uint32_t encoding, std::uint32_t bits = 0,
                          std::uint32_t offset = 0) {
        const auto id = type(name, BtfKind::Int, 0, size);
        word(encoding << 24 | offset << 16 | (bits ? bits : size * 8));
        return id;
    }
    std::uint32_t array(std::uint32_t elem, std::uint32_t index, std::uint32_t n) {
        const auto id = type("", BtfKind::Array, 0, 0);
        word(elem);
        word(index);
        word(n);
        return id;
    }
    void member(const std::string& name, std::uint32_t type, std::uint32_t offset) {
        word(str(name));
        word(type);
        word(offset);
    }
    void pair(const std::string& name, std::uint32_t v) {  // enumerator, parameter
        word(str(name));
        word(v);
    }

    std::vector<std::byte> bytes() const {
        const auto tlen = static_cast<std::uint32_t>(types_.size() * 4);
        const std::uint32_t hdr[] = {0, 24, 0, tlen, tlen, static_cast<std::uint32_t>(strs_.size())};
        std::vector<std::byte> b(24 + tlen + strs_.size());
        std::memcpy(b.data(), hdr, sizeof hdr);
        const std::uint16_t magic = 0xeb9f;
        std::memcpy(b.data(), &magic, 2);
        b[2] = std::byte{1};  // version
        std::memcpy(b.data() + 24, types_.data(), tlen);
        std::memcpy(b.data() + 24 + tlen, strs_.data(), strs_.size());
        return b;
    }

private:
    std::vector<std::uint32_t> types_;
    std::vector<char> strs_;
    std::uint32_t count_ = 0;
};

void put32(std::vector<std::byte>& b, std::size_t off, std::uint32_t v) { std::memcpy(b.data() + off, &v, 4); }

// labload's kd_val (tests/lab/guest/labload.c): what the lab's typed map is described by.
Blob kd_val_blob() {
    Blob b;
    const auto uint = b.integer("unsigned int", 4, 0);                // 1
    const auto u32 = b.type("__u32", BtfKind::Typedef, 0, uint);      // 2
    const auto sint = b.integer("int", 4, 1);                         // 3
    const auto s32 = b.type("__s32", BtfKind::Typedef, 0, sint);      // 4
    const auto ull = b.integer("unsigned long long", 8, 0);           // 5
    const auto u64 = b.type("__u64", BtfKind::Typedef, 0, ull);       // 6
    const auto chr = b.integer("char", 1, 1);                         // 7
    const auto tag = b.array(chr, uint, 8);                           // 8
    const auto state = b.type("kd_state", BtfKind::Enum, 3, 4);       // 9
    b.pair("KD_IDLE", 0);
    b.pair("KD_BUSY", 1);
    b.pair("KD_DONE", 2);
    b.type("kd_val", BtfKind::Struct, 7, 32, true);                   // 10
    b.member("count", u32, 0);
    b.member("delta", s32, 32);
    b.member("stamp", u64, 64);
    b.member("tag", tag, 128);
    b.member("state", state, 192);
    b.member("prio", uint, 4u << 24 | 224);
    b.member("weight", uint, 12u << 24 | 228);
    return b;
}

std::string parse_error(const std::vector<std::byte>& blob) {
    auto r = Btf::parse(blob);
    return r ? std::string("(parsed)") : r.error().what;
}

}  // namespace

TEST_CASE("BTF: a struct with typedefs, an array, an enum and bit-fields", "[btf]") {
    auto btf = Btf::parse(kd_val_blob().bytes());
    REQUIRE(btf);
    CHECK(btf->count() == 10);
    const auto* val = btf->type(10);
    REQUIRE(val);
    CHECK(val->kind == BtfKind::Struct);
    CHECK(val->name == "kd_val");
    CHECK(val->kind_flag);
    REQUIRE(val->members.size() == 7);
    CHECK(val->members[3].name == "tag");
    CHECK(val->members[3].bit_offset == 128);
    CHECK(val->members[6].bit_offset == 228);
    CHECK(val->members[6].bitfield_size == 12);
    CHECK(btf->size_of(10) == 32);
    CHECK(btf->size_of(8) == 8);
    CHECK(btf->size_of(2) == 4);
    CHECK(btf->size_of(0) == 0);
    CHECK(btf->type(0) == nullptr);
    CHECK(btf->type(11) == nullptr);
    const auto* e = btf->type(9);
    REQUIRE(e);
    REQUIRE(e->enumerators.size() == 3);
    CHECK(e->enumerators[1].name == "KD_BUSY");
    CHECK(e->enumerators[1].value == 1);
    // count, delta, stamp, the tag as one string, state, prio, weight.
    CHECK(btf->leaves_of(10) == 7);

    BtfTypes types(std::move(*btf));
    auto t = types.get(10);
    REQUIRE(t);
    REQUIRE(*t);
    CHECK(kdive::type_name(*t) == "struct kd_val");
    CHECK((*t)->size == 32);
    REQUIRE((*t)->members.size() == 7);
    CHECK((*t)->members[5].bit_offset == 224);
    CHECK((*t)->members[5].bit_size == 4);
    CHECK(kdive::type_name((*t)->members[0].type.get()) == "__u32");
    CHECK(kdive::declaration((*t)->members[3].type.get(), "tag") == "char tag[8]");
    const Type* chr = kdive::strip_typedefs((*t)->members[3].type.get())->target.get();
    REQUIRE(chr);
    CHECK(chr->is_char());
    CHECK(chr->is_signed());
    const Type* state = (*t)->members[4].type.get();
    REQUIRE(state);
    CHECK(state->kind == TypeKind::Enum);
    CHECK(state->enumerators.size() == 3);
    // The same ID gives the same Type; void is nullptr; past the last is an error.
    CHECK(*types.get(10) == *t);
    auto v = types.get(0);
    REQUIRE(v);
    CHECK(*v == nullptr);
    CHECK_FALSE(types.get(11));
}

TEST_CASE("BTF: every kind is read, named and sized", "[btf]") {
    Blob b;
    const auto i32 = b.integer("int", 4, 1);                          // 1
    const auto ptr = b.type("", BtfKind::Ptr, 0, 0);                  // 2: void *
    const auto node = b.type("node", BtfKind::Struct, 2, 16);         // 3: points to itself
    b.member("next", 4, 0);
    b.member("v", i32, 64);
    b.type("", BtfKind::Ptr, 0, node);                                // 4
    const auto un = b.type("u", BtfKind::Union, 2, 8);                // 5
    b.member("i", i32, 0);
    b.member("p", ptr, 0);
    const auto e64 = b.type("big", BtfKind::Enum64, 2, 8, true);      // 6: signed
    b.word(b.str("BIG_NEG"));
    b.word(0xffffffff);
    b.word(0xffffffff);
    b.word(b.str("BIG_POS"));
    b.word(0);
    b.word(1);
    const auto fwd = b.type("opaque", BtfKind::Fwd, 0, 0, true);      // 7: a union
    const auto vol = b.type("", BtfKind::Volatile, 0, i32);           // 8
    const auto cst = b.type("", BtfKind::Const, 0, vol);              // 9
    const auto cptr = b.type("", BtfKind::Ptr, 0, cst);               // 10
    const auto rst = b.type("", BtfKind::Restrict, 0, cptr);          // 11
    const auto proto = b.type("", BtfKind::FuncProto, 3, i32);        // 12: int (int, void *, ...)
    b.pair("a", i32);
    b.pair("b", ptr);
    b.pair("", 0);
    const auto func = b.type("handler", BtfKind::Func, 0, proto);     // 13
    const auto fptr = b.type("", BtfKind::Ptr, 0, proto);             // 14
    const auto flt = b.type("double", BtfKind::Float, 0, 8);          // 15
    const auto var = b.type("counter", BtfKind::Var, 0, i32);         // 16
    b.word(1);
    const auto sec = b.type(".data", BtfKind::Datasec, 1, 4);         // 17
    b.word(var);
    b.word(0);
    b.word(4);
    const auto dtag = b.type("tagged", BtfKind::DeclTag, 0, node);    // 18
    b.word(0xffffffff);
    const auto ttag = b.type("user", BtfKind::TypeTag, 0, i32);       // 19
    const auto holder = b.type("holder", BtfKind::Struct, 4, 32);     // 20
    b.member("r", rst, 0);
    b.member("f", fptr, 64);
    b.member("o", 21, 128);
    b.member("t", ttag, 192);
    b.type("", BtfKind::Ptr, 0, fwd);                                 // 21
    auto btf = Btf::parse(b.bytes());
    INFO((btf ? "" : btf.error().what));
    REQUIRE(btf);
    CHECK(btf->count() == 21);
    CHECK(btf->type(e64)->enumerators.at(0).value == -1);
    CHECK(btf->type(e64)->enumerators.at(1).value == (std::int64_t{1} << 32));
    CHECK(btf->type(proto)->params.size() == 3);
    CHECK(btf->type(sec)->members.at(0).type == var);
    CHECK(btf->type(dtag)->type == node);
    CHECK(btf->size_of(node) == 16);
    CHECK(btf->size_of(un) == 8);
    CHECK(btf->size_of(e64) == 8);
    CHECK(btf->size_of(cst) == 4);
    CHECK(btf->size_of(rst) == 8);
    CHECK(btf->size_of(flt) == 8);
    CHECK(btf->size_of(var) == 4);
    CHECK(btf->size_of(fwd) == 0);
    CHECK(btf->size_of(func) == 0);
    CHECK(kdive::btf_kind_name(BtfKind::FuncProto) == "FUNC_PROTO");

    BtfTypes types(std::move(*btf));
    auto name = [&](std::uint32_t id) { return kdive::type_name(*types.get(id)); };
    CHECK(name(ptr) == "void *");
    CHECK(name(node) == "struct node");
    CHECK(name(4) == "struct node *");
    CHECK(name(un) == "union u");
    CHECK(name(e64) == "enum big");
    CHECK(name(fwd) == "union opaque");
    CHECK((*types.get(fwd))->complete == false);
    CHECK(name(cst) == "const volatile int");
    CHECK(name(cptr) == "const volatile int *");
    CHECK(name(rst) == "const volatile int *");  // restrict: the type it qualifies
    CHECK(name(fptr) == "int (*)(int, void *, ...)");
    CHECK(name(func) == "int (int, void *, ...)");
    CHECK(name(flt) == "double");
    CHECK(name(var) == "int");
    CHECK(name(ttag) == "int");
    const Type* n = *types.get(node);
    CHECK(n->members.at(0).type.get() == *types.get(4));
    CHECK(n->members.at(0).type.get()->target.get() == n);  // the cycle through the pointer
    const Type* h = *types.get(holder);
    CHECK(kdive::declaration(h->members.at(1).type.get(), "f") == "int (*f)(int, void *, ...)");
    CHECK((*types.get(e64))->is_signed());
}

TEST_CASE("BTF: old-style bit-fields are INTs of fewer bits", "[btf]") {
    Blob b;
    const auto bits3 = b.integer("unsigned int", 4, 0, 3);      // 1: 3 bits
    const auto bits5 = b.integer("unsigned int", 4, 0, 5, 2);   // 2: 5 bits at bit 2 of its own
    b.type("flags", BtfKind::Struct, 2, 4);                     // 3: no kind_flag
    b.member("a", bits3, 0);
    b.member("b", bits5, 3);
    auto btf = Btf::parse(b.bytes());
    REQUIRE(btf);
    BtfTypes types(std::move(*btf));
    const Type* t = *types.get(3);
    REQUIRE(t->members.size() == 2);
    CHECK(t->members[0].bit_size == 3);
    CHECK(t->members[0].bit_offset == 0);
    CHECK(t->members[1].bit_size == 5);
    CHECK(t->members[1].bit_offset == 5);
}

TEST_CASE("BTF: corrupt blobs are errors", "[btf]") {
    const auto good = kd_val_blob().bytes();
    REQUIRE(Btf::parse(good));

    SECTION("header") {
        CHECK(parse_error({}) == "BTF of 0 bytes is shorter than its header");
        CHECK(parse_error(std::vector<std::byte>(good.begin(), good.begin() + 23)) ==
              "BTF of 23 bytes is shorter than its header");
        auto b = good;
        b[0] = std::byte{0x12};
        CHECK(parse_error(b) == "bad BTF magic 0xeb12");
        b = good;
        std::swap(b[0], b[1]);
        CHECK(parse_error(b) == "big-endian BTF is not read");
        b = good;
        b[2] = std::byte{2};
        CHECK(parse_error(b) == "unknown BTF version 2");
        b = good;
        put32(b, 4, static_cast<std::uint32_t>(b.size() + 1));
        CHECK_THAT(parse_error(b), Catch::Contains("header length"));
        b = good;
        put32(b, 12, 0xfffffff0);  // type_len
        CHECK(parse_error(b) == "BTF sections run past the blob");
        b = good;
        put32(b, 16, 0xfffffff0);  // str_off: offset + length overflow 32 bits, not 64
        CHECK(parse_error(b) == "BTF sections run past the blob");
        b = good;
        put32(b, 8, 2);  // type_off
        put32(b, 12, 4);
        CHECK(parse_error(b) == "BTF type section is not aligned");
    }

    SECTION("every truncation of the blob and of its type section") {
        for (std::size_t n = 0; n < good.size(); ++n) {
            INFO(n);
            CHECK_FALSE(Btf::parse(std::vector<std::byte>(good.begin(), good.begin() + static_cast<long>(n))));
        }
        // The type section cut short (the strings still after it): a record past the end is
        // an error; a cut between records leaves a valid prefix only if nothing refers past it.
        std::uint32_t tlen;
        std::memcpy(&tlen, good.data() + 12, 4);
        for (std::uint32_t n = 0; n < tlen; ++n) {
            auto b = good;
            put32(b, 12, n);
            INFO(n);
            auto r = Btf::parse(b);
            if (r) CHECK(r->count() < 10);
        }
    }

    SECTION("records") {
        Blob b;
        b.type("x", static_cast<BtfKind>(20), 0, 0);
        CHECK(parse_error(b.bytes()) == "BTF type 1 has unknown kind 20");

        auto s = good;
        put32(s, 24, 0x7fffffff);  // type 1's name offset
        CHECK(parse_error(s) == "BTF type 1: string offset 2147483647 past the string section");

        auto u = good;  // the last string loses its terminator
        u.back() = std::byte{'x'};
        CHECK_THAT(parse_error(u), Catch::Contains("is not terminated"));

        Blob r;
        r.type("p", BtfKind::Typedef, 0, 7);
        CHECK(parse_error(r.bytes()) == "BTF type 1 refers to type 7 of 1");

        Blob i;
        i.integer("int", 4, 1, 40);
        CHECK_THAT(parse_error(i.bytes()), Catch::Contains("implausible integer"));

        Blob m;  // vlen claims more members than the section holds
        m.type("s", BtfKind::Struct, 1000, 4);
        CHECK(parse_error(m.bytes()) == "BTF type 1 runs past the type section");
    }

    SECTION("cycles, depth and sizes") {
        Blob c;
        c.type("a", BtfKind::Typedef, 0, 2);
        c.type("b", BtfKind::Typedef, 0, 1);
        CHECK_THAT(parse_error(c.bytes()), Catch::Contains("contains itself"));

        Blob self;  // a struct holding itself by value
        self.type("s", BtfKind::Struct, 1, 8);
        self.member("s", 1, 0);
        CHECK(parse_error(self.bytes()) == "BTF type 1 contains itself");

        Blob deep;  // a typedef chain deeper than the kernel ever resolves, from its top
        for (std::uint32_t id = 1; id < 200; ++id) deep.type("t" + std::to_string(id), BtfKind::Typedef, 0, id + 1);
        deep.integer("int", 4, 1);
        CHECK_THAT(parse_error(deep.bytes()), Catch::Contains("nests too deep"));

        Blob big;
        big.integer("int", 4, 1);
        big.array(1, 1, 0x40000000);  // 4 GiB
        CHECK(parse_error(big.bytes()) == "BTF array 2 is larger than 4 GiB");

        Blob past;  // a member beyond its struct's end
        past.integer("int", 4, 1);
        past.type("s", BtfKind::Struct, 1, 4);
        past.member("x", 1, 32);
        CHECK(parse_error(past.bytes()) == "BTF type 2: member 'x' lies past its end");

        Blob bits;
        bits.integer("int", 4, 1);
        bits.type("s", BtfKind::Struct, 1, 4, true);
        bits.member("x", 1, 8u << 24 | 28);
        CHECK(parse_error(bits.bytes()) == "BTF type 2: member 'x' lies past its end");
    }

    SECTION("wide values: nested arrays multiply what would be printed") {
        Blob w;
        w.integer("int", 4, 1);
        w.array(1, 1, 1000);
        w.array(2, 1, 1000);
        auto btf = Btf::parse(w.bytes());
        REQUIRE(btf);
        CHECK(btf->size_of(3) == 4000000);
        CHECK(btf->leaves_of(3) == 256 * 256);  // print elements cuts each at 256
    }
}

TEST_CASE("BTF: random corruption never crashes the reader", "[btf]") {
    const auto good = kd_val_blob().bytes();
    std::mt19937 rng(20240601);  // seeded: the same inputs every run
    for (int round = 0; round < 20000; ++round) {
        auto b = good;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < flips; ++i) b[rng() % b.size()] = static_cast<std::byte>(rng());
        auto r = Btf::parse(b);
        if (!r) continue;
        // What parses must also convert: every type made and named.
        BtfTypes types(std::move(*r));
        for (std::uint32_t id = 0; id <= types.btf().count(); ++id) {
            auto t = types.get(id);
            REQUIRE(t);
            (void)kdive::type_name(*t);
        }
    }
}

TEST_CASE("a function prototype taking a pointer to itself is named without recursing forever", "[btf]") {
    // Found by the btf fuzz target: int (*)(int (*)(int (*)(...))) with no end. C cannot write
    // it, BTF can: the name stops after a few levels.
    Blob b;
    const auto i = b.integer("int", 4, 1);
    const auto proto = b.type("", BtfKind::FuncProto, 1, i);  // ID 2: int (ptr)
    b.pair("", proto + 1);                                     // its parameter: ID 3
    const auto ptr = b.type("", BtfKind::Ptr, 0, proto);      // ID 3: pointer to ID 2
    REQUIRE(ptr == proto + 1);
    auto btf = Btf::parse(b.bytes());
    REQUIRE(btf);
    const BtfTypes types(std::move(*btf));
    auto t = types.get(ptr);
    REQUIRE(t);
    const std::string name = kdive::type_name(*t);
    CHECK(name.starts_with("int (*)(int (*)("));
    CHECK(name.find("...") != std::string::npos);
    CHECK(name.size() < 200);
}
