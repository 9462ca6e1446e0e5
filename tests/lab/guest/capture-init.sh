#!/bin/sh
# /init of the kdump capture kernel: write the crashed kernel's memory to three virtio disks
# (makedumpfile flattened zlib and lzo, and the raw ELF /proc/vmcore), then power off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

for m in $(cat /lab/capture-modules.list); do
    insmod "/lab/modules/$m" || echo "KDIVE-WARN insmod $m failed"
done
for i in $(seq 1 100); do
    [ -b /dev/vda ] && [ -b /dev/vdb ] && [ -b /dev/vdc ] && break
    sleep 0.2
done

# kdive.formats= (from the crashed kernel's kexec line): which of the three to write.
formats=zlib,lzo,elf
for arg in $(cat /proc/cmdline); do
    case "$arg" in kdive.formats=*) formats=${arg#kdive.formats=} ;; esac
done
wants() { case ",$formats," in *",$1,"*) return 0 ;; esac; return 1; }

echo "KDIVE-VMCORE-SIZE $(stat -c %s /proc/vmcore)"
wants zlib && makedumpfile -F -c -d 31 /proc/vmcore > /dev/vda && echo "KDIVE-DUMP-OK zlib"
wants lzo && makedumpfile -F -l -d 31 /proc/vmcore > /dev/vdb && echo "KDIVE-DUMP-OK lzo"
wants elf && dd if=/proc/vmcore of=/dev/vdc bs=1M 2>/dev/null && echo "KDIVE-DUMP-OK elf"
sync
echo "KDIVE-CAPTURE-DONE"
poweroff -f
