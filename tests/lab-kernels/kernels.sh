#!/usr/bin/env bash
# The lab on other Debian kernels: the kdump-l5 scenario (sysrq crash, kdump capture, ground
# truth) on Debian 11's 5.10, Debian 13's 6.12 and unstable's newest, plus a copy of each ELF
# dump refiltered on the host by unstable's makedumpfile.
#
#   kernels.sh [--force] [KERNEL...]    KERNEL: bullseye trixie sid (default: all)
#                                       prints one lab directory per kernel on stdout
#
# tests/lab/ is reused as it is, not edited: its files make the main (6.1) lab's cache key, so
# any edit there would rebuild that lab. Each kernel gets a staged copy of tests/lab/ in which
# fetch-kernel.sh hands over the kernel fetch.sh prepared, CAPTURE_MODULES keeps only the
# modules that kernel has and the guest lifts RLIMIT_MEMLOCK for BPF; lab.sh then runs from the
# copy with its own cache root,
#   $KDIVE_LAB_CACHE/kernels/NAME/labs/VER-HASH/  (HASH: of the staged copy, as lab.sh does)
# and its kdump-l5/ holds, besides lab.sh's files:
#   vmcore.elf     the whole /proc/vmcore
#   vmcore.zlib    the guest's makedumpfile 1.7.2 -c -d 31: degraded on 6.12 and 7.x, where
#                  1.7.2 drops pages holding live slab objects
#   vmcore.sid.zlib  makedumpfile (unstable's) -c -d 31 of vmcore.elf, on the host
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$MAIN_LAB_SRC/common.sh"   # CAPTURE_MODULES

force=0
kernels=()
for a in "$@"; do
    case "$a" in
        --force) force=1 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        bullseye|trixie|sid) kernels+=("$a") ;;
        *) die "unknown argument '$a' (kernels: ${ALL_KERNELS[*]})" ;;
    esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=("${ALL_KERNELS[@]}")
forceopt=()
[ $force = 1 ] && forceopt=(--force)

# tests/lab/ copied with this kernel's two differences; the copy's content alone decides
# lab.sh's cache key, so it must not depend on where the cache is.
stage() {  # KDIR OUT
    local kdir=$1 out=$2 ver m keep=()
    ver=$(cat "$kdir/version")
    rm -rf "$out"; mkdir -p "$out"
    cp -r "$MAIN_LAB_SRC/." "$out/"
    find "$out" -name '*.pyc' -delete
    # Older kernels lack some capture modules (5.10 has no virtio_pci_{legacy,modern}_dev).
    for m in "${CAPTURE_MODULES[@]}"; do
        modprobe -d "$kdir/modroot" -S "$ver" --show-depends "$m" >/dev/null 2>&1 && keep+=("$m")
    done
    sed -i "s/^CAPTURE_MODULES=.*/CAPTURE_MODULES=(${keep[*]})/" "$out/common.sh"
    grep -q "^CAPTURE_MODULES=(${keep[*]})\$" "$out/common.sh" || die "cannot set CAPTURE_MODULES"
    # Kernels before 5.11 charge BPF objects to RLIMIT_MEMLOCK (64 KiB here): labload's fourth
    # program then fails with EPERM. Later kernels ignore the limit, so every kernel gets it.
    sed -i 's|^/lab/labload bpf |ulimit -l unlimited; &|' "$out/guest/init.sh"
    grep -q '^ulimit -l unlimited; /lab/labload bpf ' "$out/guest/init.sh" || die "cannot patch init.sh"
    # Under TCG on a loaded machine 5.10's IO-APIC timer check fails ("IO-APIC + timer doesn't
    # work") and the boot panics: skip it, in the guest and in the capture kernel, as VMs do.
    sed -i 's|-append "console=ttyS0 |-append "console=ttyS0 no_timer_check |' "$out/lab.sh"
    grep -q 'no_timer_check' "$out/lab.sh" || die "cannot patch lab.sh"
    sed -i 's|--append="console=ttyS0 |--append="console=ttyS0 no_timer_check |' "$out/guest/init.sh"
    grep -q 'no_timer_check' "$out/guest/init.sh" || die "cannot patch init.sh for the capture kernel"
    # The kernel is fetched before lab.sh runs (KLAB_KDIR). This directory's scripts are not
    # in the copy: editing them does not rebuild the dumps (fetch.sh changes need --force).
    printf '#!/bin/sh\n# Staged by tests/lab-kernels/kernels.sh: the kernel fetch.sh prepared.\necho "$KLAB_KDIR"\n' \
        > "$out/fetch-kernel.sh"
    chmod +x "$out/fetch-kernel.sh"
}

# unstable's makedumpfile (1.7.8 knows 6.12 and 7.x) on the host, from the sid root, with the
# scenario directory bound at /lab. /proc is mounted too: makedumpfile sizes its cyclic buffer
# from /proc/meminfo, and without it crawls through the ELF dump in tiny cycles.
refilter() {  # ROOT SCENARIO-DIR
    local root=$1 d=$2 rc=0
    [ $force = 0 ] && [ -s "$d/vmcore.sid.zlib" ] && return 0
    log "refiltering $d/vmcore.elf with unstable's makedumpfile"
    mkdir -p "$root/lab" "$root/proc"
    mount --bind "$d" "$root/lab"
    mount -t proc proc "$root/proc"
    # --message-level 6: messages and errors, not the progress bar (megabytes in a log).
    chroot "$root" makedumpfile --message-level 6 -c -d 31 /lab/vmcore.elf /lab/vmcore.sid.zlib.tmp \
        > "$d/refilter.log" 2>&1 || rc=$?
    chroot "$root" makedumpfile -v 2>&1 | head -n 1 > "$d/refilter.version" || true
    umount "$root/proc"
    umount "$root/lab"
    [ $rc = 0 ] || { tail -n 20 "$d/refilter.log" >&2; die "makedumpfile (unstable) failed on $d"; }
    mv "$d/vmcore.sid.zlib.tmp" "$d/vmcore.sid.zlib"
}

SIDROOT=$("$KLAB_SRC/sid-root.sh")
for k in "${kernels[@]}"; do
    start=$(date +%s)
    KDIR=$("$KLAB_SRC/fetch.sh" "${forceopt[@]}" "$k")
    src=$KDIVE_LAB_CACHE/kernels/$k/src
    stage "$KDIR" "$src"
    LAB=$(KLAB_KDIR=$KDIR KDIVE_LAB_CACHE=$KDIVE_LAB_CACHE/kernels/$k \
          "$src/lab.sh" "${forceopt[@]}" kdump-l5)
    refilter "$SIDROOT" "$LAB/kdump-l5"
    echo "$k" > "$LAB/kernel-name"
    log "$k: $(cat "$KDIR/version") ready in $(( $(date +%s) - start )) s: $LAB"
    echo "$LAB"
done
