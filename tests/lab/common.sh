# Shared settings for the lab scripts (sourced, not run).
# Everything the lab makes lives under one cache directory so that later runs reuse it.

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KDIVE_LAB_CACHE=${KDIVE_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kdive-lab}

# Modules the guest loads (their dependencies are resolved with depmod/modprobe on the host).
LAB_MODULES=(qemu_fw_cfg dummy veth loop ext4 xfs)
# Modules the capture kernel needs to write the dumps onto virtio disks, in load order.
CAPTURE_MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk)

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

# The bookworm kernel that linux-image-amd64-dbg currently points at, e.g. 6.1.0-56-amd64.
# Resolved at run time: old point releases leave the archive.
lab_kernel_version() {
    if [ -n "${KDIVE_LAB_KERNEL:-}" ]; then echo "$KDIVE_LAB_KERNEL"; return; fi
    local v
    v=$(apt-cache depends linux-image-amd64-dbg 2>/dev/null |
        sed -n 's/^ *Depends: linux-image-\(.*\)-dbg$/\1/p' | head -n 1)
    if [ -z "$v" ]; then
        # The package lists may be missing on a fresh machine.
        apt-get update -qq >&2 || true
        v=$(apt-cache depends linux-image-amd64-dbg 2>/dev/null |
            sed -n 's/^ *Depends: linux-image-\(.*\)-dbg$/\1/p' | head -n 1)
    fi
    [ -n "$v" ] || die "cannot resolve the kernel behind linux-image-amd64-dbg (apt-cache depends)"
    echo "$v"
}
