// SPDX-License-Identifier: GPL-3.0-or-later
// The XArray walker over hand-built trees in a fake memory: multi-level nodes, the internal
// entries the kernel's iterators skip, and trees no valid kernel builds (loops, wrong shifts).
#include <catch2/catch.hpp>

#include <cstring>
#include <map>

#include "kdive/xarray.hpp"

namespace {

using kdive::XaEntry;
using kdive::XaNodeLayout;

// struct xa_node of a 64-bit kernel with XA_CHUNK_SHIFT 6.
const XaNodeLayout kLayout{.size = 576, .shift = 0, .offset = 1, .parent = 8, .slots = 40, .chunk_shift = 6};

struct FakeMemory {
    std::map<std::uint64_t, std::vector<std::byte>> nodes;

    void node(std::uint64_t addr, unsigned shift, unsigned offset, std::uint64_t parent) {
        auto& n = nodes[addr];
        n.assign(kLayout.size, std::byte{0});
        n[kLayout.shift] = static_cast<std::byte>(shift);
        n[kLayout.offset] = static_cast<std::byte>(offset);
        std::memcpy(n.data() + kLayout.parent, &parent, 8);
    }
    void slot(std::uint64_t addr, unsigned i, std::uint64_t entry) {
        std::memcpy(nodes.at(addr).data() + kLayout.slots + 8 * i, &entry, 8);
    }
    kdive::MemoryReader reader() {
        return [this](std::uint64_t a, std::span<std::byte> out) -> kdive::Result<void> {
            auto it = nodes.find(a);
            if (it == nodes.end() || out.size() > it->second.size()) return kdive::fail("unreadable", kdive::hex_address(a));
            std::memcpy(out.data(), it->second.data(), out.size());
            return {};
        };
    }
};

constexpr std::uint64_t node_entry(std::uint64_t addr) { return addr | 2; }

std::vector<XaEntry> walk(FakeMemory& m, std::uint64_t head, kdive::Result<void>* status = nullptr) {
    std::vector<XaEntry> out;
    auto r = kdive::xa_walk(m.reader(), head, kLayout, [&](const XaEntry& e) {
        out.push_back(e);
        return true;
    });
    if (status) *status = r;
    else REQUIRE(r.ok());
    return out;
}

}  // namespace

TEST_CASE("xarray: empty and single-entry arrays", "[xarray][unit]") {
    FakeMemory m;
    CHECK(walk(m, 0).empty());
    auto one = walk(m, 0xffff888000001000);
    REQUIRE(one.size() == 1);
    CHECK(one[0].index == 0);
    CHECK(one[0].entry == 0xffff888000001000);
    CHECK(walk(m, 256 << 2 | 2).empty());  // XA_RETRY_ENTRY
}

TEST_CASE("xarray: a two-level tree in index order, internal entries skipped", "[xarray][unit]") {
    FakeMemory m;
    m.node(0x10000, 6, 0, 0);
    m.node(0x20000, 0, 0, 0x10000);
    m.node(0x30000, 0, 1, 0x10000);
    m.slot(0x10000, 0, node_entry(0x20000));
    m.slot(0x10000, 1, node_entry(0x30000));
    m.slot(0x20000, 1, 0xffff888000001000);
    m.slot(0x20000, 2, 0xffff888000002000);
    m.slot(0x20000, 3, 0xffff888000003000);
    m.slot(0x20000, 4, 256 << 2 | 2);  // retry
    m.slot(0x20000, 5, 257 << 2 | 2);  // zero (reserved)
    m.slot(0x20000, 6, 1 << 2 | 2);    // sibling of slot 1... kept simple: skipped
    m.slot(0x20000, 7, 0x55);          // a value entry (xa_mk_value(42))
    m.slot(0x30000, 42, 0xffff888000004000);
    auto e = walk(m, node_entry(0x10000));
    REQUIRE(e.size() == 5);
    CHECK(e[0].index == 1);
    CHECK(e[1].index == 2);
    CHECK(e[2].index == 3);
    CHECK(e[3].index == 7);
    CHECK(kdive::xa_is_value(e[3].entry));
    CHECK(kdive::xa_to_value(e[3].entry) == 42);
    CHECK(e[4].index == 64 + 42);
    CHECK(e[4].entry == 0xffff888000004000);
}

TEST_CASE("xarray: corrupt trees stop with an error", "[xarray][unit]") {
    FakeMemory m;
    kdive::Result<void> status;

    SECTION("a child pointing back at the root (a loop)") {
        m.node(0x10000, 6, 0, 0);
        m.slot(0x10000, 0, node_entry(0x10000));
        walk(m, node_entry(0x10000), &status);
        CHECK_FALSE(status.ok());
    }
    SECTION("a child with the wrong shift") {
        m.node(0x10000, 12, 0, 0);
        m.node(0x20000, 0, 0, 0x10000);
        m.slot(0x10000, 0, node_entry(0x20000));
        walk(m, node_entry(0x10000), &status);
        CHECK_FALSE(status.ok());
    }
    SECTION("a child whose parent is another node") {
        m.node(0x10000, 6, 0, 0);
        m.node(0x20000, 0, 0, 0x40000);
        m.slot(0x10000, 0, node_entry(0x20000));
        walk(m, node_entry(0x10000), &status);
        CHECK_FALSE(status.ok());
    }
    SECTION("a node below the last level") {
        m.node(0x10000, 0, 0, 0);
        m.slot(0x10000, 3, node_entry(0x10000));
        walk(m, node_entry(0x10000), &status);
        CHECK_FALSE(status.ok());
    }
    SECTION("an unreadable node") {
        walk(m, node_entry(0x50000), &status);
        CHECK_FALSE(status.ok());
    }
    SECTION("more entries than allowed") {
        m.node(0x10000, 0, 0, 0);
        for (unsigned i = 0; i < 10; ++i) m.slot(0x10000, i, 0xffff888000001000 + 0x1000 * i);
        std::size_t n = 0;
        auto r = kdive::xa_walk(m.reader(), node_entry(0x10000), kLayout, [&](const XaEntry&) { return ++n, true; }, 5);
        CHECK_FALSE(r.ok());
        CHECK(n == 5);
    }
}
