// SPDX-License-Identifier: GPL-3.0-or-later
// crash's `bt` text for a Backtrace: the task header, one line per frame with the stack slot the
// return address was read from, the registers saved at each kernel entry, the stack switches.
#include <algorithm>

#include <fmt/format.h>

#include "kdive/backtrace_format.hpp"
#include "kdive/interrupt.hpp"

namespace kdive {

namespace {

std::string symbol_text(const CodeSymbol& s, bool with_offset) {
    std::string t = s.name.empty() ? std::string("(unknown)") : s.name;
    if (with_offset && s.offset) t += fmt::format("+{}", s.offset);
    return t;
}

// crash's seven lines of saved registers (for an iret frame only what the CPU pushed).
void print_regs(Session& session, const SavedRegs& r, Output& out) {
    const X86Registers& g = r.regs;
    if (!r.user_mode()) {
        auto sym = symbolize_code(session, g.rip);
        out.print("    [exception RIP: {}]\n",
                  sym ? symbol_text(*sym, true) : fmt::format("unknown or invalid address"));
    }
    out.print("    RIP: {:016x}  RSP: {:016x}  RFLAGS: {:08x}\n", g.rip, g.rsp, g.rflags);
    if (!r.partial) {
        out.print("    RAX: {:016x}  RBX: {:016x}  RCX: {:016x}\n", g.rax, g.rbx, g.rcx);
        out.print("    RDX: {:016x}  RSI: {:016x}  RDI: {:016x}\n", g.rdx, g.rsi, g.rdi);
        out.print("    RBP: {:016x}   R8: {:016x}   R9: {:016x}\n", g.rbp, g.r8, g.r9);
        out.print("    R10: {:016x}  R11: {:016x}  R12: {:016x}\n", g.r10, g.r11, g.r12);
        out.print("    R13: {:016x}  R14: {:016x}  R15: {:016x}\n", g.r13, g.r14, g.r15);
        out.print("    ORIG_RAX: {:016x}  CS: {:04x}  SS: {:04x}\n", g.orig_rax, g.cs, g.ss);
    } else {
        out.print("    CS: {:04x}  SS: {:04x}\n", g.cs, g.ss);
    }
}

std::string word_text(Session& session, std::uint64_t w, bool symbolic) {
    if (symbolic && w >= 0xffff800000000000ULL)
        if (auto sym = symbolize_code(session, w); sym && !sym->name.empty()) {
            std::string t = symbol_text(*sym, true);
            if (!sym->module.empty()) t += fmt::format(" [{}]", sym->module);
            return fmt::format("{:<16}", t);
        }
    return fmt::format("{:016x}", w);
}

// Stack words [from, to), two a line, as crash's bt -f ("    ADDR: w w ") and -r
// ("ADDR:  w w ") print them.
Result<void> print_words(Session& session, std::uint64_t from, std::uint64_t to, bool symbolic,
                         bool raw, Output& out) {
    for (std::uint64_t at = from; at < to; at += 16) {
        if (auto r = check_interrupted(); !r) return r;
        const std::size_t n = to - at >= 16 ? 2 : 1;
        std::uint64_t w[2] = {0, 0};
        auto r = session.target().read(AddressSpace::KernelVirtual, at,
                                       std::as_writable_bytes(std::span{w, n}));
        if (!r) return r;
        std::string line = raw ? fmt::format("{:x}: ", at) : fmt::format("    {:x}:", at);
        for (std::size_t i = 0; i < n; ++i) line += " " + word_text(session, w[i], symbolic);
        line += ' ';
        out.print("{}\n", line);
    }
    return {};
}

std::string regs_json(const SavedRegs& r) {
    const X86Registers& g = r.regs;
    std::string s = fmt::format("{{\"address\":\"{:#x}\",\"partial\":{},\"user\":{}", r.address,
                                r.partial, r.user_mode());
    const std::pair<const char*, std::uint64_t> regs[] = {
        {"rip", g.rip}, {"rsp", g.rsp}, {"rflags", g.rflags}, {"rax", g.rax}, {"rbx", g.rbx},
        {"rcx", g.rcx}, {"rdx", g.rdx}, {"rsi", g.rsi}, {"rdi", g.rdi}, {"rbp", g.rbp},
        {"r8", g.r8}, {"r9", g.r9}, {"r10", g.r10}, {"r11", g.r11}, {"r12", g.r12},
        {"r13", g.r13}, {"r14", g.r14}, {"r15", g.r15}, {"orig_rax", g.orig_rax},
        {"cs", g.cs}, {"ss", g.ss}};
    for (const auto& [name, v] : regs) s += fmt::format(",\"{}\":\"{:#x}\"", name, v);
    return s + "}";
}

// One JSON object per task: the Backtrace as data.
void print_json(const Task& task, const Backtrace& bt, Output& out) {
    std::string s = fmt::format("{{\"pid\":{},\"task\":\"{:#x}\",\"cpu\":{},\"command\":{},\"frames\":[",
                                task.pid, task.address, task.cpu, json_quote(task.comm));
    for (std::size_t i = 0; i < bt.frames.size(); ++i) {
        const StackFrame& f = bt.frames[i];
        s += fmt::format("{}{{\"level\":{},\"pc\":\"{:#x}\",\"sp\":\"{:#x}\",\"slot\":\"{:#x}\","
                         "\"function\":{},\"offset\":{},\"module\":{},\"stack\":{},"
                         "\"interrupted\":{},\"reliable\":{},\"after_saved_registers\":{}",
                         i ? "," : "", i, f.pc, f.sp, f.slot,
                         f.function.empty() ? "null" : json_quote(f.function), f.offset,
                         f.module.empty() ? "null" : json_quote(f.module), json_quote(f.stack),
                         f.interrupted, f.reliable, f.after_saved_registers);
        if (f.regs) s += ",\"regs\":" + regs_json(*f.regs);
        s += ",\"inlined\":[";
        for (std::size_t k = 0; k < f.inlined.size(); ++k) {
            const InlinedCall& c = f.inlined[k];
            s += fmt::format("{}{{\"function\":{},\"call_file\":{},\"call_line\":{}}}", k ? "," : "",
                             json_quote(c.function), c.call_file.empty() ? "null" : json_quote(c.call_file),
                             c.call_line);
        }
        s += "]}";
    }
    s += "]";
    if (bt.user_regs) s += ",\"user_regs\":" + regs_json(*bt.user_regs);
    if (!bt.note.empty()) s += ",\"note\":" + json_quote(bt.note);
    out.raw_json(s + "}");
}

}  // namespace

Result<void> print_backtrace(Session& session, const Task& task, const BacktraceFormat& format,
                             Output& out) {
    if (out.json()) {
        auto bt = unwind_task(session, task);
        if (!bt) return bt.failure();
        find_inlined_calls(session, *bt);
        print_json(task, *bt, out);
        return {};
    }
    out.print("PID: {:<7}  TASK: {:x}  CPU: {:<3}  COMMAND: \"{}\"\n", task.pid, task.address,
              task.cpu, task.comm);
    auto bt = unwind_task(session, task);
    if (!bt) return bt.failure();
    const bool inlines = format.inline_frames || format.line_numbers;
    if (inlines) find_inlined_calls(session, *bt);

    const auto& frames = bt->frames;
    std::size_t level = 0;  // frame numbers count the inline frames too, as drgn's do
    auto print_source = [&](const std::optional<SourceLine>& src) {
        if (src) out.print("    {}: {}\n", src->file, src->line);
    };
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const StackFrame& f = frames[i];
        if (i > 0 && f.stack != frames[i - 1].stack) {
            const std::string& left = frames[i - 1].stack;
            out.print("{}--- <{} stack> ---\n", left == "IRQ" ? " " : "", left);
        }
        // A frame's line: for the innermost level the pc's, for each outer one the call site
        // of the level inside it.
        std::optional<SourceLine> src;
        if (format.line_numbers) src = source_line(session, f.interrupted ? f.pc : f.pc - 1);
        for (const InlinedCall& c : f.inlined) {
            out.print("{}#{} [{:x}] {} at {:x} (inline)\n", level < 10 ? " " : "", level, f.slot,
                      c.function, f.pc);
            ++level;
            if (format.line_numbers) print_source(src);
            src.reset();
            if (!c.call_file.empty()) src = SourceLine{c.call_file, c.call_line};
        }
        std::string name = f.function.empty() ? std::string("(unknown)") : f.function;
        if (format.symbol_offsets && !f.function.empty() && f.offset) name += fmt::format("+{}", f.offset);
        std::string line = fmt::format("{}#{} [{:x}] {} at {:x}", level < 10 ? " " : "", level, f.slot, name, f.pc);
        ++level;
        if (!f.module.empty()) line += fmt::format(" [{}]", f.module);
        out.print("{}\n", line);
        if (format.line_numbers) print_source(src);
        if (format.frame_words || format.frame_symbols) {
            // As crash: the words past this frame's slot up to the next frame's slot (its
            // return address) included; none after the last frame or across a stack switch.
            if (i + 1 < frames.size() && frames[i + 1].stack == f.stack && frames[i + 1].slot > f.slot &&
                frames[i + 1].slot - f.slot <= 4096)
                if (auto r = print_words(session, f.slot + 8, frames[i + 1].slot + 8,
                                         format.frame_symbols, false, out);
                    !r)
                    return r;
        }
        if (f.regs) print_regs(session, *f.regs, out);
    }
    if (frames.empty() && bt->user_regs) print_regs(session, *bt->user_regs, out);
    if (!bt->note.empty()) out.print("    (the trace stops here: {})\n", bt->note);
    return {};
}

Result<void> print_raw_stack(Session& session, const Task& task, Output& out) {
    out.print("PID: {:<7}  TASK: {:x}  CPU: {:<3}  COMMAND: \"{}\"\n", task.pid, task.address,
              task.cpu, task.comm);
    auto stacks = task_stacks(session, task);
    if (!stacks) return stacks.failure();
    auto task_stack = std::find_if(stacks->begin(), stacks->end(),
                                   [](const StackRange& s) { return s.name == "task"; });
    if (task_stack == stacks->end()) return fail("the task has no kernel stack", fmt::format("pid {}", task.pid));
    return print_words(session, task_stack->start, task_stack->end, true, true, out);
}

}  // namespace kdive
