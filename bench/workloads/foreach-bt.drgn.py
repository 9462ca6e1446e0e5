# SPDX-License-Identifier: GPL-3.0-or-later
# Every task's stack, one line per frame, as foreach bt prints them.
from drgn.helpers.linux.pid import for_each_task

for t in for_each_task(prog):
    print(f"PID: {t.pid.value_():<8} TASK: {t.value_():x}  COMMAND: \"{t.comm.string_().decode()}\"")
    try:
        trace = prog.stack_trace(t)
    except Exception as e:  # a task without a usable stack
        print(f"  ({e})")
        continue
    for i, f in enumerate(trace):
        name = f.name or "?"
        print(f"{'#' + str(i):>3} [{f.sp:016x}] {name} at {f.pc:016x}")
    print()
