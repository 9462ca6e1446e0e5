# SPDX-License-Identifier: GPL-3.0-or-later
# A whole task_struct printed, and a struct layout with offsets.
from drgn import offsetof
print(prog["init_task"])
t = prog.type("struct bpf_prog_aux")
for m in t.members:
    print(f"[{m.bit_offset // 8}] {m.type.type_name()} {m.name};")
