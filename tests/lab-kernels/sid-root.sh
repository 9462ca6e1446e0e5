#!/usr/bin/env bash
# A Debian unstable root with the tools that know the newest kernels: makedumpfile (refilters
# the ELF dumps on the host: bookworm's 1.7.2 drops live slab pages on 6.12 and 7.x), and crash
# and drgn as oracles.  Made once with debootstrap (about 3 min) and kept in the cache.
#   sid-root.sh          prints the root directory on stdout
set -euo pipefail
. "$(dirname "$0")/common.sh"

ROOT=$KDIVE_LAB_CACHE/sid-root
if [ -f "$ROOT/.complete" ]; then echo "$ROOT"; exit 0; fi

command -v debootstrap >/dev/null || die "debootstrap is missing: run scripts/deps.sh"
rm -rf "$ROOT" "$ROOT.tmp"
log "debootstrap of Debian unstable with makedumpfile, crash, drgn (about 3 min)"
debootstrap --variant=minbase --include=crash,python3-drgn,makedumpfile \
    sid "$ROOT.tmp" http://deb.debian.org/debian > "$KDIVE_LAB_CACHE/sid-root.log" 2>&1 ||
    { tail -n 20 "$KDIVE_LAB_CACHE/sid-root.log" >&2; die "debootstrap failed"; }
# Downloaded packages are not needed any more (about 100 MB).
rm -rf "$ROOT.tmp"/var/cache/apt/archives/*.deb
mv "$ROOT.tmp" "$ROOT"
touch "$ROOT/.complete"
echo "$ROOT"
