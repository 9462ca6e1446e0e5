#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare kdive with crash and drgn on one workload and one dump: wall time and peak RSS.

    compare.py WORKLOAD [--runs N] [--dump PATH] [--vmlinux PATH] [--lab DIR]
               [--tools kdive,crash,drgn] [--kdive PATH] [--markdown]

WORKLOAD names bench/workloads/WORKLOAD.{kdive,crash,drgn.py}. See bench/README.md.
"""
import argparse
import datetime
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORKLOADS = BENCH / "workloads"
# kdive-cold: kdive with an empty cache directory every run, so the DWARF index is built anew
# (start to first answer, cold); plain kdive reuses the index cached by the warm-up run.
ALL_TOOLS = ("kdive", "kdive-cold", "crash", "drgn")
SUFFIX = {"kdive": ".kdive", "kdive-cold": ".kdive", "crash": ".crash", "drgn": ".drgn.py"}


def die(msg):
    sys.exit(f"compare.py: {msg}")


def find_lab(arg):
    if arg:
        return Path(arg)
    # Same cache location as tests/lab/common.sh.
    cache = Path(os.environ.get("KDIVE_LAB_CACHE")
                 or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kdive-lab")
    if (cache / "current").exists():
        return (cache / "current").resolve()
    labs = [d for d in (cache / "labs").glob("*") if (d / "kdump-l5/vmcore.zlib").exists()]
    if not labs:
        die(f"no lab under {cache}: run tests/lab/lab.sh, or give --lab, or --dump and --vmlinux")
    return max(labs, key=lambda d: d.stat().st_mtime)


def drgn_python():
    """The interpreter that can import drgn: a pyenv python3 on PATH may not see Debian's."""
    for py in (shutil.which("python3"), "/usr/bin/python3"):
        if py and subprocess.run([py, "-c", "import drgn"], capture_output=True).returncode == 0:
            return py
    return None


def command(tool, exe, script, vmlinux, dump):
    if tool in ("kdive", "kdive-cold"):
        return [exe, "-s", "-i", str(script), str(vmlinux), str(dump)]
    if tool == "crash":
        # --no_crashrc: a user's ~/.crashrc must not change the workload.
        return [exe, "-s", "--no_crashrc", "-i", str(script), str(vmlinux), str(dump)]
    # The drgn CLI, as a user runs it, so loading debug info is timed. --no-default-symbols:
    # read only the given vmlinux, as kdive and crash do, whatever the host has in /usr/lib/debug.
    return [exe, "-m", "drgn", "-q", "--no-default-symbols", "-c", str(dump), "-s", str(vmlinux),
            str(script)]


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
        return next((line.strip() for line in out.splitlines() if line.strip()), "?")
    except (OSError, subprocess.SubprocessError):
        return "?"


def run(cmd, out_path, err_path, cwd, cold=False):
    """One run: (wall seconds, peak RSS KiB, exit code). wait4 gives this child's own rusage."""
    env = None
    cache = None
    if cold:  # a fresh, empty cache directory: nothing kdive cached before is found
        cache = tempfile.mkdtemp(prefix="kdive-cold-cache-")
        env = dict(os.environ, XDG_CACHE_HOME=cache)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: keep Popen from waiting
    if cache:
        shutil.rmtree(cache, ignore_errors=True)
    return wall, ru.ru_maxrss, p.returncode


def tail(path, n=10):
    lines = Path(path).read_text(errors="replace").splitlines()
    return "\n".join(lines[-n:]) or "(empty stderr)"


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"nproc {len(os.sched_getaffinity(0))}, {model}, Linux {platform.release()}"


def fmt_table(header, rows, markdown):
    if markdown:
        lines = ["| " + " | ".join(header) + " |",
                 "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(x) for x in col) for col in zip(header, *rows)]
    return "\n".join("  ".join([r[0].ljust(widths[0])] + [x.rjust(w) for x, w in zip(r[1:], widths[1:])])
                     for r in [header] + rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workload")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lab")
    ap.add_argument("--dump")
    ap.add_argument("--vmlinux")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--kdive", default=str(BENCH.parent / "build" / "kdive"))
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    if a.runs < 1:
        die("--runs must be at least 1")

    lab = None if (a.dump and a.vmlinux) else find_lab(a.lab)
    dump = Path(a.dump or lab / "kdump-l5" / "vmcore.zlib").resolve()
    vmlinux = Path(a.vmlinux or lab / "vmlinux").resolve()
    for p in (dump, vmlinux):
        if not p.exists():
            die(f"{p}: not found")

    kdive = shutil.which(a.kdive)  # made absolute: the tools run in the output directory
    exes = {"kdive": kdive and os.path.abspath(kdive), "kdive-cold": kdive and os.path.abspath(kdive), "crash": shutil.which("crash"),
            "drgn": drgn_python()}
    missing = {"kdive": f"{a.kdive} not found", "crash": "crash not found",
               "drgn": "no python3 that can import drgn"}
    tools, notes, cmds = [], [], {}
    for t in a.tools.split(","):
        if t not in ALL_TOOLS:
            die(f"unknown tool '{t}' (known: {','.join(ALL_TOOLS)})")
        script = WORKLOADS / (a.workload + SUFFIX[t])
        if not script.exists():
            notes.append(f"{t} skipped: no {script.relative_to(BENCH.parent)}")
        elif not exes[t]:
            notes.append(f"{t} skipped: {missing[t]}")
        else:
            tools.append(t)
            cmds[t] = command(t, exes[t], script, vmlinux, dump)
    for n in notes:
        print(f"note: {n}", file=sys.stderr)
    if not tools:
        die("no tool to run")

    versions = {"kdive": [exes["kdive"], "--version"], "kdive-cold": [exes["kdive"], "--version"], "crash": [exes["crash"], "--version"],
                "drgn": [exes["drgn"], "-m", "drgn", "--version"]}
    versions = {t: version(versions[t]) for t in tools}
    outdir = Path(tempfile.mkdtemp(prefix=f"kdive-bench-{a.workload}-"))
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    # One untimed warm-up per tool so every timed run sees the dump and vmlinux in the page cache
    # (dropping caches needs root and is not reliable).
    results = {t: [] for t in tools}
    failures = []
    for t in tools:
        print(f"warm-up {t} ...", file=sys.stderr)
        err = outdir / f"{t}.run.err"
        _, _, rc = run(cmds[t], outdir / f"{t}.run.out", err, outdir, cold=t == "kdive-cold")
        if rc != 0:
            failures.append((t, "warm-up", rc, tail(err)))
    # Interleaved, so drift on the machine (other load, thermal) hits every tool alike.
    for i in range(1, a.runs + 1):
        for t in tools:
            out, err = outdir / f"{t}.run.out", outdir / f"{t}.run.err"
            if i == 1:  # keep the first timed run's output to compare by eye
                out, err = outdir / f"{t}.out", outdir / f"{t}.err"
            wall, rss, rc = run(cmds[t], out, err, outdir, cold=t == "kdive-cold")
            print(f"run {i}/{a.runs} {t}: {wall:.3f} s, {rss / 1024:.1f} MiB, exit {rc}",
                  file=sys.stderr)
            if rc == 0:
                results[t].append((wall, rss / 1024))
            else:
                failures.append((t, f"run {i}", rc, tail(err)))
    for f in outdir.glob("*.run.*"):
        f.unlink()

    med = {t: (statistics.median(w for w, _ in r), statistics.median(m for _, m in r))
           for t, r in results.items() if r}
    header = ["tool", "ok runs", "median s", "min s", "max s", "median RSS MiB",
              "kdive/tool time", "kdive/tool RSS"]
    rows = []
    for t in tools:
        r = results[t]
        if not r:
            rows.append([t, f"0/{a.runs}"] + ["-"] * 6)
            continue
        walls = [w for w, _ in r]
        ratio = (lambda i: f"{med['kdive'][i] / med[t][i]:#.3g}") if "kdive" in med else (lambda i: "-")
        rows.append([t, f"{len(r)}/{a.runs}", f"{med[t][0]:.3f}", f"{min(walls):.3f}",
                     f"{max(walls):.3f}", f"{med[t][1]:.1f}", ratio(0), ratio(1)])

    md = a.markdown
    item = "- " if md else ""
    print(f"### {a.workload} ({date})\n" if md else f"workload {a.workload}, {date}")
    print(f"{item}machine: {machine()}")
    print(f"{item}dump: {dump} ({dump.stat().st_size / 2**20:.0f} MiB), vmlinux: {vmlinux}")
    print(f"{item}tools: " + "; ".join(versions[t] for t in tools))
    print(f"{item}method: {a.runs} timed runs per tool, interleaved, after one untimed warm-up "
          "run per tool (file caches warm, not dropped); wall = time.monotonic() around "
          "spawn..wait4, RSS = wait4 ru_maxrss of the tool's process")
    for n in notes:
        print(f"{item}{n}")
    print()
    print(fmt_table(header, rows, md))
    print()
    print("commands:")
    if md:
        print("```")
    for t in tools:
        print(("" if md else "  ") + shlex.join(cmds[t]))
    if md:
        print("```")
    print(f"\nfirst-run outputs (stdout .out, stderr .err): {outdir}")
    for t, what, rc, err in failures:
        print(f"\nFAILED: {t} {what}, exit {rc}; stderr tail:")
        print(("```\n" + err + "\n```") if md else "    " + err.replace("\n", "\n    "))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
