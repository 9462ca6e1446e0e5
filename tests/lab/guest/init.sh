#!/bin/sh
# /init of the lab guest: load real modules, start named workloads and BPF objects, print the
# live kernel's ground truth between markers on the serial console, then crash with sysrq.
# kdive.mode=kdump arms kexec first (a real kdump follows); kdive.mode=qemu leaves the panicked
# guest for the host to take QEMU's dump-guest-memory. kdive.crash=nmi makes an unknown NMI
# fatal and waits for the host to inject one (the panic then runs on the NMI stack of whichever
# CPU takes it first), instead of sysrq-c from a shell.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp

mode=kdump crash=sysrq
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        kdive.mode=*) mode=${arg#kdive.mode=} ;;
        kdive.crash=*) crash=${arg#kdive.crash=} ;;
    esac
done
# The NMI scenario needs only one dump format: the capture kernel writes just that.
formats=zlib,lzo,elf
[ "$crash" = nmi ] && formats=lzo

# Only emergency messages on the console from here on: they would interleave with the truth.
echo 1 > /proc/sys/kernel/printk
hostname kdive-lab

while read -r ko args; do
    insmod "/lab/modules/$ko" $args || echo "KDIVE-WARN insmod $ko failed"
done < /lab/modules.list
ip link set lo up
ip link set dummy0 up
ip link add kd_veth0 type veth peer name kd_veth1 && ip link set kd_veth0 up
# Addresses and a permanent ARP entry for net's checks.
ip addr add 192.168.77.1/24 dev dummy0 || echo "KDIVE-WARN ip addr failed"
ip -6 addr add fd00:77::1/64 dev dummy0 || echo "KDIVE-WARN ip -6 addr failed"
arp -i dummy0 -s 192.168.77.2 02:00:00:00:77:02 || echo "KDIVE-WARN arp -s failed"

/lab/labload workloads > /tmp/workloads
/lab/labload bpf > /tmp/bpf || echo "KDIVE-WARN labload bpf failed"

if [ "$mode" = kdump ]; then
    kexec -p /boot/vmlinuz --initrd=/boot/capture.gz \
        --append="console=ttyS0 irqpoll nr_cpus=1 reset_devices panic=0 rdinit=/init kdive.formats=$formats" ||
        echo "KDIVE-WARN kexec -p failed"
    echo "KDIVE-KEXEC-LOADED $(cat /sys/kernel/kexec_crash_loaded)"
fi

# The NMI must find both CPUs in the kernel (idle), so that the panic runs on the NMI stack
# whichever CPU takes it: an NMI from user mode runs on the task's stack instead.
[ "$crash" = nmi ] && killall kd_burner && sleep 1

truth() { echo "KDIVE-TRUTH-BEGIN $1"; shift; "$@"; echo "KDIVE-TRUTH-END"; }
truth uname uname -r
truth version cat /proc/version
truth hostname hostname
truth text_addr sh -c "grep ' _text\$' /proc/kallsyms | cut -d' ' -f1"
truth cmdline cat /proc/cmdline
truth cpus cat /sys/devices/system/cpu/online
truth modules cat /proc/modules
truth workloads cat /tmp/workloads
truth bpf cat /tmp/bpf
truth meminfo cat /proc/meminfo
# For kmem, files, vm, sig, mount, net, irq, dev and timer (docs/lab.md lists each file).
files_pid=$(awk '$3 == "kd_files" { print $2 }' /tmp/workloads)
truth files_pid echo "$files_pid"
truth files_fd sh -c "cd /proc/$files_pid/fd && for f in *; do echo \"\$f \$(readlink \$f)\"; done"
truth files_cwd readlink /proc/$files_pid/cwd
truth files_root readlink /proc/$files_pid/root
truth files_maps cat /proc/$files_pid/maps
truth files_status cat /proc/$files_pid/status
truth slabinfo cat /proc/slabinfo
truth vmstat cat /proc/vmstat
truth buddyinfo cat /proc/buddyinfo
truth zoneinfo cat /proc/zoneinfo
truth swaps cat /proc/swaps
truth mounts cat /proc/mounts
truth ipaddr ip addr
truth netdev cat /proc/net/dev
truth arp cat /proc/net/arp
truth interrupts cat /proc/interrupts
truth devices cat /proc/devices
truth diskstats cat /proc/diskstats
truth pci sh -c 'for d in /sys/bus/pci/devices/*; do echo "${d##*/} $(cat $d/vendor) $(cat $d/device) $(cat $d/class)"; done'
truth timer_list cat /proc/timer_list
# Tasks last, right before the crash, so the list is as close to the dump as it can be.
truth ps /lab/labload ps
truth taskcpu /lab/labload taskcpu
if [ "$crash" = nmi ]; then
    # No panic task is known beforehand: the NMI interrupts whatever each CPU runs.
    echo 1 > /proc/sys/kernel/unknown_nmi_panic
    echo "KDIVE-PANIC-PID nmi"
    echo "KDIVE-NMI-ARMED"
    sleep 600
    echo "KDIVE-WARN still alive 600 s after arming the NMI panic"
else
    # The panic task: a child shell, so pid 1 stays an ordinary sleeping init in the dump.
    sh -c 'echo "KDIVE-PANIC-PID $$"; echo c > /proc/sysrq-trigger'
    # Not reached when the crash works.
    echo "KDIVE-WARN still alive after sysrq-c"
fi
poweroff -f
