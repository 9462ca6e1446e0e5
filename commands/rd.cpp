// SPDX-License-Identifier: GPL-3.0-or-later
// rd: read memory, in crash's layout ("ffffffff82a1c4a0:  0000000000000000 ...   ........").
#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include <functional>

#include "kdive/command.hpp"
#include "kdive/tasks.hpp"
#include "kdive/unwind.hpp"
#include "kdive/user_memory.hpp"
#include "kdive/interrupt.hpp"

namespace kdive {
namespace {

constexpr std::size_t kLineBytes = 16;
constexpr std::size_t kAsciiLine = 60;          // crash's -a line length
constexpr std::size_t kAsciiMax = 1 << 20;      // -a without a count stops at NUL or here

std::uint64_t load(const std::byte* p, unsigned size) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, size);  // x86-64 dumps are little-endian, as is the host
    return v;
}

std::int64_t sign_extend(std::uint64_t v, unsigned size) {
    const unsigned shift = 64 - 8 * size;
    return static_cast<std::int64_t>(v << shift) >> shift;
}

char printable(std::byte b) {
    const auto c = static_cast<unsigned char>(b);
    return c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.';
}

// Where rd reads from: the kernel's or physical memory, or a task's user memory.
using Reader = std::function<Result<void>(std::uint64_t, std::span<std::byte>)>;

class RdCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "rd",
            .summary = "read memory",
            .description =
                "Displays memory at ADDRESS (hex, a symbol, or symbol+offset) in kernel virtual\n"
                "space, or physical space with -p. COUNT is the number of values to show (1 by\n"
                "default; with -a the number of characters, else up to a NUL). Values are 64-bit\n"
                "hex with an ASCII column unless a size or format is chosen. An unreadable page\n"
                "(excluded from the dump, not mapped) ends the display with an error naming it.",
            .options = {{.short_name = "8", .help = "display 8-bit values"},
                        {.short_name = "16", .help = "display 16-bit values"},
                        {.short_name = "32", .help = "display 32-bit values"},
                        {.short_name = "64", .help = "display 64-bit values (default)"},
                        {.short_name = "s", .help = "show 64-bit values that point into the kernel "
                                                    "image symbolically"},
                        {.short_name = "a", .help = "display ASCII text"},
                        {.short_name = "p", .help = "ADDRESS is physical"},
                        {.short_name = "u", .help = "ADDRESS is a user virtual address of the current context task (see set)"},
                        {.short_name = "x", .help = "no ASCII column"},
                        {.short_name = "d", .help = "signed decimal values"},
                        {.short_name = "D", .help = "unsigned decimal values"}},
            .arguments = {{.name = "address", .help = "hex address or symbol",
                           .kind = ValueKind::Address},
                          {.name = "count", .help = "number of values", .kind = ValueKind::Number,
                           .optional = true}},
            .examples = {{.text = "The first four 64-bit words of linux_banner:",
                          .command = "rd linux_banner 4",
                          .output = "ffffffff9cd61900:  65762078756e694c 2e36206e6f697372   Linux version 6.\n"
                                    "ffffffff9cd61910:  612d36352d302e31 656428203436646d   1.0-56-amd64 (de"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        auto addr = args.address(session, "address");
        if (!addr) return addr.failure();
        const std::optional<std::uint64_t> count = args.number("count");
        if (count == 0u) return fail("count must be a positive number", "0");
        const AddressSpace space = args.has("p") ? AddressSpace::Physical : AddressSpace::KernelVirtual;
        Reader reader = [&](std::uint64_t a, std::span<std::byte> b) { return session.target().read(space, a, b); };
        if (args.has("u")) {
            // User memory of the current context task, through its own page tables.
            auto task = context_task(session);
            if (!task) return task.failure();
            const Task* t = *task;
            reader = [&session, t](std::uint64_t a, std::span<std::byte> b) { return read_user(session, *t, a, b); };
        }
        if (args.has("a")) return ascii(reader, *addr, count, out);

        unsigned size = 8;
        if (args.has("8")) size = 1;
        if (args.has("16")) size = 2;
        if (args.has("32")) size = 4;
        const bool symbolic = args.has("s");
        if (symbolic) size = 8;
        const char format = args.has("d") ? 'd' : args.has("D") ? 'D' : 'x';
        const bool show_ascii = format == 'x' && !symbolic && !args.has("x");
        return values(session, reader, *addr, count.value_or(1), size, format, symbolic, show_ascii,
                      out);
    }

private:
    static std::string cell(Session& session, std::uint64_t v, unsigned size, char format,
                            bool symbolic) {
        if (symbolic) {
            // vmlinux symbols, and module functions from the dump's kallsyms.
            if (auto sym = symbolize_code(session, v); sym && !sym->name.empty())
                return fmt::format("{:<16}", sym->offset ? fmt::format("{}+{}", sym->name, sym->offset)
                                                         : sym->name);
        }
        if (format == 'd') return fmt::format("{:>{}}", sign_extend(v, size), size == 8 ? 20 : 3 * size + 2);
        if (format == 'D') return fmt::format("{:>{}}", v, size == 8 ? 20 : 3 * size + 2);
        return fmt::format("{:0{}x}", v, 2 * size);
    }

    static Result<void> values(Session& session, const Reader& read, std::uint64_t addr,
                               std::uint64_t count, unsigned size, char format, bool symbolic,
                               bool show_ascii, Output& out) {
        if (addr % size) return fail(fmt::format("not aligned for {}-bit values", 8 * size),
                                     hex_address(addr));
        const std::size_t per_line = kLineBytes / size;
        std::array<std::byte, kLineBytes> line{};
        for (std::uint64_t done = 0; done < count;) {
            if (auto r = check_interrupted(); !r) return r;
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(per_line, count - done));
            const std::uint64_t at = addr + done * size;
            auto r = read(at, std::span{line.data(), n * size});
            if (!r) return r;
            std::string text = fmt::format("{:>16x}:  ", at);
            for (std::size_t i = 0; i < n; ++i)
                text += cell(session, load(line.data() + i * size, size), size, format, symbolic) + " ";
            if (show_ascii) {
                text.append((per_line - n) * (2 * size + 1), ' ');
                text += "  ";
                for (std::size_t i = 0; i < n * size; ++i) text += printable(line[i]);
            }
            out.print("{}\n", text);
            done += n;
        }
        return {};
    }

    static Result<void> ascii(const Reader& read, std::uint64_t addr,
                              std::optional<std::uint64_t> count, Output& out) {
        const std::uint64_t max = count.value_or(kAsciiMax);
        std::string text;
        std::uint64_t line_start = addr;
        std::array<std::byte, 256> buf{};
        bool nul = false;
        for (std::uint64_t i = 0; i < max && !nul;) {
            // Chunks that never cross a page: the next one may be unreadable.
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(
                {buf.size(), max - i, 0x1000 - ((addr + i) & 0xfff)}));
            auto r = read(addr + i, std::span{buf.data(), n});
            if (!r) {
                if (!text.empty()) out.print("{:>16x}:  {}\n", line_start, text);
                return r;
            }
            for (std::size_t k = 0; k < n; ++k, ++i) {
                if (!count && buf[k] == std::byte{0}) {
                    nul = true;
                    break;
                }
                // As crash: only printable characters are shown in -a mode.
                const auto ch = static_cast<unsigned char>(buf[k]);
                if (ch >= 0x20 && ch < 0x7f) text += static_cast<char>(ch);
                if (text.size() == kAsciiLine) {
                    out.print("{:>16x}:  {}\n", line_start, text);
                    text.clear();
                    line_start = addr + i + 1;
                }
            }
        }
        if (!text.empty()) out.print("{:>16x}:  {}\n", line_start, text);
        return {};
    }
};
KDIVE_REGISTER_COMMAND(RdCommand);

}  // namespace
}  // namespace kdive
