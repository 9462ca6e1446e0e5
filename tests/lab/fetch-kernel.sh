#!/usr/bin/env bash
# Download and unpack Debian's current bookworm kernel and its debug info into the lab cache.
#   fetch-kernel.sh [--force]      prints the kernel directory on stdout
# Result: $KDIVE_LAB_CACHE/kernel/VER/{vmlinuz,vmlinux,System.map,config,modroot/,debug/}
set -euo pipefail
. "$(dirname "$0")/common.sh"

force=0
[ "${1:-}" = "--force" ] && force=1

VER=$(lab_kernel_version)
KDIR=$KDIVE_LAB_CACHE/kernel/$VER
if [ $force = 0 ] && [ -f "$KDIR/.complete" ]; then
    echo "$KDIR"; exit 0
fi

rm -rf "$KDIR"
mkdir -p "$KDIR/debs"
cd "$KDIR/debs"
log "downloading linux-image-$VER and linux-image-$VER-dbg"
apt-get download "linux-image-$VER" "linux-image-$VER-dbg" >&2 ||
    { apt-get update -qq >&2; apt-get download "linux-image-$VER" "linux-image-$VER-dbg" >&2; }
img=$(ls linux-image-"$VER"_*.deb)
dbg=$(ls linux-image-"$VER"-dbg_*.deb)

log "unpacking the image package"
mkdir -p "$KDIR/modroot"
dpkg-deb -x "$img" "$KDIR/modroot"
cp "$KDIR/modroot/boot/vmlinuz-$VER" "$KDIR/vmlinuz"
cp "$KDIR/modroot/boot/config-$VER" "$KDIR/config"
# The package ships no modules.dep; build it so modprobe can resolve dependencies.
depmod -b "$KDIR/modroot" "$VER"

# Debug .ko files for the modules the guest loads, and their dependencies.
# tar fails on a pattern repeated (shared dependencies), hence sort -u.
patterns=("./usr/lib/debug/boot/*")
while read -r ko; do
    patterns+=("./usr/lib/debug/${ko#"$KDIR/modroot/"}")
done < <(for m in "${LAB_MODULES[@]}" "${CAPTURE_MODULES[@]}"; do
             modprobe -d "$KDIR/modroot" -S "$VER" --show-depends "$m"
         done | awk '$1=="insmod"{print $2}' | sort -u)
log "extracting vmlinux and ${#patterns[@]} debug files from the -dbg package (about 35 s)"
mkdir -p "$KDIR/debug"
dpkg-deb --fsys-tarfile "$dbg" | tar -x -C "$KDIR/debug" --wildcards "${patterns[@]}"
mv "$KDIR/debug/usr/lib/debug/boot/vmlinux-$VER" "$KDIR/vmlinux"
mv "$KDIR/debug/usr/lib/debug/boot/System.map-$VER" "$KDIR/System.map"
# Keep the debug .ko tree where `mod -S` would look for it: debug/lib/modules/VER/...
mv "$KDIR/debug/usr/lib/debug/lib" "$KDIR/debug/lib"
rm -rf "$KDIR/debug/usr" "$KDIR/debs"
echo "$VER" > "$KDIR/version"
touch "$KDIR/.complete"
log "kernel $VER ready in $KDIR"
echo "$KDIR"
