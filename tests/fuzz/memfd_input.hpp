// SPDX-License-Identifier: GPL-3.0-or-later
// The fuzz targets whose code under test opens a path (dump files, ELF objects): one memfd per
// target, reused for every input and named by its /proc/self/fd path.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace kdive::fuzz {

class MemfdInput {
public:
    explicit MemfdInput(const char* name) : fd_(::memfd_create(name, MFD_CLOEXEC)) {
        if (fd_ < 0) __builtin_trap();
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    MemfdInput(const MemfdInput&) = delete;
    MemfdInput& operator=(const MemfdInput&) = delete;
    ~MemfdInput() { ::close(fd_); }

    const std::string& path() const { return path_; }

    // The file becomes exactly these bytes; false if the write fails (the input is skipped).
    bool write(const std::uint8_t* data, std::size_t size) const {
        if (::ftruncate(fd_, 0) != 0) return false;
        for (std::size_t off = 0; off < size;) {
            const ssize_t n = ::pwrite(fd_, data + off, size - off, static_cast<off_t>(off));
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }

private:
    int fd_;
    std::string path_;
};

}  // namespace kdive::fuzz
