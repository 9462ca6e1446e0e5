# SPDX-License-Identifier: GPL-3.0-or-later
# The BPF programs and maps, as crash's bpf lists them (drgn has helpers, no command).
from drgn.helpers.linux.bpf import bpf_map_for_each, bpf_prog_for_each

print(" ID      BPF_PROG         BPF_PROG_AUX   BPF_PROG_TYPE  TAG  USED_MAPS")
for p in bpf_prog_for_each(prog):
    aux = p.aux
    maps = ",".join(str(aux.used_maps[i].id.value_()) for i in range(aux.used_map_cnt.value_()))
    print(f"{aux.id.value_():>3} {p.value_():016x} {aux.value_():016x} {p.type.format_(type_name=False)} "
          f"{bytes(p.tag).hex()} {maps}")
print(" ID      BPF_MAP          BPF_MAP_TYPE     MAP_FLAGS")
for m in bpf_map_for_each(prog):
    print(f"{m.id.value_():>3} {m.value_():016x} {m.map_type.format_(type_name=False)} {m.map_flags.value_():08x}")
