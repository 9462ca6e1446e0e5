# SPDX-License-Identifier: GPL-3.0-or-later
# Every task's whole task_struct, as foreach task prints them.
from drgn.helpers.linux.pid import for_each_task

for t in for_each_task(prog):
    print(f"PID: {t.pid.value_():<8} TASK: {t.value_():x}  COMMAND: \"{t.comm.string_().decode()}\"")
    print(t[0])
