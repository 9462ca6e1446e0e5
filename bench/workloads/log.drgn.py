# SPDX-License-Identifier: GPL-3.0-or-later
# The kernel log, as dmesg prints it.
from drgn.helpers.linux.printk import get_printk_records

for r in get_printk_records(prog):
    text = r.text.decode(errors="replace")
    print(f"[{r.timestamp // 1000000000:5}.{r.timestamp % 1000000000 // 1000:06}] {text}")
