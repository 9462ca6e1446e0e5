#!/usr/bin/env python3
# Compare kdive's answers about the guest's /proc/kcore with the guest's own /proc.
#   compare.py OUTDIR [SYSTEM_MAP]   (files written by run-live.sh; exit 1 on any mismatch)
import re
import sys
from pathlib import Path

out = Path(sys.argv[1])
system_map = Path(sys.argv[2]) if len(sys.argv) > 2 else None
def truth(name):
    return (out / name).read_text().strip()

kdive = truth("kdive")
failures = []
def check(what, ok, detail):
    print(f"[live] {'ok  ' if ok else 'FAIL'} {what}: {detail}")
    if not ok:
        failures.append(what)

# p: "$N = value" in the order of commands.kdive (release, nodename, jiffies).
values = re.findall(r"\$\d+ = (.*)", kdive)
def sys_field(label):
    m = re.search(rf"^ *{label}: (.*)$", kdive, re.M)
    return m.group(1).strip() if m else None

def c_string(printed):
    """A char array as crash prints it ("6.1.0\\000\\000...", with a comma inside a struct):
    the text before its NULs."""
    return re.sub(r'(\\000)*(",?)$', r'"', printed.strip().rstrip(","))

values = [c_string(v) for v in values]
uname, hostname = truth("uname"), truth("hostname")
check("p init_uts_ns.name.release", len(values) > 0 and values[0] == f'"{uname}"',
      f"kdive {values[0] if values else None}, uname -r {uname}")
check("p init_uts_ns.name.nodename", len(values) > 1 and values[1] == f'"{hostname}"',
      f"kdive {values[1] if len(values) > 1 else None}, hostname {hostname}")
check("sys RELEASE", sys_field("RELEASE") == uname, f"kdive {sys_field('RELEASE')}, uname -r {uname}")
check("sys NODENAME", sys_field("NODENAME") == hostname,
      f"kdive {sys_field('NODENAME')}, hostname {hostname}")
check("sys CPUS", sys_field("CPUS") == truth("cpus"), f"kdive {sys_field('CPUS')}, /proc/cpuinfo {truth('cpus')}")
dumpfile = sys_field("DUMPFILE") or ""
check("sys DUMPFILE", dumpfile.startswith("/proc/kcore"), dumpfile)

kallsyms = int(truth("kallsyms_jiffies"), 16)
m = re.search(r"^([0-9a-f]+) \(\w\) jiffies$", kdive, re.M)
check("sym jiffies", bool(m) and int(m.group(1), 16) == kallsyms,
      f"kdive {m.group(1) if m else None}, /proc/kallsyms {kallsyms:x}")

# The slide: /proc/kallsyms's jiffies minus System.map's (the vmlinux's link-time address).
kaslr = sys_field("KASLR OFFSET") or ""
if system_map:
    link = next(int(l.split()[0], 16) for l in system_map.read_text().splitlines()
                if l.endswith(" jiffies"))
    got = re.match(r"0x([0-9a-f]+)", kaslr)
    check("sys KASLR OFFSET", bool(got) and int(got.group(1), 16) == kallsyms - link,
          f"kdive {kaslr}, /proc/kallsyms - System.map {kallsyms - link:#x}")

# jiffies: between /proc/timer_list's before and after kdive ran (non-zero if there is none).
j = int(values[2]) if len(values) > 2 and values[2].isdigit() else None
before, after = truth("jiffies_before"), truth("jiffies_after")
if before and after:
    check("p jiffies", j is not None and int(before) <= j <= int(after),
          f"kdive {j}, /proc/timer_list {before} .. {after}")
else:
    check("p jiffies", bool(j), f"kdive {j} (no /proc/timer_list: non-zero only)")

# rd -a linux_banner: the text after "ADDR:  " joined, against /proc/version.
banner = "".join(re.findall(r"^[0-9a-f]{16}:  (.*)$", kdive, re.M))
version = truth("version")
check("rd -a linux_banner", banner == version, f"kdive {banner!r}, /proc/version {version!r}")

m = re.search(r'^\s+release = ("[^\n]*)$', kdive, re.M)
m_release = c_string(m.group(1))[1:-1] if m else None
check("struct new_utsname.release", m_release == uname,
      f"kdive {m_release}, uname -r {uname}")

# rd of an address no segment covers: one error line naming it, and the batch fails.
err = [l for l in kdive.splitlines() if re.search(r"\b0x1000\b", l)]
check("rd 0x1000 (unmapped)", len(err) == 1 and "kcore" in err[0] and truth("kdive_rc") == "1",
      f"{err}, exit status {truth('kdive_rc')}")

print(f"[live] kdive ran {truth('kdive_seconds')} s in the guest")
if failures:
    print(f"[live] {len(failures)} mismatch(es): {', '.join(failures)}; kdive said:\n{kdive}")
    sys.exit(1)
