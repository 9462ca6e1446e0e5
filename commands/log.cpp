// SPDX-License-Identifier: GPL-3.0-or-later
// log: the kernel's printk buffer, as crash prints it; -a the audit messages never sent.
#include <cctype>
#include <ctime>

#include <fmt/format.h>

#include "kdive/command.hpp"
#include "kdive/interrupt.hpp"
#include "kdive/object.hpp"
#include "kdive/printk.hpp"

namespace kdive {
namespace {

// crash's ctime_tz(): ctime's layout with the local time zone's name.
std::string wall_clock(std::int64_t sec) {
    const std::time_t t = static_cast<std::time_t>(sec);
    std::tm tm{};
    if (!localtime_r(&t, &tm)) return fmt::format("{}", sec);
    char buf[64];
    if (!std::strftime(buf, sizeof buf, "%a %b %e %T %Z %Y", &tm)) return fmt::format("{}", sec);
    return buf;
}

// Bytes that are neither printable nor blank show as '.', as crash shows them (the text is
// not necessarily UTF-8, and a terminal should not receive control characters).
void append_clean(std::string& out, std::string_view s, std::string_view indent) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += '\n';
            out += indent;
        } else if (u < 0x80 && (std::isprint(u) || std::isspace(u))) {
            out += c;
        } else {
            out += '.';
        }
    }
}

std::string clean(std::string_view s) {
    std::string out;
    append_clean(out, s, {});
    return out;
}

class LogCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "log",
            .summary = "the kernel message buffer (printk log)",
            .description =
                "Prints the kernel's printk buffer oldest first, each message after its time\n"
                "stamp in seconds since boot: the lockless ring buffer of Linux 5.10+ (prb), or\n"
                "the log_buf records of 3.5 to 5.9. The lines of a multi-line message after its\n"
                "first are indented under the text. Bytes that are not printable ASCII show as\n"
                "'.'. With -T the stamps are wall-clock times, computed as crash does: the boot\n"
                "time is the timekeeper's xtime_sec minus the uptime in jiffies, plus the stamp,\n"
                "which comes from local_clock() and so may drift from the wall clock. -a prints\n"
                "instead the audit records the kernel still held for auditd (audit_hold_queue,\n"
                "audit_retry_queue, audit_queue), as \"type=N text\". With --json each message is\n"
                "one object: seq, ts_nsec, level, facility, caller_id, text, dict.",
            .options = {{.short_name = "T", .help = "human-readable wall-clock time stamps"},
                        {.short_name = "t", .help = "no time stamps"},
                        {.short_name = "d", .help = "show the dictionary (SUBSYSTEM=, DEVICE=) under each message"},
                        {.short_name = "m", .help = "show each message's level as <N>"},
                        {.short_name = "c", .help = "show the caller: [Tpid] or [Ccpu]"},
                        {.short_name = "a", .help = "the audit records held for auditd"}},
            .examples = {{.text = "The end of the log of a sysrq crash:",
                          .command = "log | tail -3",
                          .output = "[   16.169260] R10: 00000000000001b6 R11: 0000000000000202 R12: 0000000000000002\n"
                                    "[   16.169260] R13: 00000000274ae3a0 R14: 0000000000000001 R15: 00007ffee6fed900\n"
                                    "[   16.169260]  </TASK>"},
                         {.text = "With levels, without stamps:",
                          .command = "log -t -m | grep sysrq",
                          .output = "<6>sysrq: Trigger a crash\n"
                                    "<0>Kernel panic - not syncing: sysrq triggered crash"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        if (args.has("a")) return audit(session, out);
        auto log = read_printk_log(session);
        if (!log) return log.failure();

        // Whole seconds of boot time plus whole seconds of stamp, as crash adds them (so the
        // same message shows the same second in both).
        std::optional<std::int64_t> boot_sec;
        if (args.has("T") && !args.has("t")) {
            auto b = boot_time(session);
            if (!b) return b.failure();
            boot_sec = *b;
        }
        int caller_width = 0;
        if (args.has("c")) {
            if (!log->records.empty() && !log->records.front().has_caller_id)
                return fail("this kernel records no caller ids (CONFIG_PRINTK_CALLER)");
            // Wide enough for any pid, as crash sizes it: from pid_max.
            auto v = Object::variable(session, "pid_max").and_then([](const Object& o) { return o.to_u64(); });
            caller_width = !v ? 11 : *v <= 99'999 ? 6 : *v <= 999'999 ? 7 : 11;
        }

        std::string text;
        for (const PrintkRecord& r : log->records) {
            if (auto c = check_interrupted(); !c) return c;
            if (out.json()) {
                std::string dict;
                for (const auto& d : r.dict) dict += (dict.empty() ? "" : ",") + json_quote(clean(d));
                std::string time;
                if (boot_sec)
                    time = ",\"time\":" + json_quote(wall_clock(*boot_sec + static_cast<std::int64_t>(r.ts_nsec / 1'000'000'000)));
                out.raw_json(fmt::format(
                    "{{\"seq\":{},\"ts_nsec\":{}{},\"level\":{},\"facility\":{},\"caller_id\":{},\"text\":{},\"dict\":[{}]}}",
                    Value(r.seq).json(), Value(r.ts_nsec).json(), time, r.level, r.facility,
                    r.has_caller_id ? Value(r.caller_id).json() : Value().json(), json_quote(clean(r.text)), dict));
                continue;
            }
            // A message without text (printk("\n")) is an empty line, as crash prints it.
            if (r.text.empty() && (r.dict.empty() || !args.has("d"))) {
                out.write("\n");
                continue;
            }
            text.clear();
            if (!args.has("t")) {
                if (boot_sec)
                    text += fmt::format("[{}] ", wall_clock(*boot_sec + static_cast<std::int64_t>(r.ts_nsec / 1'000'000'000)));
                else
                    text += fmt::format("[{:5}.{:06}] ", r.ts_nsec / 1'000'000'000, r.ts_nsec % 1'000'000'000 / 1000);
            }
            if (caller_width) {
                const bool cpu = r.caller_id & 0x80000000u;
                text += fmt::format("[{:>{}}] ", fmt::format("{}{}", cpu ? 'C' : 'T', r.caller_id & 0x7fffffffu),
                                    caller_width);
            }
            if (args.has("m")) text += fmt::format("<{:x}>", r.level);
            const std::string indent(text.size(), ' ');
            append_clean(text, r.text, indent);
            if (args.has("d"))
                for (const auto& d : r.dict) {
                    text += '\n';
                    text += indent;
                    append_clean(text, d, indent);
                }
            text += '\n';
            out.write(text);
        }
        return {};
    }

private:
    static Result<void> audit(Session& session, Output& out) {
        auto records = read_audit_queue(session);
        if (!records) return records.failure();
        // Not an error: crash says so in the same words.
        if (records->empty()) {
            if (!out.json()) out.print("log: kernel audit log is empty\n");
            return {};
        }
        for (const auto& r : *records) {
            if (out.json()) {
                out.raw_json(fmt::format("{{\"type\":{},\"text\":{}}}", r.type, json_quote(clean(r.text))));
            } else {
                out.print("type={} {}\n", r.type, clean(r.text));
            }
        }
        return {};
    }
};
KDIVE_REGISTER_COMMAND(LogCommand);

}  // namespace
}  // namespace kdive
