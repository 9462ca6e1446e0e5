#!/usr/bin/env bash
# Install what kdive, its tests and its lab need, from Debian's archive (Debian 12 "bookworm").
# Idempotent: installs only what is missing.
set -euo pipefail

PACKAGES=(
    # build
    build-essential cmake pkg-config ccache
    # the libFuzzer targets (scripts/fuzz.sh): clang and its sanitizer and fuzzer runtimes
    clang libclang-rt-dev
    libdwarf-dev libelf-dev libkdumpfile-dev libfmt-dev catch2 libreadline-dev libcapstone-dev zlib1g-dev
    # the lab: boot Debian's kernel under QEMU, crash it, capture dumps
    qemu-system-x86 busybox-static kexec-tools makedumpfile kmod cpio gzip python3 e2fsprogs
    # the lab on other Debian kernels (tests/lab-kernels): their xz modules, unstable's tools
    xz-utils debootstrap
    # the peers we measure against, and independent oracles for tests
    crash python3-drgn dwarves time
)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "[deps] installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
