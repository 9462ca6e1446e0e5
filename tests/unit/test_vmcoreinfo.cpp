// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "memory/vmcoreinfo.hpp"

using kdive::VmcoreInfo;

TEST_CASE("VMCOREINFO lines are parsed by key", "[vmcoreinfo]") {
    auto vi = VmcoreInfo::parse(
        "OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\r\nSYMBOL(init_uts_ns)=ffffffff85a1c4a0\n"
        "NUMBER(pgtable_l5_enabled)=1\nNUMBER(neg)=-3\nSIZE(list_head)=16\n"
        "OFFSET(list_head.next)=0\nKERNELOFFSET=3000000\ngarbage line\n=novalue\nCRASHTIME=1");
    CHECK(vi.osrelease() == "6.1.0-56-amd64");
    CHECK(vi.get("PAGESIZE") == "4096");  // CR stripped
    CHECK(vi.symbol("init_uts_ns") == 0xffffffff85a1c4a0ULL);
    CHECK(vi.number("pgtable_l5_enabled") == 1);
    CHECK(vi.number("neg") == -3);
    CHECK(vi.size("list_head") == 16);
    CHECK(vi.offset("list_head.next") == 0);
    CHECK(vi.kernel_offset() == 0x3000000);
    CHECK_FALSE(vi.get("garbage line"));
    CHECK_FALSE(vi.symbol("missing"));
    CHECK(vi.get("CRASHTIME") == "1");  // last line without a newline
}

TEST_CASE("malformed VMCOREINFO numbers are absent, not zero", "[vmcoreinfo]") {
    auto vi = VmcoreInfo::parse("KERNELOFFSET=zz\nSYMBOL(x)=\nNUMBER(y)=12abc\n");
    CHECK_FALSE(vi.kernel_offset());
    CHECK_FALSE(vi.symbol("x"));
    CHECK_FALSE(vi.number("y"));
    CHECK(VmcoreInfo::parse("").empty());
}

TEST_CASE("parse_unsigned accepts whole numbers only", "[vmcoreinfo]") {
    CHECK(kdive::parse_unsigned("0x10", 16) == 16);
    CHECK(kdive::parse_unsigned("ff", 16) == 255);
    CHECK(kdive::parse_unsigned("10", 10) == 10);
    CHECK_FALSE(kdive::parse_unsigned("", 10));
    CHECK_FALSE(kdive::parse_unsigned("1 ", 10));
    CHECK_FALSE(kdive::parse_unsigned("-1", 10));
    CHECK_FALSE(kdive::parse_unsigned("99999999999999999999999", 10));  // overflow
}
