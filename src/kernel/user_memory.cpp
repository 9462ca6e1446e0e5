// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/user_memory.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "kdive/layout.hpp"

namespace kdive {

namespace {

constexpr std::uint64_t kPresent = 1ULL << 0;
constexpr std::uint64_t kHuge = 1ULL << 7;              // PS: a 1 GiB or 2 MiB page
constexpr std::uint64_t kAddrMask = 0x000ffffffffff000ULL;  // bits 12..51

}  // namespace

Result<std::uint64_t> user_to_phys(Session& s, const Task& task, std::uint64_t uaddr) {
    if (!task.mm) return fail("a kernel thread has no user memory", fmt::format("pid {}", task.pid));
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto pgd_field = field_of(**di, "struct mm_struct", "pgd");
    if (!pgd_field) return pgd_field.failure();
    auto pgd = s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, task.mm + pgd_field->offset);
    if (!pgd) return pgd.failure();
    // The page-table root is in the direct map; the kernel's own walk of it gives its physical
    // address and tells how many levels this kernel uses.
    auto root = s.target().walk(*pgd);
    if (!root) return root.failure();
    if (!root->mapped) return fail("the process's page table is not mapped", hex_address(*pgd));
    const unsigned levels = root->levels ? root->levels : 4;
    std::uint64_t table = root->paddr & kAddrMask;
    for (unsigned level = levels; level >= 1; --level) {
        const unsigned shift = 12 + 9 * (level - 1);
        const std::uint64_t index = (uaddr >> shift) & 511;
        auto entry = s.target().read_value<std::uint64_t>(AddressSpace::Physical, table + index * 8);
        if (!entry) return entry.failure();
        if (!(*entry & kPresent)) return fail("user page not present (swapped out or never touched)", hex_address(uaddr));
        if (level == 1 || ((level == 2 || level == 3) && (*entry & kHuge))) {
            const std::uint64_t page = 1ULL << shift;
            return (*entry & kAddrMask & ~(page - 1)) | (uaddr & (page - 1));
        }
        table = *entry & kAddrMask;
    }
    return fail("user address not mapped", hex_address(uaddr));
}

Result<void> read_user(Session& s, const Task& task, std::uint64_t uaddr, std::span<std::byte> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        const std::uint64_t a = uaddr + done;
        const std::size_t chunk = std::min<std::size_t>(out.size() - done, 4096 - (a & 4095));
        auto phys = user_to_phys(s, task, a);
        if (!phys) return phys.failure();
        // makedumpfile -d 8 and above drop user pages: say which user address is missing.
        if (auto r = s.target().read(AddressSpace::Physical, *phys, out.subspan(done, chunk)); !r)
            return fail("user page not in the dump (" + r.error().what + ")", hex_address(a));
        done += chunk;
    }
    return {};
}

}  // namespace kdive
