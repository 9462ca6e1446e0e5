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
# the function it is inlined into (for bt -I).
#
# usage: drgn_stacks.py [--inline] VMCORE VMLINUX
import sys

import drgn
from drgn.helpers.linux.pid import for_each_task


def frame_name(prog, frame):
    if frame.name:
        return frame.name
    try:
        # A return address may lie just past the call: name the call's function.
        pc = frame.pc if frame.interrupted else frame.pc - 1
        return "<" + prog.symbol(pc).name + ">"
    except LookupError:
        return "<?>"


def main():
    args = sys.argv[1:]
    inline = "--inline" in args
    if inline:
        args.remove("--inline")
    prog = drgn.Program()
    prog.set_core_dump(args[0])
    prog.load_debug_info([args[1]])
    for task in for_each_task(prog):
        pid = task.pid.value_()
        try:
            trace = prog.stack_trace(task)
        except Exception as e:  # noqa: BLE001 - report any failure as a line of its own
            print(f"{pid}\tERROR {e}")
            continue
        names = [f"{frame_name(prog, f)}@{f.pc:x}" + (":inline" if f.is_inline else "")
                 for f in trace
                 if (inline or not f.is_inline) and f.pc >= 0xffff800000000000]
        print(f"{pid}\t" + " ".join(names))


if __name__ == "__main__":
    main()
