#!/usr/bin/env bash
# kdive on a live kernel, for real: boot the lab's Debian kernel in QEMU with the kdive binary
# (and its shared libraries) in the initramfs and the debug vmlinux on a virtio disk, run a
# batch file against /proc/kcore inside the guest, and compare what kdive says with the guest's
# own /proc. Exits non-zero with one line per mismatch.
#   run-live.sh KDIVE_BINARY OUTDIR [LAB_DIR]
# The kernel is the lab's (LAB_DIR's vmlinux, else tests/lab/fetch-kernel.sh); tests/lab is only
# read. The ext4 image with the vmlinux is cached in $KDIVE_LAB_CACHE/live/VER/.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lab/common.sh"
log() { printf '[live] %s\n' "$*" >&2; }
die() { printf '[live] error: %s\n' "$*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: run-live.sh KDIVE_BINARY OUTDIR [LAB_DIR]"
KDIVE=$(readlink -f "$1") OUT=$2 LABDIR=${3:-}
[ -x "$KDIVE" ] || die "not an executable: $1"
for tool in qemu-system-x86_64 busybox mke2fs modprobe cpio gzip ldd; do
    command -v "$tool" > /dev/null || die "missing $tool"
done
if [ -n "$LABDIR" ]; then
    KDIR=$(dirname "$(readlink -f "$LABDIR/vmlinux")")
else
    KDIR=$("$HERE/../lab/fetch-kernel.sh")
fi
VER=$(cat "$KDIR/version")
MODROOT=$KDIR/modroot
[ -f "$KDIR/vmlinux" ] && [ -f "$KDIR/vmlinuz" ] || die "no vmlinux/vmlinuz in $KDIR"
mkdir -p "$OUT"
OUT=$(readlink -f "$OUT")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The vmlinux on an ext4 image, made without mounting (mke2fs -d) and kept: it depends only on
# the vmlinux, whose size and mtime name the stamp.
CACHE=$KDIVE_LAB_CACHE/live/$VER
IMG=$CACHE/vmlinux.ext4
stamp=$(stat -c '%s %Y' "$KDIR/vmlinux")
if [ ! -f "$IMG" ] || [ "$(cat "$CACHE/vmlinux.stamp" 2>/dev/null)" != "$stamp" ]; then
    log "building $IMG"
    mkdir -p "$CACHE" "$WORK/disk"
    # A hard link when the cache shares the file system, else a copy (mke2fs -d keeps symlinks).
    ln "$KDIR/vmlinux" "$WORK/disk/vmlinux" 2>/dev/null || cp "$KDIR/vmlinux" "$WORK/disk/vmlinux"
    size_mb=$(( $(stat -c %s "$KDIR/vmlinux") / 1048576 * 11 / 10 + 64 ))
    rm -f "$IMG.tmp"
    mke2fs -q -t ext4 -L kdive-live -d "$WORK/disk" "$IMG.tmp" "${size_mb}M"
    mv "$IMG.tmp" "$IMG"
    echo "$stamp" > "$CACHE/vmlinux.stamp"
fi

# The initramfs, rebuilt every run (kdive changes): busybox, kdive with its libraries, the
# virtio and ext4 modules with their dependencies in load order, the init script, the batch.
log "building the initramfs"
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,sbin,proc,sys,dev,tmp,mnt,live/modules}
cp /bin/busybox "$ROOT/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$ROOT/bin/$applet"
done
cp "$KDIVE" "$ROOT/sbin/kdive"
for lib in $(ldd "$KDIVE" | grep -o '/[^ ]*'); do
    cp -L --parents "$lib" "$ROOT"
done
for m in "${CAPTURE_MODULES[@]}" ext4; do
    modprobe -d "$MODROOT" -S "$VER" --show-depends "$m" | awk '$1=="insmod"{print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
    cp "$ko" "$ROOT/live/modules/"
    basename "$ko"
done > "$ROOT/live/modules.list"
install -m 755 "$HERE/guest-init.sh" "$ROOT/init"
cp "$HERE/commands.kdive" "$ROOT/live/commands.kdive"
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initramfs.gz"

log "booting the guest"
LOG=$OUT/console.log
rm -f "$LOG"
start=$(date +%s)
timeout 240 qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp 2 \
    -kernel "$KDIR/vmlinuz" -initrd "$WORK/initramfs.gz" \
    -append "console=ttyS0 panic=-1 quiet" \
    -drive "file=$IMG,if=virtio,format=raw,readonly=on" \
    -display none -monitor none -no-reboot -serial "file:$LOG" > "$OUT/qemu.out" 2>&1 ||
    die "QEMU failed or timed out (see $LOG, $OUT/qemu.out)"
log "guest ran for $(( $(date +%s) - start )) s"

# Sections between markers: KDIVE-LIVE-BEGIN NAME ... KDIVE-LIVE-END, into OUT/NAME.
tr -d '\r' < "$LOG" | awk -v out="$OUT" '
    /^KDIVE-LIVE-BEGIN / { name = $2; file = out "/" name; printf "" > file; next }
    /^KDIVE-LIVE-END/    { if (file) close(file); file = ""; next }
    file                 { print >> file }'
for f in uname version hostname kallsyms_jiffies cpus jiffies_before jiffies_after kdive kdive_rc kdive_seconds; do
    [ -f "$OUT/$f" ] || die "the guest printed no $f (see $LOG)"
done
exec python3 "$HERE/compare.py" "$OUT" "$KDIR/System.map"
