# SPDX-License-Identifier: GPL-3.0-or-later
"""The `sys` workload in drgn: the facts kdive's and crash's `sys` print (uts name, CPUs).

Run by compare.py through the drgn CLI, which has already opened the dump and loaded the
vmlinux debug info into `prog`.
"""
from drgn.helpers.linux.cpumask import for_each_online_cpu

uts = prog["init_uts_ns"].name  # noqa: F821 (prog is provided by the drgn CLI)
print(f"{'CPUS':>12}: {sum(1 for _ in for_each_online_cpu(prog))}")  # noqa: F821
for label in ("nodename", "release", "version", "machine"):
    print(f"{label.upper():>12}: {getattr(uts, label).string_().decode()}")
