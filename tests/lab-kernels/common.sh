# Shared settings of the lab on other Debian kernels (sourced, not run).
# It reuses tests/lab unchanged (see kernels.sh) and keeps its own caches next to the main lab's.

KLAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MAIN_LAB_SRC=$(cd "$KLAB_SRC/../lab" && pwd)
KDIVE_LAB_CACHE=${KDIVE_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kdive-lab}

log() { printf '[lab-kernels] %s\n' "$*" >&2; }
die() { printf '[lab-kernels] error: %s\n' "$*" >&2; exit 1; }

# The kernels: NAME, the apt lines of its suite, and what the version must look like
# (a guard against a suite suddenly offering another series).
#   bullseye: Debian 11's 5.10, only in bullseye-security now (LTS)
#   trixie:   Debian 13's 6.12 (the point release's and the security archive's)
#   sid:      unstable, the newest (7.x)
ALL_KERNELS=(bullseye trixie sid)
kernel_sources() {
    case $1 in
        bullseye) echo "deb http://deb.debian.org/debian-security bullseye-security main" ;;
        trixie) echo "deb http://deb.debian.org/debian trixie main"
                echo "deb http://deb.debian.org/debian-security trixie-security main" ;;
        sid) echo "deb http://deb.debian.org/debian sid main" ;;
        *) die "unknown kernel '$1' (kernels: ${ALL_KERNELS[*]})" ;;
    esac
}
kernel_series() {
    case $1 in bullseye) echo '5\.10\.' ;; trixie) echo '6\.12\.' ;; sid) echo '[7-9]\.' ;; esac
}

# apt-get/apt-cache on a private configuration per suite: its own sources.list and package
# lists under the cache, so the host's sources (and upgrades) stay as they are.
apt_dir() { echo "$KDIVE_LAB_CACHE/apt/$1"; }
apt_opts() {  # NAME: sets the array APT_OPTS
    local d; d=$(apt_dir "$1")
    APT_OPTS=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/sources.list.d"
              -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
              -o "Dir::Etc::Preferences=$d/preferences" -o "Dir::Etc::PreferencesParts=$d/preferences.d"
              -o "APT::Default-Release=" -o "APT::Sandbox::User=root")
}
# Refresh the suite's package lists at most once a day: a warm run stays instant, and a new
# kernel (the old one leaving the archive) is picked up within a day.
apt_update() {  # NAME
    local d; d=$(apt_dir "$1")
    mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/sources.list.d" "$d/preferences.d"
    kernel_sources "$1" > "$d/sources.list"
    apt_opts "$1"
    if [ -z "$(find "$d/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
        log "$1: apt-get update (private lists in $d)"
        apt-get "${APT_OPTS[@]}" update -qq >&2 || die "$1: apt-get update failed"
    fi
}
