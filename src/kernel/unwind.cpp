// SPDX-License-Identifier: GPL-3.0-or-later
// The unwinder: arch/x86/kernel/unwind_orc.c's unwind_next_frame() over a dump, with the
// kernel's own safety rules (known stacks only, never back down a stack, never back to a stack
// already left) plus a frame limit, so a corrupt stack ends the trace with a note.
#include "kdive/unwind.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "kdive/kernel_facts.hpp"
#include "kdive/layout.hpp"
#include "kdive/modules.hpp"
#include "kdive/symbolizer.hpp"
#include "kdive/utsname.hpp"
#include "kernel/unwind_cfi.hpp"
#include "kernel/unwind_orc.hpp"

namespace kdive {

namespace {

constexpr std::uint64_t kIretFrameOffset = 16 * 8;  // offsetof(struct pt_regs, ip)

// What the unwinder needs of this kernel, found once per session.
struct UnwindData {
    orc::Layout orc_layout;  // struct orc_entry as this kernel lays it out
    std::shared_ptr<const orc::Table> vmlinux;  // empty table if the vmlinux has none
    std::shared_ptr<const cfi::Table> cfi;      // .debug_frame; null if the vmlinux has none
    std::uint64_t text_start = 0, text_end = 0;  // the kernel image (_text.._end), run time
    std::uint64_t ret_from_fork = 0;
    std::uint64_t thread_size = 16384;
    Field frame_bp, frame_ret;  // struct inactive_task_frame
    std::uint64_t frame_size = 0;

    struct Module {
        LoadedModule mod;
        std::shared_ptr<orc::Table> orc;  // loaded on first use
    };
    // Loaded on first use (module code in a trace is rare); mutable behind the session cache's
    // const pointer because it is filled lazily.
    mutable std::shared_ptr<std::vector<Module>> modules;
};

Result<const UnwindData*> unwind_data(Session& session) {
    return session.cache().get<UnwindData>([&]() -> Result<UnwindData> {
        auto di = session.debuginfo();
        if (!di) return di.failure();
        UnwindData d;
        // The entry layout from the debug info; the release only where it has no orc_entry.
        std::optional<orc::Layout> layout;
        if (auto t = (*di)->find_type("struct orc_entry")) layout = orc::layout_from_type((*di)->complete(*t));
        if (layout) d.orc_layout = *layout;
        else if (auto u = read_utsname(session)) d.orc_layout = orc::layout_for(orc::format_for_release(u->release));
        else if (auto rel = session.vmcoreinfo("OSRELEASE")) d.orc_layout = orc::layout_for(orc::format_for_release(*rel));
        // A kernel built without ORC still unwinds by its .debug_frame and frame pointers.
        auto table = orc::vmlinux_table(session, d.orc_layout);
        orc::Table vmlinux_orc = table ? std::move(*table) : orc::Table{};
        // The register numbering, from what the table itself says (module tables follow it).
        if (!vmlinux_orc.empty())
            if (auto regs = orc::registers_from_entries(vmlinux_orc.evidence())) {
                d.orc_layout.regs = *regs;
                vmlinux_orc.remap_registers(*regs);
            }
        d.vmlinux = std::make_shared<orc::Table>(std::move(vmlinux_orc));
        if (auto c = cfi::vmlinux_table(session)) d.cfi = std::make_shared<cfi::Table>(std::move(*c));
        auto text = session.symbol_address("_text");
        auto end = session.symbol_address("_end");
        if (!text || !end) return fail("the vmlinux has no _text/_end symbols");
        d.text_start = *text;
        d.text_end = *end;
        if (auto r = session.symbol_address("ret_from_fork_asm")) d.ret_from_fork = *r;
        else if (auto r2 = session.symbol_address("ret_from_fork")) d.ret_from_fork = *r2;
        if (auto f = kernel_facts(session)) d.thread_size = (*f)->thread_size;
        auto frame = (*di)->find_type("struct inactive_task_frame");
        auto bp = field_of(**di, "struct inactive_task_frame", "bp");
        auto ret = field_of(**di, "struct inactive_task_frame", "ret_addr");
        if (!frame || !bp || !ret)
            return fail("the debug info has no struct inactive_task_frame (bp, ret_addr)");
        d.frame_size = type_size(*frame);
        d.frame_bp = *bp;
        d.frame_ret = *ret;
        return d;
    });
}

std::vector<UnwindData::Module>& modules_of(Session& session, const UnwindData& d) {
    if (!d.modules) {
        d.modules = std::make_shared<std::vector<UnwindData::Module>>();
        if (auto mods = loaded_modules(session))
            for (auto& m : *mods) d.modules->push_back({std::move(m), nullptr});
    }
    return *d.modules;
}

UnwindData::Module* module_at(Session& session, const UnwindData& d, std::uint64_t addr) {
    for (auto& m : modules_of(session, d))
        if (addr >= m.mod.base && addr - m.mod.base < m.mod.size) return &m;
    return nullptr;
}

// The ORC entry for code address `ip`; nullopt when no table covers it.
std::optional<orc::Entry> find_orc(Session& session, const UnwindData& d, std::uint64_t ip) {
    if (ip >= d.text_start && ip < d.text_end) return d.vmlinux->find(ip);
    UnwindData::Module* m = module_at(session, d, ip);
    if (!m) return std::nullopt;
    if (!m->orc) {
        auto t = orc::module_table(session, m->mod.module, d.orc_layout);
        m->orc = std::make_shared<orc::Table>(t ? std::move(*t) : orc::Table{});
    }
    if (m->orc->empty()) return std::nullopt;
    return m->orc->find(ip);
}

// The vmlinux image or the module area (modules, BPF programs, trampolines).
bool is_kernel_code(const UnwindData& d, std::uint64_t ip) {
    constexpr std::uint64_t kModulesStart = 0xffffffffc0000000ULL, kModulesEnd = 0xffffffffff000000ULL;
    return (ip >= d.text_start && ip < d.text_end) || (ip >= kModulesStart && ip < kModulesEnd);
}

Result<std::uint64_t> read_word(Session& s, std::uint64_t addr) {
    return s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, addr);
}

struct State {
    std::uint64_t ip = 0, sp = 0, bp = 0;
    bool signal = false;  // ip is where the code stopped: its own ORC entry, not the call's
    std::optional<SavedRegs> regs, prev_regs;
};

// A register saved in the current pt_regs (as the kernel's get_reg()): `index` in
// X86Registers order. Partial (iret-only) frames take the other registers from the full
// frame before them.
std::optional<std::uint64_t> get_reg(const State& st, std::size_t index) {
    auto pick = [&](const SavedRegs& r) {
        std::uint64_t v;
        std::memcpy(&v, reinterpret_cast<const std::byte*>(&r.regs) + 8 * index, 8);
        return v;
    };
    constexpr std::size_t kIretFirst = 16;  // ip, cs, flags, sp, ss
    if (!st.regs) return std::nullopt;
    if (!st.regs->partial || index >= kIretFirst) return pick(*st.regs);
    if (st.prev_regs) return pick(*st.prev_regs);
    return std::nullopt;
}
constexpr std::size_t kRegBp = offsetof(X86Registers, rbp) / 8, kRegR10 = offsetof(X86Registers, r10) / 8,
                      kRegR13 = offsetof(X86Registers, r13) / 8, kRegDi = offsetof(X86Registers, rdi) / 8,
                      kRegDx = offsetof(X86Registers, rdx) / 8;

const StackRange* stack_of(const std::vector<StackRange>& stacks, std::uint64_t sp) {
    for (const auto& s : stacks)
        if (s.contains(sp)) return &s;
    return nullptr;
}

class Unwinder {
public:
    Unwinder(Session& s, const UnwindData& d, std::vector<StackRange> stacks, Backtrace& bt)
        : s_(s), d_(d), stacks_(std::move(stacks)), bt_(bt) {}

    void run(State st, std::uint64_t first_slot) {
        const StackRange* stack = stack_of(stacks_, st.sp);
        if (!stack) {
            bt_.note = fmt::format("the stack pointer {:x} is not on any of the task's stacks", st.sp);
            return;
        }
        if (!is_code(st.ip)) {
            bt_.note = fmt::format("the pc {:x} is not kernel code", st.ip);
            return;
        }
        push(st, first_slot, true, stack);
        std::vector<std::string> left;  // stacks already left: never return to one
        while (true) {
            if (bt_.frames.size() >= kMaxFrames) {
                bt_.note = fmt::format("stopped after {} frames", kMaxFrames);
                return;
            }
            const std::uint64_t prev_sp = st.sp;
            bool reliable = true;
            const std::uint64_t lookup = st.signal ? st.ip : st.ip - 1;
            auto e = find_orc(s_, d_, lookup);
            if (e && e->type == orc::Type::EndOfStack) return;
            std::uint64_t slot = 0;
            std::optional<SavedRegs> found;
            if (!e || e->type == orc::Type::Undefined || e->sp_reg == orc::RegUndefined) {
                // No ORC for this code (objtool skipped it, or it is generated): the vmlinux's
                // DWARF CFI, else the kernel's frame-pointer guess (then no longer certain).
                std::optional<cfi::Row> row;
                if (d_.cfi && lookup >= d_.text_start && lookup < d_.text_end) row = d_.cfi->find(lookup);
                if (row) {
                    if (!step_cfi(st, *row, slot)) return;
                    if (!check_and_push(st, prev_sp, slot, true, stack, left)) return;
                    continue;
                }
                if (e) {
                    bt_.note = fmt::format("no unwind information for {:x}", st.ip);
                    return;
                }
                e = orc::frame_pointer_entry();
                reliable = false;
            }
            std::uint64_t sp = 0;
            bool indirect = false;
            switch (e->sp_reg) {
            case orc::RegSp: sp = st.sp + e->sp_offset; break;
            case orc::RegBp: sp = st.bp + e->sp_offset; break;
            case orc::RegSpIndirect: sp = st.sp; indirect = true; break;
            case orc::RegBpIndirect: sp = st.bp + e->sp_offset; indirect = true; break;
            case orc::RegR10: case orc::RegR13: case orc::RegDi: case orc::RegDx: {
                const std::size_t idx = e->sp_reg == orc::RegR10 ? kRegR10
                                      : e->sp_reg == orc::RegR13 ? kRegR13
                                      : e->sp_reg == orc::RegDi  ? kRegDi : kRegDx;
                auto v = get_reg(st, idx);
                if (!v) {
                    bt_.note = fmt::format("the register the stack is based on at {:x} was not saved", st.ip);
                    return;
                }
                sp = *v;
                break;
            }
            default:
                bt_.note = fmt::format("unknown ORC base register {} at {:x}", e->sp_reg, st.ip);
                return;
            }
            if (indirect) {
                auto v = read(sp);
                if (!v) return;
                sp = *v;
                if (e->sp_reg == orc::RegSpIndirect) sp += e->sp_offset;
            }

            switch (e->type) {
            case orc::Type::Call: {
                auto ip = read(sp - 8);
                if (!ip) return;
                slot = sp - 8;
                st.ip = *ip;
                st.sp = sp;
                st.regs.reset();
                st.prev_regs.reset();
                st.signal = false;
                break;
            }
            case orc::Type::Regs: {
                SavedRegs r{.address = sp, .regs = {}};
                if (auto rr = s_.target().read(AddressSpace::KernelVirtual, sp,
                                               std::as_writable_bytes(std::span{&r.regs, 1}));
                    !rr) {
                    bt_.note = fmt::format("cannot read the registers saved at {:x}", sp);
                    return;
                }
                st.ip = r.regs.rip;
                st.sp = r.regs.rsp;
                st.regs = r;
                st.prev_regs.reset();
                st.signal = true;
                found = r;
                slot = st.sp;
                break;
            }
            case orc::Type::RegsPartial: {
                SavedRegs r{.address = sp - kIretFrameOffset, .regs = {}, .partial = true};
                std::uint64_t iret[5];
                if (auto rr = s_.target().read(AddressSpace::KernelVirtual, sp,
                                               std::as_writable_bytes(std::span{iret}));
                    !rr) {
                    bt_.note = fmt::format("cannot read the interrupt frame at {:x}", sp);
                    return;
                }
                r.regs.rip = iret[0], r.regs.cs = iret[1], r.regs.rflags = iret[2];
                r.regs.rsp = iret[3], r.regs.ss = iret[4];
                st.ip = r.regs.rip;
                st.sp = r.regs.rsp;
                if (st.regs && !st.regs->partial) st.prev_regs = st.regs;
                st.regs = r;
                st.signal = true;
                found = r;
                slot = st.sp;
                break;
            }
            default:
                bt_.note = fmt::format("unknown ORC entry type at {:x}", st.ip);
                return;
            }

            switch (e->bp_reg) {
            case orc::RegUndefined:
                if (auto v = get_reg(st, kRegBp)) st.bp = *v;
                break;
            case orc::RegPrevSp: {
                auto v = read(sp + e->bp_offset);
                if (!v) return;
                st.bp = *v;
                break;
            }
            case orc::RegBp: {
                auto v = read(st.bp + e->bp_offset);
                if (!v) return;
                st.bp = *v;
                break;
            }
            default:
                bt_.note = fmt::format("unknown ORC frame-pointer rule {} at {:x}", e->bp_reg, st.ip);
                return;
            }
            if (!reliable) bt_.frames.back().reliable = false;

            if (found) {
                bt_.frames.back().regs = found;
                if (found->user_mode()) {
                    bt_.user_regs = found;
                    return;
                }
            }
            if (!check_and_push(st, prev_sp, slot, reliable, stack, left)) return;
        }
    }

private:
    bool is_code(std::uint64_t ip) const { return is_kernel_code(d_, ip); }

    // The kernel's rules: the new sp on a known stack, higher than before on the same stack,
    // never on a stack the trace already left.
    bool check_and_push(const State& st, std::uint64_t prev_sp, std::uint64_t slot, bool reliable,
                        const StackRange*& stack, std::vector<std::string>& left) {
        const StackRange* next = stack_of(stacks_, st.sp);
        if (!next) {
            bt_.note = fmt::format("the stack pointer {:x} is not on any of the task's stacks", st.sp);
            return false;
        }
        if (next->name == stack->name) {
            if (st.sp <= prev_sp) {
                bt_.note = fmt::format("the stack goes the wrong way at {:x}", st.sp);
                return false;
            }
        } else {
            if (std::find(left.begin(), left.end(), next->name) != left.end()) {
                bt_.note = fmt::format("the stack returns to the {} stack it left", next->name);
                return false;
            }
            left.push_back(stack->name);
            stack = next;
        }
        if (!is_code(st.ip)) {
            bt_.note = fmt::format("the return address {:x} is not kernel code", st.ip);
            return false;
        }
        push(st, slot, reliable, stack);
        return true;
    }

    // A register's value in this frame by DWARF number: sp and bp are tracked, the others only
    // known from saved registers.
    std::optional<std::uint64_t> dwarf_reg(const State& st, unsigned reg) {
        static constexpr std::size_t kIndex[16] = {
            offsetof(X86Registers, rax) / 8, offsetof(X86Registers, rdx) / 8,
            offsetof(X86Registers, rcx) / 8, offsetof(X86Registers, rbx) / 8,
            offsetof(X86Registers, rsi) / 8, offsetof(X86Registers, rdi) / 8,
            offsetof(X86Registers, rbp) / 8, offsetof(X86Registers, rsp) / 8,
            offsetof(X86Registers, r8) / 8,  offsetof(X86Registers, r9) / 8,
            offsetof(X86Registers, r10) / 8, offsetof(X86Registers, r11) / 8,
            offsetof(X86Registers, r12) / 8, offsetof(X86Registers, r13) / 8,
            offsetof(X86Registers, r14) / 8, offsetof(X86Registers, r15) / 8};
        if (reg == cfi::kRsp) return st.sp;
        if (reg == cfi::kRbp) return st.bp;
        if (reg < 16) return get_reg(st, kIndex[reg]);
        return std::nullopt;
    }

    // One call frame by CFI: the CFA, the return address and rbp saved relative to it.
    bool step_cfi(State& st, const cfi::Row& row, std::uint64_t& slot) {
        auto base = dwarf_reg(st, row.cfa_reg);
        const auto& ra = row.regs[cfi::kRa];
        if (!base || ra.kind != cfi::Rule::Offset) {
            bt_.note = fmt::format("the DWARF CFI at {:x} is not followed", st.ip);
            return false;
        }
        std::uint64_t cfa = *base + row.cfa_offset;
        if (row.deref_cfa) {
            auto v = read(cfa);
            if (!v) return false;
            cfa = *v;
        }
        auto ip = read(cfa + ra.value);
        if (!ip) return false;
        slot = cfa + ra.value;
        const auto& bp = row.regs[cfi::kRbp];
        std::uint64_t new_bp = st.bp;
        if (bp.kind == cfi::Rule::Offset) {
            auto v = read(cfa + bp.value);
            if (!v) return false;
            new_bp = *v;
        } else if (bp.kind == cfi::Rule::ValOffset) {
            new_bp = cfa + bp.value;
        } else if (bp.kind == cfi::Rule::Register) {
            new_bp = dwarf_reg(st, static_cast<unsigned>(bp.value)).value_or(st.bp);
        }
        st.ip = *ip;
        st.sp = cfa;
        st.bp = new_bp;
        st.regs.reset();
        st.prev_regs.reset();
        st.signal = false;
        return true;
    }

    std::optional<std::uint64_t> read(std::uint64_t addr) {
        auto v = read_word(s_, addr);
        if (!v) {
            bt_.note = fmt::format("cannot read the stack at {:x}", addr);
            return std::nullopt;
        }
        return *v;
    }

    void push(const State& st, std::uint64_t slot, bool reliable, const StackRange* stack) {
        StackFrame f;
        f.pc = st.ip;
        f.sp = st.sp;
        f.slot = slot;
        f.interrupted = st.signal;
        f.reliable = reliable;
        f.stack = stack ? stack->name : "";
        // A return address may be just past a call to a noreturn function: name the call's.
        const std::uint64_t at = st.signal ? st.ip : st.ip - 1;
        if (auto sym = symbolize_code(s_, at)) {
            f.function = sym->name;
            f.offset = st.ip - (at - sym->offset);
            f.module = sym->module;
        }
        bt_.frames.push_back(std::move(f));
    }

    Session& s_;
    const UnwindData& d_;
    std::vector<StackRange> stacks_;
    Backtrace& bt_;
};

// The frames a CPU ran after its registers were saved, found on its stacks. kdump saves an
// oops's registers as the fault left them (oops_end calls crash_kexec(regs)), and each other
// CPU's as the crash NMI interrupted it, so what ran from that exception to where the CPU
// stopped (oops_end ... machine_kexec, or exc_nmi ... crash_nmi_callback) is on a stack below
// them, as crash shows it. Found as the stack holds it: the struct pt_regs whose registers equal
// the saved ones, then one callee at a time whose ORC rule puts its return address exactly
// where the frame above was read from; a frame of the function a CPU stops in for the crash
// ends the search (below it lie only the stale frames of calls that returned). A panic saves
// its registers in __crash_kexec itself, which then calls machine_kexec at the same stack
// depth: its return address just below the saved sp leads to that frame the same way.
bool same_registers(const X86Registers& a, const X86Registers& b) {
    X86Registers x = a, y = b;
    x.cs &= 0xffff, y.cs &= 0xffff, x.ss &= 0xffff, y.ss &= 0xffff;  // the slots' upper bits
    return std::memcmp(&x, &y, sizeof x) == 0;
}

std::vector<StackFrame> crash_path(Session& s, const UnwindData& d, const std::vector<StackRange>& stacks,
                                   const X86Registers& regs) {
    constexpr std::size_t kWord = 8, kRegsWords = sizeof(X86Registers) / kWord;
    constexpr std::size_t kMaxPath = 64;
    static constexpr const char* kStops[] = {"machine_kexec", "crash_nmi_callback"};
    for (const StackRange& st : stacks) {
        const std::uint64_t hi = st.contains(regs.rsp) ? (regs.rsp & ~7ULL) : st.end;
        if (hi <= st.start || hi - st.start < sizeof(X86Registers) || hi - st.start > (1u << 20)) continue;
        // The stack below `hi`, a page at a time: a page the dump lacks reads as zeros, which
        // match no registers and no return address.
        std::vector<std::uint64_t> w((hi - st.start) / kWord);
        for (std::uint64_t at = st.start; at < hi;) {
            const std::uint64_t next = std::min(hi, (at | 0xfff) + 1);
            auto bytes = std::as_writable_bytes(std::span{w}).subspan(at - st.start, next - at);
            if (!s.target().read(AddressSpace::KernelVirtual, at, bytes)) std::fill(bytes.begin(), bytes.end(), std::byte{0});
            at = next;
        }
        // The pt_regs nearest below `hi` (a full copy deeper down is crash_kexec's own).
        std::optional<std::size_t> regs_at;
        for (std::size_t i = w.size() - kRegsWords + 1; i-- > 0;) {
            X86Registers r;
            std::memcpy(static_cast<void*>(&r), &w[i], sizeof r);
            if (same_registers(r, regs)) {
                regs_at = i;
                break;
            }
        }
        std::uint64_t above = 0;  // where the frame above was read from
        std::size_t from = 0;     // words below this index are searched
        bool from_regs = false, stopped = false;
        if (regs_at) {
            above = st.start + *regs_at * kWord;
            from = *regs_at;
            from_regs = true;
        } else if (st.contains(regs.rsp) && hi - st.start >= kWord) {
            // The saved pc's function called on after the registers were taken.
            const std::uint64_t ra = w.back();
            auto caller = symbolize_code(s, regs.rip);
            auto call = is_kernel_code(d, ra) ? symbolize_code(s, ra - 1) : std::nullopt;
            if (!caller || !call || caller->name != call->name || caller->name.empty()) continue;
            above = hi - kWord;
            from = w.size() - 1;
        } else {
            continue;
        }
        const std::uint64_t regs_addr = above;
        std::vector<StackFrame> path;  // outermost (the entry code's) first
        for (std::size_t i = from; path.size() < kMaxPath && i-- > 0;) {
            const std::uint64_t slot = st.start + i * kWord, ip = w[i];
            if (!is_kernel_code(d, ip)) continue;
            auto e = find_orc(s, d, ip - 1);
            if (!e || e->sp_reg != orc::RegSp) continue;
            const std::uint64_t cfa = slot + kWord + e->sp_offset;
            const bool links = path.empty() && from_regs ? e->type == orc::Type::Regs && cfa == above
                                                         : e->type == orc::Type::Call && cfa - kWord == above;
            if (!links) continue;
            StackFrame f;
            f.pc = ip;
            f.sp = slot + kWord;
            f.slot = slot;
            f.stack = st.name;
            f.after_saved_registers = true;
            if (auto sym = symbolize_code(s, ip - 1)) {
                f.function = sym->name;
                f.offset = sym->offset + 1;
                f.module = sym->module;
            }
            if (path.empty() && from_regs) f.regs = SavedRegs{.address = regs_addr, .regs = regs};
            stopped = std::find(std::begin(kStops), std::end(kStops), f.function) != std::end(kStops);
            path.push_back(std::move(f));
            above = slot;
            if (stopped) break;
        }
        // Without saved registers to start from, only a path to where the CPU stopped is sure.
        if (path.empty() || (!from_regs && !stopped)) continue;
        std::reverse(path.begin(), path.end());
        return path;
    }
    return {};
}

Result<SavedCpuRegisters> registers_of(Session& session, const Task& task) {
    Target& t = session.target();
    auto r = t.cpu_registers(static_cast<unsigned>(task.cpu));
    if (r && (!r->pid || task.pid == 0 || *r->pid == task.pid)) return r;
    // Notes are in CPU order, but a CPU without a note shifts the rest: find the task's by pid.
    if (task.pid != 0) {
        for (unsigned c = 0; c < std::max(session.num_cpus(), 1u) + 1; ++c) {
            auto o = t.cpu_registers(c);
            if (o && o->pid && *o->pid == task.pid) return o;
        }
    }
    if (!r) return r.failure();
    return fail(fmt::format("the dump's registers for CPU {} belong to pid {}", task.cpu, *r->pid),
                fmt::format("pid {}", task.pid));
}

}  // namespace

std::optional<CodeSymbol> symbolize_code(Session& session, std::uint64_t addr) {
    return symbolize(session, addr, SymbolRule::Code);
}

Result<std::vector<StackRange>> task_stacks(Session& session, const Task& task) {
    auto d = unwind_data(session);
    if (!d) return d.failure();
    auto di = session.debuginfo();
    if (!di) return di.failure();
    std::vector<StackRange> out;
    if (task.stack) out.push_back({"task", task.stack, task.stack + (*d)->thread_size});
    if (!task.active) return out;  // a switched-out task is on its own stack
    const unsigned cpu = static_cast<unsigned>(task.cpu);
    // The IRQ stack: hardirq_stack_ptr is its top minus 8 (IRQ_STACK_SIZE == THREAD_SIZE).
    std::optional<std::uint64_t> irq_ptr;
    const auto word = [](const Object& o) { return o.to_u64(); };
    if (auto p = per_cpu(session, "hardirq_stack_ptr", cpu)) {
        if (auto v = p->to_u64()) irq_ptr = *v;
    } else if (auto v = per_cpu(session, "pcpu_hot.hardirq_stack_ptr", cpu).and_then(word)) {
        irq_ptr = *v;
    }
    if (irq_ptr && *irq_ptr) {
        const std::uint64_t top = *irq_ptr + 8;
        out.push_back({"IRQ", top - (*d)->thread_size, top});
    }
    // The exception (IST) stacks in the CPU entry area: struct cea_exception_stacks' *_stack.
    if (auto p = per_cpu(session, "cea_exception_stacks", cpu)) {
        auto base = p->to_u64();
        auto t = (*di)->find_type("struct cea_exception_stacks");
        if (base && *base && t) {
            for (const Member& m : strip_typedefs(*t)->members) {
                if (!m.name.ends_with("_stack")) continue;
                const std::string kind = m.name.substr(0, m.name.size() - 6);
                out.push_back({kind + " exception", *base + m.byte_offset(),
                               *base + m.byte_offset() + type_size(m.type.get())});
            }
        }
    }
    return out;
}

Result<Backtrace> unwind_from_registers(Session& session, const Task& task, const X86Registers& regs) {
    auto d = unwind_data(session);
    if (!d) return d.failure();
    Backtrace bt;
    bt.task = task.address;
    bt.cpu = task.cpu;
    SavedRegs start{.address = 0, .regs = regs};
    if (start.user_mode()) {
        bt.user_regs = start;  // the CPU was in user space: no kernel frames
        return bt;
    }
    auto stacks = task_stacks(session, task);
    if (!stacks) return stacks.failure();
    // The task_struct's stack pointer is not in the dump: the stack the CPU was on is the
    // task's if it is none of the CPU's own (task stacks are THREAD_SIZE-aligned).
    if (!task.stack && (task.unreadable & Task::kStack) && !stack_of(*stacks, regs.rsp)) {
        const std::uint64_t base = regs.rsp & ~((*d)->thread_size - 1);
        stacks->insert(stacks->begin(), StackRange{"task", base, base + (*d)->thread_size});
    }
    State st{.ip = regs.rip, .sp = regs.rsp, .bp = regs.rbp, .signal = true, .regs = start, .prev_regs = {}};
    Unwinder(session, **d, std::move(*stacks), bt).run(st, regs.rsp);
    return bt;
}

Result<Backtrace> unwind_task(Session& session, const Task& task) {
    auto d = unwind_data(session);
    if (!d) return d.failure();
    const std::string who = fmt::format("pid {}", task.pid);
    if (task.active) {
        auto r = registers_of(session, task);
        if (!r) return r.failure();
        // A CPU that did not answer the crash NMI leaves its note empty; its task's thread.sp
        // is from an older switch, so it would give stale frames: refuse instead.
        if (r->regs.rip == 0 && r->regs.rsp == 0)
            return fail(fmt::format("the dump saved no registers for CPU {} (it did not stop for "
                                    "the crash)", task.cpu), who);
        auto bt = unwind_from_registers(session, task, r->regs);
        if (!bt) return bt;
        // What the CPU ran after the saved registers, above them (bt prints it first, as crash).
        if (auto stacks = task_stacks(session, task)) {
            auto path = crash_path(session, **d, *stacks, r->regs);
            if (!path.empty()) {
                if (bt->frames.empty() && bt->user_regs) path.back().regs = bt->user_regs;
                bt->frames.insert(bt->frames.begin(), std::make_move_iterator(path.begin()),
                                  std::make_move_iterator(path.end()));
            }
        }
        return bt;
    }
    if (!task.stack) return fail("the task has no kernel stack (it has exited)", who);
    if (task.ksp < task.stack || task.ksp + (*d)->frame_size > task.stack + (*d)->thread_size)
        return fail(fmt::format("the saved stack pointer {:x} is not on the task's stack {:x}",
                                task.ksp, task.stack), who);
    std::vector<std::byte> frame((*d)->frame_size);
    if (auto r = session.target().read(AddressSpace::KernelVirtual, task.ksp, frame); !r)
        return r.failure();
    State st;
    st.sp = task.ksp + (*d)->frame_size;
    st.bp = load_field(frame, (*d)->frame_bp);
    st.ip = load_field(frame, (*d)->frame_ret);
    // A task that never ran returns into ret_from_fork: not after a call.
    st.signal = st.ip == (*d)->ret_from_fork;
    auto stacks = task_stacks(session, task);
    if (!stacks) return stacks.failure();
    Backtrace bt;
    bt.task = task.address;
    bt.cpu = task.cpu;
    // crash shows a switched-out task's first frame at thread.sp.
    Unwinder(session, **d, std::move(*stacks), bt).run(st, task.ksp);
    return bt;
}

}  // namespace kdive
