#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# drgn's kernel stack trace of every task of a dump, for test_bt.cpp to compare kdive's bt with:
# one line per task, "PID<TAB>NAME@PC NAME@PC ...", innermost frame first (PC in hex).
#
# Only real (non-inline) frames in kernel text: drgn adds a frame for each inlined call, bt shows
# the function the code is in (as crash does); frames at user addresses (drgn unwinds on into
# user space through the entry pt_regs) are where bt prints the user registers instead. A frame
# is named by drgn's DWARF name, else by its ELF symbol in <> (assembly entry code has no DWARF;
# drgn picks the sized symbol around a label, bt the label: compare those by PC only).
#
# With --inline drgn's inline frames are listed too, each as NAME@PC:inline before the frame of
# the function it is inlined into (for bt -I). With --crashed only the crashed thread's line,
# keyed by its task_struct address in hex instead of its pid (an idle task's pid, 0, names one
# task per CPU; for_each_task does not list idle tasks at all).
#
# usage: drgn_stacks.py [--inline] [--crashed] VMCORE VMLINUX
import sys

import drgn
from drgn.helpers.linux.pid import for_each_task


def frame_name(prog, frame):
    # The DWARF name: Frame.function_name since drgn 0.0.24 (Frame.name falls back to the ELF
    # symbol there), Frame.name before.
    name = frame.function_name if hasattr(frame, "function_name") else frame.name
    if name:
        return name
    try:
        # A return address may lie just past the call: name the call's function.
        pc = frame.pc if frame.interrupted else frame.pc - 1
        return "<" + prog.symbol(pc).name + ">"
    except LookupError:
        return "<?>"


def main():
    args = sys.argv[1:]
    inline = "--inline" in args
    crashed = "--crashed" in args
    args = [a for a in args if a not in ("--inline", "--crashed")]
    prog = drgn.Program()
    prog.set_core_dump(args[0])
    prog.load_debug_info([args[1]])

    def line(key, task):
        try:
            trace = prog.stack_trace(task)
        except Exception as e:  # noqa: BLE001 - report any failure as a line of its own
            return f"{key}\tERROR {e}"
        names = [f"{frame_name(prog, f)}@{f.pc:x}" + (":inline" if f.is_inline else "")
                 for f in trace
                 if (inline or not f.is_inline) and f.pc >= 0xffff800000000000]
        return f"{key}\t" + " ".join(names)

    if crashed:
        task = prog.crashed_thread().object
        print(line(f"{task.value_():x}", task))
        return
    for task in for_each_task(prog):
        print(line(task.pid.value_(), task))


if __name__ == "__main__":
    main()
