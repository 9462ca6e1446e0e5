#!/usr/bin/env bash
# Download and unpack one Debian kernel (and the debug info the lab needs) from a suite that is
# not the host's, into the same per-version kernel cache as tests/lab/fetch-kernel.sh.
#   fetch.sh [--force] NAME      (NAME: bullseye, trixie or sid) prints the kernel directory
# Result: $KDIVE_LAB_CACHE/kernel/VER/{vmlinuz,vmlinux,System.map,config,modroot/,debug/,version}
# in the layout tests/lab expects: modroot/lib/modules/VER with uncompressed .ko files.
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$MAIN_LAB_SRC/common.sh"   # LAB_MODULES, CAPTURE_MODULES (its log/die are the same shape)

force=0
[ "${1:-}" = "--force" ] && { force=1; shift; }
NAME=${1:?usage: fetch.sh [--force] NAME}

# The version behind the suite's linux-image-amd64-dbg, e.g. 5.10.0-46-amd64: resolved at run
# time, since old point releases leave the archive.
resolve_version() {
    local v
    apt_update "$NAME"
    apt_opts "$NAME"
    v=$(apt-cache "${APT_OPTS[@]}" depends linux-image-amd64-dbg 2>/dev/null |
        sed -n 's/^ *Depends: linux-image-\(.*\)-dbg$/\1/p' | head -n 1)
    [ -n "$v" ] || die "$NAME: cannot resolve the kernel behind linux-image-amd64-dbg"
    echo "$v" | grep -q "^$(kernel_series "$NAME")" || die "$NAME: unexpected kernel series $v"
    echo "$v"
}

# From 7.x the image is split (binary, modules, base); before, one -unsigned package has it all.
image_packages() {  # VER
    if apt-cache "${APT_OPTS[@]}" show "linux-binary-unsigned-$1" >/dev/null 2>&1; then
        echo "linux-binary-unsigned-$1 linux-modules-$1 linux-base-$1"
    else
        echo "linux-image-$1-unsigned"
    fi
}

# Modules of MODULES (and dependencies) that modprobe resolves to files, relative to the
# modules directory; builtin ones print nothing, unknown ones (older kernels) are skipped.
module_files() {  # MODROOT VER MODULES...
    local root=$1 ver=$2 m; shift 2
    for m in "$@"; do
        modprobe -d "$root" -S "$ver" --show-depends "$m" 2>/dev/null || true
    done | awk '$1=="insmod"{print $2}' | sed "s|^$root/lib/modules/$ver/||" | sort -u
}

VER=$(resolve_version)
apt_opts "$NAME"   # (resolve_version ran in a subshell)
KDIR=$KDIVE_LAB_CACHE/kernel/$VER
if [ $force = 0 ] && [ -f "$KDIR/.complete" ]; then echo "$KDIR"; exit 0; fi

rm -rf "$KDIR"
mkdir -p "$KDIR/debs" "$KDIR/modroot"
cd "$KDIR/debs"
read -r -a pkgs <<< "$(image_packages "$VER")"
log "$NAME: downloading ${pkgs[*]} linux-image-$VER-dbg"
apt-get "${APT_OPTS[@]}" download "${pkgs[@]}" "linux-image-$VER-dbg" >&2
for p in "${pkgs[@]}"; do dpkg-deb -x "$p"_*.deb "$KDIR/modroot"; done

# Merged /usr (6.12 and later): modprobe and initramfs.sh look in ROOT/lib/modules.
M=$KDIR/modroot
[ -e "$M/lib" ] || ln -s usr/lib "$M/lib"
# The first of these paths that exists (ls fails on the others: hence || true).
first_of() { ls "$@" 2>/dev/null | head -n 1 || true; }
vmlinuz=$(first_of "$M/boot/vmlinuz-$VER" "$M/lib/modules/$VER/vmlinuz.unsigned")
config=$(first_of "$M/boot/config-$VER" "$M/lib/modules/$VER/config")
[ -n "$vmlinuz" ] && [ -n "$config" ] || die "$NAME: no vmlinuz or config in ${pkgs[*]}"
cp "$vmlinuz" "$KDIR/vmlinuz"
cp "$config" "$KDIR/config"
depmod -b "$M" "$VER"

# 6.12 and later compress modules with xz; the guest's busybox insmod reads plain .ko files,
# so the ones the guests load are unpacked (and modules.dep rebuilt to name them).
mods=$(module_files "$M" "$VER" "${LAB_MODULES[@]}" "${CAPTURE_MODULES[@]}")
for ko in $mods; do
    case $ko in *.xz) xz -d "$M/lib/modules/$VER/$ko" ;; esac
done
depmod -b "$M" "$VER"

# From the 1.2 GB -dbg package only vmlinux, System.map and the debug .ko files of those
# modules (the whole package unpacks to 5.6 GB). 7.x puts vmlinux next to the debug modules.
patterns=()
if [ "${pkgs[0]}" = "linux-binary-unsigned-$VER" ]; then
    patterns+=("./usr/lib/debug/lib/modules/$VER/vmlinux")
else
    patterns+=("./usr/lib/debug/boot/*")
fi
for ko in $mods; do patterns+=("./usr/lib/debug/lib/modules/$VER/${ko%.xz}"); done
log "$NAME: extracting vmlinux and ${#patterns[@]} debug files from the -dbg package (about 35 s)"
mkdir -p "$KDIR/debug"
dpkg-deb --fsys-tarfile linux-image-"$VER"-dbg_*.deb |
    tar -x -C "$KDIR/debug" --wildcards "${patterns[@]}"
D=$KDIR/debug/usr/lib/debug
if [ -f "$D/lib/modules/$VER/vmlinux" ]; then
    mv "$D/lib/modules/$VER/vmlinux" "$KDIR/vmlinux"
else
    mv "$D/boot/vmlinux-$VER" "$KDIR/vmlinux"
fi
sysmap=$(first_of "$D/boot/System.map-$VER" "$M/boot/System.map-$VER" \
                  "$M/lib/modules/$VER/System.map")
# 7.x's linux-base ships a one-line placeholder ("The real System.map is in the ... -dbg
# package"), not the map.
if [ -n "$sysmap" ] && [ "$(wc -l < "$sysmap")" -gt 1000 ]; then
    cp "$sysmap" "$KDIR/System.map"
else
    # No System.map: make it from vmlinux as the kernel's scripts/mksysmap does.
    nm -n "$KDIR/vmlinux" | grep -v -e ' [aNUw] ' -e ' __crc_' -e ' \$[adt]' -e ' \.L' \
        > "$KDIR/System.map"
fi
mv "$D/lib" "$KDIR/debug/lib"
rm -rf "$KDIR/debug/usr" "$KDIR/debs"
echo "$VER" > "$KDIR/version"
touch "$KDIR/.complete"
log "$NAME: kernel $VER ready in $KDIR"
echo "$KDIR"
