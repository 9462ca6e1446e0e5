// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/result.hpp"

namespace kdive {

Failure fail_fault(FaultReason why, std::uint64_t address, std::uint64_t size, std::string what) {
    return Failure{Error{std::move(what), hex_address(address), ErrorKind::Fault, why, address, size}};
}

}  // namespace kdive
