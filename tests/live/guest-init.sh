#!/bin/sh
# /init of the live-test guest: mount the vmlinux disk, print the running kernel's own view of
# itself and kdive's answers about /proc/kcore between markers on the serial console, power off.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo 1 > /proc/sys/kernel/printk  # only emergencies on the console: they would interleave
hostname kdive-live

for ko in $(cat /live/modules.list); do
    insmod "/live/modules/$ko" || echo "KDIVE-LIVE-WARN insmod $ko failed"
done
for i in $(seq 1 100); do [ -b /dev/vda ] && break; sleep 0.1; done
mount -t ext4 -o ro /dev/vda /mnt || echo "KDIVE-LIVE-WARN cannot mount /dev/vda"

section() { echo "KDIVE-LIVE-BEGIN $1"; shift; "$@"; echo "KDIVE-LIVE-END"; }
section uname uname -r
section version cat /proc/version
section hostname hostname
section kallsyms_jiffies sh -c "grep ' jiffies\$' /proc/kallsyms | cut -d' ' -f1"
section cpus sh -c "grep -c ^processor /proc/cpuinfo"
# The DWARF index is built in the guest (no cache yet): HOME on the tmpfs.
section jiffies_before sh -c "grep -m1 '^jiffies:' /proc/timer_list | tr -dc 0-9; echo"
start=$(cut -d' ' -f1 /proc/uptime)
HOME=/tmp /sbin/kdive -s -i /live/commands.kdive /mnt/vmlinux > /tmp/kdive.out 2>&1
rc=$?
end=$(cut -d' ' -f1 /proc/uptime)
section jiffies_after sh -c "grep -m1 '^jiffies:' /proc/timer_list | tr -dc 0-9; echo"
section kdive cat /tmp/kdive.out
section kdive_rc echo "$rc"
section kdive_seconds sh -c "echo $start $end | awk '{print \$2 - \$1}'"
sync
poweroff -f
