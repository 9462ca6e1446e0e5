// SPDX-License-Identifier: GPL-3.0-or-later
// sys: the system summary crash users read first.
#include <cmath>
#include <ctime>

#include <zlib.h>

#include "kdive/command.hpp"
#include "kdive/type.hpp"
#include "kdive/kernel_time.hpp"
#include "kdive/printk.hpp"
#include "kdive/tasks.hpp"
#include "kdive/utsname.hpp"

namespace kdive {
namespace {

std::optional<std::uint64_t> read_symbol_u64(Session& s, std::string_view name) {
    auto di = s.debuginfo();
    if (!di) return std::nullopt;
    auto sym = (*di)->find_symbol(name);
    if (!sym) return std::nullopt;
    auto v = s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, sym->address);
    if (!v) return std::nullopt;
    return *v;
}

std::optional<std::uint32_t> read_symbol_u32(Session& s, std::string_view name) {
    auto v = read_symbol_u64(s, name);
    if (!v) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

// crash's MEMORY: the size in whole GB or MB when it is one to within 1% (firmware holes
// take a few pages off a 1 GB machine's max_pfn), else KB.
std::string memory_size(std::uint64_t bytes) {
    const double b = static_cast<double>(bytes);
    for (auto [unit, shift] : {std::pair{"GB", 30}, {"MB", 20}}) {
        const double v = b / static_cast<double>(1ULL << shift);
        if (v >= 0.99 && std::abs(v - std::round(v)) < 0.01 * v) return fmt::format("{} {}", std::llround(v), unit);
    }
    return fmt::format("{} KB", bytes >> 10);
}

// What crash's PANIC line shows: the last panic, BUG or Oops message in the kernel log.
std::optional<std::string> panic_message(Session& s) {
    auto log = read_printk_log(s);
    if (!log) return std::nullopt;
    for (auto it = log->records.rbegin(); it != log->records.rend(); ++it) {
        std::string_view text = it->text;
        text = text.substr(0, text.find('\n'));
        if (text.starts_with("Kernel panic - not syncing") || text.starts_with("BUG: ") ||
            text.starts_with("Oops: ") || text.starts_with("kernel BUG at"))
            return std::string(text);
    }
    return std::nullopt;
}

// sys -i: the DMI strings the kernel read at boot (dmi_ident[], indexed by enum dmi_field).
Result<void> show_dmi(Session& s, Output& out) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto ident = (*di)->find_symbol("dmi_ident");
    if (!ident) return fail("no DMI strings in this kernel (dmi_ident)");
    auto field = (*di)->find_type("enum dmi_field");
    if (!field) return field.failure();
    Record r;
    for (const Enumerator& e : strip_typedefs(*field)->enumerators) {
        if (e.name == "DMI_NONE" || e.name == "DMI_STRING_MAX" || e.name == "DMI_OEM_STRING" || e.value < 0) continue;
        auto p = s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, ident->address + 8 * e.value);
        if (!p || !*p) continue;  // the firmware did not provide it
        auto text = s.target().read_string(AddressSpace::KernelVirtual, *p, 256);
        if (!text) continue;
        r.field(e.name, *text);
    }
    if (out.json()) {
        out.record(r);
        return {};
    }
    for (const auto& f : r.fields()) out.print("{:>25}: {}\n", f.label, f.value.text());
    return {};
}

// sys config: the kernel's own .config, kept gzipped between "IKCFG_ST" and "IKCFG_ED" when it
// was built with CONFIG_IKCONFIG.
Result<void> show_config(Session& s, Output& out) {
    auto di = s.debuginfo();
    if (!di) return di.failure();
    auto data = (*di)->find_symbol("kernel_config_data");
    if (!data) return fail("this kernel was built without CONFIG_IKCONFIG: no .config in memory");
    auto end = (*di)->find_symbol("kernel_config_data_end");
    const std::uint64_t size = end && end->address > data->address ? end->address - data->address : 256 * 1024;
    if (size > 16 * 1024 * 1024) return fail("implausible kernel_config_data size");
    std::vector<std::byte> raw(size);
    if (auto r = s.target().read(AddressSpace::KernelVirtual, data->address, raw); !r) return r;
    std::string_view bytes(reinterpret_cast<const char*>(raw.data()), raw.size());
    if (!bytes.starts_with("IKCFG_ST")) return fail("kernel_config_data does not start with IKCFG_ST", hex_address(data->address));
    bytes.remove_prefix(8);
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return fail("zlib inflateInit2 failed");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    std::string text;
    char buf[65536];
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        text.append(buf, sizeof buf - z.avail_out);
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END) return fail("the compressed .config is corrupt", hex_address(data->address));
    out.write(text);
    return {};
}

class SysCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "sys",
            .summary = "system data: kernel, dump file, release, CPUs, KASLR offset",
            .description =
                "Displays the kernel and dump file names, the release, version, node name and\n"
                "machine read from the dumped kernel's utsname, the CPU count and the KASLR offset,\n"
                "and as crash: DATE (the timekeeper's last wall-clock second, UTC), UPTIME (from\n"
                "jiffies), LOAD AVERAGE, TASKS (every thread and idle task), MEMORY (max_pfn),\n"
                "PANIC (the last panic, BUG or Oops line of the kernel log).\n"
                "With --json (or `set output json') it is one JSON object.",
            .options = {{.short_name = "i", .help = "the DMI (SMBIOS) strings the kernel read at boot"}},
            .arguments = {{.name = "config", .help = "`sys config': the kernel's .config (needs CONFIG_IKCONFIG)",
                           .optional = true}},
            .examples = {{.text = "The system data of a dump:",
                          .command = "sys",
                          .output = "      KERNEL: vmlinux\n"
                                    "    DUMPFILE: kdump-l5/vmcore.zlib  [kdump-compressed]\n"
                                    "        CPUS: 2\n"
                                    "    NODENAME: kdive-lab\n"
                                    "     RELEASE: 6.1.0-56-amd64\n"
                                    "     VERSION: #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2\n"
                                    "     MACHINE: x86_64\n"
                                    "KASLR OFFSET: 0x3000000 (VMCOREINFO KERNELOFFSET)"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        if (args.has("i")) return show_dmi(session, out);
        if (!args.positionals().empty()) {
            if (args.positionals()[0] != "config") return fail("unknown sys argument (config)", args.positionals()[0]);
            return show_config(session, out);
        }
        Target& t = session.target();
        Record r;
        r.field("KERNEL", session.vmlinux_path());
        r.field("DUMPFILE", t.path(), fmt::format("{}  [{}]", t.path(), t.format_name()));
        r.json_only("dumpfile_format", t.format_name());
        r.field("CPUS", session.num_cpus());
        auto clock = kernel_clock(session);
        if (clock) {
            if (clock->wall_sec) {
                const std::time_t when = *clock->wall_sec;
                std::tm tm{};
                gmtime_r(&when, &tm);
                char buf[64];
                std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S UTC %Y", &tm);
                r.field("DATE", buf);
            }
            const std::uint64_t up = clock->uptime_ns / 1'000'000'000;
            r.field("UPTIME", up, up >= 86400 ? fmt::format("{} days, {:02}:{:02}:{:02}", up / 86400, up / 3600 % 24, up / 60 % 60, up % 60)
                                             : fmt::format("{:02}:{:02}:{:02}", up / 3600, up / 60 % 60, up % 60));
            r.json_only("hz", clock->hz);
            if (clock->avenrun[0] && clock->avenrun[1] && clock->avenrun[2]) {
                // As /proc/loadavg: fixed point with 11 fraction bits, rounded to 1/100.
                std::string text;
                for (int i = 0; i < 3; ++i) {
                    const std::uint64_t a = *clock->avenrun[i] + 2048 / 200;
                    text += fmt::format("{}{}.{:02}", i ? ", " : "", a >> 11, ((a & 2047) * 100) >> 11);
                }
                r.field("LOAD AVERAGE", text);
            }
        }
        if (auto list = tasks(session)) r.field("TASKS", std::uint64_t{(*list)->all().size()});
        auto uts = read_utsname(session);
        if (uts) {
            r.field("NODENAME", uts->nodename);
            r.field("RELEASE", uts->release);
            r.field("VERSION", uts->version);
            auto khz = read_symbol_u32(session, "cpu_khz");
            r.field("MACHINE", uts->machine,
                    khz && *khz ? fmt::format("{}  ({} Mhz)", uts->machine, *khz / 1000) : uts->machine);
        } else {
            r.field("RELEASE", nullptr, "- (" + uts.error().message() + ")");
            r.json_only("utsname_error", uts.error().message());
        }
        if (auto pfn = read_symbol_u64(session, "max_pfn")) r.field("MEMORY", *pfn * 4096, memory_size(*pfn * 4096));
        if (auto panic = panic_message(session)) r.field("PANIC", *panic, "\"" + *panic + "\"");
        r.field("KASLR OFFSET", Hex{session.kaslr_offset()},
                fmt::format("{:#x} ({})", session.kaslr_offset(), session.kaslr_source()));
        r.json_only("kaslr_source", session.kaslr_source());
        out.record(r);
        return {};
    }
};
KDIVE_REGISTER_COMMAND(SysCommand);

}  // namespace
}  // namespace kdive
