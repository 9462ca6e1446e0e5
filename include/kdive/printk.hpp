// SPDX-License-Identifier: GPL-3.0-or-later
// The kernel's printk buffer, decoded from the dump: the lockless ring buffer of 5.10+ (`prb`)
// or the variable-length records of 3.5 to 5.9 (`log_buf` of struct printk_log), and the audit
// messages still queued for auditd. Layouts come from the debug info, never hard-coded offsets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct PrintkRecord {
    std::uint64_t seq = 0;
    std::uint64_t ts_nsec = 0;    // local_clock() at printk time
    unsigned level = 0;           // 0 (KERN_EMERG) .. 7 (KERN_DEBUG)
    unsigned facility = 0;        // syslog facility (0: kernel)
    std::uint32_t caller_id = 0;  // thread id, or 0x80000000 | cpu (CONFIG_PRINTK_CALLER)
    bool has_caller_id = false;   // false on older layouts without the field
    std::string text;             // as stored: may hold '\n' and any bytes
    // The dictionary: dev_printk's SUBSYSTEM= and DEVICE= (5.10+), or the older layout's
    // KEY=value properties, one per entry.
    std::vector<std::string> dict;
};

struct PrintkLog {
    std::string layout;  // "printk_ringbuffer" or "printk_log"
    std::vector<PrintkRecord> records;  // oldest first
    // How many slots were skipped (reusable, being written, or without readable text).
    std::size_t skipped = 0;
};

// The text of one record of the 5.10+ ring buffer, as the kernel's get_data() finds it in the
// text ring (2^size_bits bytes) from the descriptor's lpos begin/next: a block that would cross
// the ring's end is stored whole at its start; the block's leading id is skipped; the text is
// cut to text_len. nullopt for a block the kernel would not read (failed, misaligned, illegal).
std::optional<std::string_view> printk_block_text(std::span<const std::byte> ring, unsigned size_bits,
                                                  std::uint64_t begin, std::uint64_t next,
                                                  std::uint64_t text_len);

// The whole printk buffer, oldest record first.
Result<PrintkLog> read_printk_log(Session& session);

// The wall-clock time of boot in seconds since the epoch, for log -T, computed as crash does:
// the timekeeper's xtime_sec minus the uptime in jiffies (without jiffies: the timekeeper's
// offs_real - offs_boot). Approximate: printk stamps come from local_clock().
Result<std::int64_t> boot_time(Session& session);

struct AuditRecord {
    unsigned type = 0;  // the netlink message type: AUDIT_SYSCALL (1300), ...
    std::string text;   // "audit(1700000000.123:42): ..."
};

// The audit messages the kernel holds for auditd (audit_hold_queue, audit_retry_queue,
// audit_queue; before 4.11 audit_skb_hold_queue and audit_skb_queue). Fails if the kernel has
// none of these queues (no CONFIG_AUDIT).
Result<std::vector<AuditRecord>> read_audit_queue(Session& session);

}  // namespace kdive
