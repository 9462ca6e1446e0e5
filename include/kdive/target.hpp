// SPDX-License-Identifier: GPL-3.0-or-later
// The one memory interface everything above the target layer uses: read N bytes at an address
// in an address space, from whatever the user opened (a dump file, /proc/kcore).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "kdive/result.hpp"

namespace kdive {

enum class AddressSpace {
    KernelVirtual,  // kernel virtual addresses, translated through the kernel's page tables
    Physical,       // (kernel) physical addresses
};

class Target {
public:
    virtual ~Target() = default;

    // Fill `out` entirely from `addr` in `space`, or fail naming the first unreadable address.
    virtual Result<void> read(AddressSpace space, std::uint64_t addr, std::span<std::byte> out) = 0;

    // A NUL-terminated string of at most `max` bytes.
    Result<std::string> read_string(AddressSpace space, std::uint64_t addr, std::size_t max = 4096);

    template <typename T>
    Result<T> read_value(AddressSpace space, std::uint64_t addr) {
        T v{};
        auto r = read(space, addr, std::as_writable_bytes(std::span{&v, 1}));
        if (!r) return r.failure();
        return v;
    }

    // What was opened, for banners and errors: e.g. "kdump-compressed (zlib)" or "ELF vmcore".
    virtual std::string format_name() const = 0;
    virtual std::string path() const = 0;
};

}  // namespace kdive
