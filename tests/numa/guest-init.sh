#!/bin/busybox sh
# /init of the two-node test guest: mounts what memtune needs, runs the
# numa benchmark, prints its results between markers on the serial console
# and powers off. Assembled into an initramfs by tests/numa/run-guest.sh.
/bin/busybox --install -s /bin
export PATH=/bin LD_LIBRARY_PATH=/lib:/lib64
mkdir -p /proc /sys /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
for m in $(cat /modules/order); do insmod /modules/$m 2>/dev/null; done
mkdir -p /data
mount -t ext4 /dev/vda /data || echo "MEMTUNE-GUEST: cannot mount /dev/vda"
export MEMTUNE_STATE_DIR=/data/state MEMTUNE_CONFIGS=/configs MEMTUNE_PROGRESS=0
echo "MEMTUNE-GUEST: zone_reclaim_mode before $(cat /proc/sys/vm/zone_reclaim_mode)"
echo "MEMTUNE-GUEST: nodes $(ls -d /sys/devices/system/node/node* | wc -l)"
/memtune run -b numa --quick -o /data/run --set output=/data > /tmp/run.out 2> /tmp/run.err
echo "MEMTUNE-GUEST: run exit $?"
echo "MEMTUNE-GUEST: zone_reclaim_mode after $(cat /proc/sys/vm/zone_reclaim_mode)"
echo "MEMTUNE-GUEST: journal left $(ls /data/state 2>/dev/null | wc -l)"
echo "MEMTUNE-GUEST: stderr"; tail -n 20 /tmp/run.err
echo "MEMTUNE-GUEST: BEGIN results"
cat /data/run/results.jsonl
echo "MEMTUNE-GUEST: END results"
echo "MEMTUNE-GUEST: BEGIN sysinfo"
/memtune sysinfo --json | tr -d '\n'; echo
echo "MEMTUNE-GUEST: END sysinfo"
umount /data
echo "MEMTUNE-GUEST: done"
poweroff -f
