#!/usr/bin/env bash
# Build the lab's two initramfs images from busybox-static, the kernel's own modules, kexec-tools
# and makedumpfile (with their shared libraries), and the static labload program.
#   initramfs.sh KERNEL_DIR OUT_DIR     writes OUT_DIR/{main.cpio.gz,capture.cpio.gz}
set -euo pipefail
. "$(dirname "$0")/common.sh"

KDIR=$1 OUT=$2
VER=$(cat "$KDIR/version")
MODROOT=$KDIR/modroot
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# A root with busybox and one symlink per applet (not busybox itself: that would loop).
make_root() {
    local root=$1
    mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lab/modules,boot}
    cp /bin/busybox "$root/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ "$applet" = busybox ] && continue
        ln -sf busybox "$root/bin/$applet"
    done
}

# Copy a dynamically linked program and the libraries ldd names for it.
copy_with_libs() {
    local root=$1 bin=$2
    mkdir -p "$root/sbin"
    cp "$bin" "$root/sbin/"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
        cp -L --parents "$lib" "$root"
    done
}

# insmod lines (module then arguments) for MODULES and their dependencies, in load order.
module_list() {
    local root=$1; shift
    local m ko
    for m in "$@"; do
        modprobe -d "$MODROOT" -S "$VER" --show-depends "$m" | awk '$1=="insmod"{print $2}'
    done | awk '!seen[$0]++' | while read -r ko; do
        cp "$ko" "$root/lab/modules/"
        basename "$ko"
    done
}

cpio_gz() { (cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) > "$2"; }

log "building the capture initramfs"
CAP=$WORK/capture
make_root "$CAP"
module_list "$CAP" "${CAPTURE_MODULES[@]}" > "$CAP/lab/capture-modules.list"
copy_with_libs "$CAP" "$(command -v makedumpfile)"
install -m 755 "$LAB_SRC/guest/capture-init.sh" "$CAP/init"
cpio_gz "$CAP" "$OUT/capture.cpio.gz"

log "building the main initramfs"
MAIN=$WORK/main
make_root "$MAIN"
module_list "$MAIN" "${LAB_MODULES[@]}" |
    sed 's/^dummy\.ko$/dummy.ko numdummies=1/' > "$MAIN/lab/modules.list"
gcc -O2 -static -Wall -Wextra -o "$MAIN/lab/labload" "$LAB_SRC/guest/labload.c" -lpthread
copy_with_libs "$MAIN" "$(command -v kexec)"
cp "$KDIR/vmlinuz" "$MAIN/boot/vmlinuz"
cp "$OUT/capture.cpio.gz" "$MAIN/boot/capture.gz"
install -m 755 "$LAB_SRC/guest/init.sh" "$MAIN/init"
cpio_gz "$MAIN" "$OUT/main.cpio.gz"
log "initramfs images in $OUT"
