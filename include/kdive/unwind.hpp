// SPDX-License-Identifier: GPL-3.0-or-later
// Kernel stack unwinding (x86-64): the frames of a task's kernel stack, exact like drgn's (ORC
// from the vmlinux and from each module's tables in the dump; frame pointers only where no ORC
// covers the code), as data that `bt`, `foreach bt` and JSON output format (the shell's
// kdive/backtrace_format.hpp prints them: this layer does not know the Output).
//
// Where an unwind starts: a task a CPU was running starts from the registers the dump saved for
// that CPU (NT_PRSTATUS: for the panicking CPU where crash_setup_regs() took them, for the others
// the context the crash NMI interrupted); a sleeping task from its switch frame (thread.sp points
// at struct inactive_task_frame, as __switch_to_asm left it). Above an active task's frames come
// those the CPU ran after its registers were saved (machine_kexec; the NMI handler down to
// crash_nmi_callback; an oops's handler), found on its stacks as crash shows them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/session.hpp"
#include "kdive/target.hpp"
#include "kdive/tasks.hpp"

namespace kdive {

// Registers the kernel's entry code saved at an exception, interrupt or system call.
struct SavedRegs {
    std::uint64_t address = 0;  // the struct pt_regs on the stack (0: from the dump's notes)
    X86Registers regs;
    bool partial = false;       // only the hardware's iret frame (ip, cs, flags, sp, ss) is valid
    bool user_mode() const { return (regs.cs & 3) != 0; }
};

// An inlined call a code address is in: the function inlined and where it was called (in the
// next outer level: the enclosing inlined call or the real frame's function).
struct InlinedCall {
    std::string function;
    std::string call_file;  // "" if unknown
    unsigned call_line = 0;
};

struct StackFrame {
    std::uint64_t pc = 0;
    std::uint64_t sp = 0;    // the stack pointer in this frame (at pc)
    // crash's bracketed address: where the return address into this frame was read; for a frame
    // whose pc came from registers, its sp; for a switched-out task's first frame, thread.sp.
    std::uint64_t slot = 0;
    std::string function;    // the symbol containing pc ("" if none)
    std::uint64_t offset = 0;  // pc - the symbol's address
    std::string module;      // the module holding pc; "" for the vmlinux
    bool interrupted = false;  // pc is where the code was stopped, not a return address
    bool reliable = true;      // false: found by the frame-pointer guess (no ORC for the code)
    // Found on the stack below the registers the dump saved for the CPU: what it ran after the
    // exception (or the panic) those registers are from, up to where it stopped for the crash.
    bool after_saved_registers = false;
    std::string stack;         // the stack sp is on: "task", "IRQ", "NMI exception", ...
    // The entry code's saved registers found when unwinding out of this frame (crash prints
    // them after the frame): the interrupted context continues below, or user space.
    std::optional<SavedRegs> regs;
    // The inlined calls pc is in, innermost first: drgn's inline frames before this one. Only
    // filled by find_inlined_calls() (bt -I, -l, JSON), vmlinux code only.
    std::vector<InlinedCall> inlined;
};

struct Backtrace {
    std::uint64_t task = 0;
    int cpu = 0;
    std::vector<StackFrame> frames;
    // The user-space registers the kernel was entered with, when the unwind reached them (also
    // when the CPU was in user mode at the dump: then there are no kernel frames).
    std::optional<SavedRegs> user_regs;
    // Why the unwind stopped early (unreadable or corrupt stack, no unwind data, too deep);
    // empty when it reached the bottom of the stack or user space.
    std::string note;
};

// At most this many frames: a corrupt stack cannot loop.
inline constexpr std::size_t kMaxFrames = 512;

// The kernel stack of `task`. Fails only when there is nowhere to start (no saved registers for
// an active task, unreadable switch frame); a stack that goes bad midway gives the frames found
// and a note.
Result<Backtrace> unwind_task(Session& session, const Task& task);
// An unwind from given registers (interrupted context: pc is not a return address).
Result<Backtrace> unwind_from_registers(Session& session, const Task& task, const X86Registers& regs);

// What an address is in the kernel: "function" and offset, with the module for module text.
// The vmlinux or module symbol containing `addr` (module symbols from the dump's kallsyms).
std::optional<CodeSymbol> symbolize_code(Session& session, std::uint64_t addr);

// The source file and line of a vmlinux code address (bt -l), from the DWARF line tables;
// nullopt for module code or addresses no line table covers.
struct SourceLine {
    std::string file;
    unsigned line = 0;
};
std::optional<SourceLine> source_line(Session& session, std::uint64_t addr);

// The inlined calls containing a vmlinux code address, innermost first, from the DWARF scope
// tree of its unit (DW_TAG_inlined_subroutine); empty for module code or code not inlined.
std::vector<InlinedCall> inlined_calls(Session& session, std::uint64_t addr);
// Fills each frame's `inlined` (for a return address, of the call before it).
void find_inlined_calls(Session& session, Backtrace& bt);

// The stacks a task's CPU can be on, for bt -r and the stack-switch markers.
struct StackRange {
    std::string name;  // "task", "IRQ", "NMI exception", "DF exception", ...
    std::uint64_t start = 0, end = 0;
    bool contains(std::uint64_t a) const { return a >= start && a < end; }
};
Result<std::vector<StackRange>> task_stacks(Session& session, const Task& task);

}  // namespace kdive
