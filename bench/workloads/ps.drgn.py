# SPDX-License-Identifier: GPL-3.0-or-later
# Every task with crash's ps columns: pid, ppid, cpu, task, state, vsz, rss, comm.
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.sched import task_cpu, task_state_to_char

print("      PID    PPID  CPU       TASK        ST      VSZ      RSS  COMM")
for t in for_each_task(prog):
    mm = t.mm
    vsz = rss = 0
    if mm:
        vsz = mm.total_vm.value_() * 4
        rss = sum(mm.rss_stat.count[i].counter.value_() for i in (0, 1, 3)) * 4
    print(f"{t.pid.value_():>9}{t.real_parent.tgid.value_():>8}{task_cpu(t):>4}  {t.value_():016x}  "
          f"{task_state_to_char(t)}  {vsz:>8} {rss:>8}  {t.comm.string_().decode()}")
