// SPDX-License-Identifier: GPL-3.0-or-later
// Bench (hidden: run `kdive_lab_tests "[bench]"`): bytes/s of sequential kernel-virtual reads
// over the whole direct map, per dump format.
#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

#include <fmt/format.h>

#include "session/dump_session.hpp"
#include "lab.hpp"

TEST_CASE("bench: sequential reads over the direct map", "[.][bench]") {
    for (const auto& d : lab::dumps()) {
        auto s = kdive::DumpSession::open(lab::vmlinux(), d.path);
        REQUIRE(s);
        auto& t = (*s)->target();
        auto base = t.phys_to_virt(0);
        REQUIRE(base);
        std::vector<std::byte> chunk(1 << 20), page(4096);
        std::uint64_t ok = 0, failed = 0;
        const auto t0 = std::chrono::steady_clock::now();
        for (std::uint64_t pa = 0; pa < t.max_phys(); pa += chunk.size()) {
            if (t.read(kdive::AddressSpace::KernelVirtual, *base + pa, chunk)) {
                ok += chunk.size();
                continue;
            }
            // Holes and excluded pages: page by page.
            for (std::uint64_t p = pa; p < pa + chunk.size(); p += page.size()) {
                if (t.read(kdive::AddressSpace::KernelVirtual, *base + p, page))
                    ok += page.size();
                else
                    failed += page.size();
            }
        }
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        fmt::print("{:<20} {:>5} MiB read, {:>5} MiB unreadable, {:.2f} s, {:.0f} MiB/s of data read\n", d.name(),
                   ok >> 20, failed >> 20, sec, ok / sec / (1 << 20));
        CHECK(ok > 0);
    }
}
