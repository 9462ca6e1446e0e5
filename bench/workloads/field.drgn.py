# SPDX-License-Identifier: GPL-3.0-or-later
# Start to first answer: one field of one global, through the debug info.
print(prog["init_uts_ns"].name.release.string_().decode())
