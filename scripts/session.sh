#!/usr/bin/env bash
# The main job: install what is needed, build kdive, make (or reuse) the lab's sample dump of
# Debian's kernel, and open an interactive kdive session on it.
#   scripts/session.sh [kdive options]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
LAB=$(tests/lab/lab.sh kdump-l5)
echo "[session] kdive on the lab's kdump of $(cat "$LAB/kernel-version") ($LAB)" >&2
exec build/kdive "$@" "$LAB/vmlinux" "$LAB/kdump-l5/vmcore.zlib"
