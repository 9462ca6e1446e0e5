#!/usr/bin/env bash
# The kdive lab: real crash dumps of Debian's own kernel, with the live kernel's ground truth.
#
#   lab.sh [--force] [SCENARIO...]     prints the lab directory on stdout
#
# Scenarios (default: all):
#   kdump-l5  -cpu max (5-level paging): kexec + makedumpfile zlib, lzo, and the ELF /proc/vmcore
#   qemu-l5   -cpu max: the panicked guest dumped by QEMU's dump-guest-memory (ELF, no VMCOREINFO)
#   kdump-l4  -cpu max,la57=off (4-level paging): as kdump-l5
#   qemu-l4   -cpu max,la57=off: as qemu-l5
#   nmi-l4    -cpu max,la57=off: the host injects an NMI with kernel.unknown_nmi_panic set, so
#             the kernel panics on the NMI stack; kexec + makedumpfile lzo only
#
# The lab directory, keyed by kernel version and a hash of the lab's own files, holds:
#   vmlinux System.map config debug/   (links into the kernel cache)
#   SCENARIO/{vmcore.zlib,vmcore.lzo,vmcore.elf | qemu.elf} SCENARIO/truth/* SCENARIO/console.log
# A second run finds everything there and returns at once; --force rebuilds.
set -euo pipefail
. "$(dirname "$0")/common.sh"

ALL_SCENARIOS=(kdump-l5 qemu-l5 kdump-l4 qemu-l4 nmi-l4)
force=0
scenarios=()
for a in "$@"; do
    case "$a" in
        --force) force=1 ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        kdump-l5|qemu-l5|kdump-l4|qemu-l4|nmi-l4) scenarios+=("$a") ;;
        *) die "unknown argument '$a' (scenarios: ${ALL_SCENARIOS[*]})" ;;
    esac
done
[ ${#scenarios[@]} -gt 0 ] || scenarios=("${ALL_SCENARIOS[@]}")

for tool in qemu-system-x86_64 busybox kexec makedumpfile cpio gzip gcc python3 depmod; do
    command -v "$tool" >/dev/null || [ -x "/bin/$tool" ] ||
        die "$tool is missing: run scripts/deps.sh (apt packages of the lab)"
done

KDIR=$("$LAB_SRC/fetch-kernel.sh" $([ $force = 1 ] && echo --force))
VER=$(cat "$KDIR/version")
inputs_hash=$(cd "$LAB_SRC" && find . -type f ! -name '*.pyc' | sort | xargs sha256sum |
              sha256sum | cut -c1-12)
LAB=$KDIVE_LAB_CACHE/labs/$VER-$inputs_hash
mkdir -p "$LAB"
for f in vmlinux System.map config debug; do ln -sfn "$KDIR/$f" "$LAB/$f"; done
echo "$VER" > "$LAB/kernel-version"

initramfs() {
    if [ $force = 1 ] || [ ! -f "$LAB/initramfs/.complete" ]; then
        rm -rf "$LAB/initramfs"; mkdir -p "$LAB/initramfs"
        "$LAB_SRC/initramfs.sh" "$KDIR" "$LAB/initramfs"
        touch "$LAB/initramfs/.complete"
    fi
}

# Cut the marked sections of the guest's console into truth/NAME files.
extract_truth() {
    local logf=$1 dir=$2
    mkdir -p "$dir"
    tr -d '\r' < "$logf" | awk -v dir="$dir" '
        /^KDIVE-TRUTH-BEGIN / { out = dir "/" $2; printf "" > out; next }
        /^KDIVE-TRUTH-END/    { close(out); out = ""; next }
        out != ""             { print >> out }
        /^KDIVE-PANIC-PID /   { print $2 > (dir "/panic_pid") }
        /^KDIVE-VMCORE-SIZE / { print $2 > (dir "/vmcore_size") }'
    for f in uname ps bpf modules text_addr panic_pid; do
        [ -s "$dir/$f" ] || die "ground truth '$f' missing from $logf"
    done
}

qemu_cmd() {  # CPU MODE LOG [CRASH]: sets the array QEMU
    QEMU=(qemu-system-x86_64 -accel tcg -cpu "$1" -m 1024 -smp 2
          -kernel "$KDIR/vmlinuz" -initrd "$LAB/initramfs/main.cpio.gz"
          -append "console=ttyS0 crashkernel=256M panic=0 kdive.mode=$2 kdive.crash=${4:-sysrq}"
          -display none -monitor none -no-reboot -serial "file:$3")
}

# The NMI scenario's host side: once the guest says it is armed, inject an NMI through QMP.
inject_nmi_when_armed() {  # TMPDIR QEMU-PID
    local t=$1 i
    for i in $(seq 1 600); do
        grep -q 'KDIVE-NMI-ARMED' "$t/console.log" 2>/dev/null && break
        kill -0 "$2" 2>/dev/null || return 0
        sleep 1
    done
    sleep 2  # let the guest's shell settle into its wait
    python3 "$LAB_SRC/qmp.py" "$t/qmp.sock" nmi
}

run_kdump() {  # TMPDIR CPU [CRASH]: CRASH sysrq (all three formats) or nmi (lzo only)
    local t=$1 crash=${3:-sysrq} qpid rc=0 kinds=(zlib lzo elf) k
    [ "$crash" = sysrq ] || kinds=(lzo)
    truncate -s 256M "$t/vda.img" "$t/vdb.img"
    truncate -s 1100M "$t/vdc.img"
    log "booting ($2): guest, $crash crash, kdump capture (about a minute under TCG)"
    qemu_cmd "$2" kdump "$t/console.log" "$crash"
    [ "$crash" = sysrq ] || QEMU+=(-qmp "unix:$t/qmp.sock,server=on,wait=off")
    timeout 900 "${QEMU[@]}" \
        -drive "file=$t/vda.img,if=virtio,format=raw" \
        -drive "file=$t/vdb.img,if=virtio,format=raw" \
        -drive "file=$t/vdc.img,if=virtio,format=raw" > "$t/qemu.out" 2>&1 &
    qpid=$!
    [ "$crash" = sysrq ] || inject_nmi_when_armed "$t" "$qpid" || { kill "$qpid"; wait "$qpid"; }
    wait "$qpid" || rc=$?
    [ "$rc" -eq 0 ] || { tail -n 30 "$t/console.log" >&2; die "qemu failed or timed out (see $t)"; }
    for k in "${kinds[@]}"; do
        grep -q "KDIVE-DUMP-OK $k" "$t/console.log" ||
            { tail -n 30 "$t/console.log" >&2; die "the capture kernel did not write the $k dump"; }
    done
    extract_truth "$t/console.log" "$t/truth"
    makedumpfile -R "$t/vmcore.lzo" < "$t/vdb.img" >/dev/null
    if [ "$crash" = sysrq ]; then
        makedumpfile -R "$t/vmcore.zlib" < "$t/vda.img" >/dev/null
        mv "$t/vdc.img" "$t/vmcore.elf"
        truncate -s "$(cat "$t/truth/vmcore_size")" "$t/vmcore.elf"
    fi
    rm -f "$t/vda.img" "$t/vdb.img" "$t/vdc.img"
}

run_qemu_dump() {  # TMPDIR CPU
    local t=$1 qpid i
    log "booting ($2): guest, sysrq crash, QEMU dump-guest-memory"
    qemu_cmd "$2" qemu "$t/console.log"
    "${QEMU[@]}" -qmp "unix:$t/qmp.sock,server=on,wait=off" \
        > "$t/qemu.out" 2>&1 &
    qpid=$!
    for i in $(seq 1 600); do
        grep -q 'Kernel panic - not syncing' "$t/console.log" 2>/dev/null && break
        kill -0 $qpid 2>/dev/null || break
        sleep 1
    done
    if ! grep -q 'Kernel panic - not syncing' "$t/console.log" 2>/dev/null; then
        kill $qpid 2>/dev/null || true
        tail -n 30 "$t/console.log" >&2; die "the guest did not panic"
    fi
    sleep 2  # let the other CPU stop and the panic messages finish
    python3 "$LAB_SRC/qmp.py" "$t/qmp.sock" dump "$t/qemu.elf" elf
    wait $qpid || true
    [ -s "$t/qemu.elf" ] || die "QEMU wrote no dump"
    extract_truth "$t/console.log" "$t/truth"
}

for s in "${scenarios[@]}"; do
    d=$LAB/$s
    if [ $force = 0 ] && [ -f "$d/.complete" ]; then log "$s: cached"; continue; fi
    initramfs
    rm -rf "$d" "$d.tmp"; mkdir -p "$d.tmp"
    case $s in *-l5) cpu=max ;; *-l4) cpu=max,la57=off ;; esac
    start=$(date +%s)
    case $s in
        kdump-*) run_kdump "$d.tmp" "$cpu" ;;
        nmi-*) run_kdump "$d.tmp" "$cpu" nmi ;;
        qemu-*) run_qemu_dump "$d.tmp" "$cpu" ;;
    esac
    printf 'cpu=%s\nmode=%s\n' "$cpu" "${s%-*}" > "$d.tmp/truth/scenario"
    rm -f "$d.tmp/qmp.sock"
    touch "$d.tmp/.complete"
    mv "$d.tmp" "$d"
    log "$s: done in $(( $(date +%s) - start )) s"
done

# Only the current lab is kept: each one holds gigabytes of dumps.
for old in "$KDIVE_LAB_CACHE"/labs/*; do
    [ "$old" = "$LAB" ] || { log "removing old lab $old"; rm -rf "$old"; }
done
ln -sfn "$LAB" "$KDIVE_LAB_CACHE/current"
echo "$LAB"
