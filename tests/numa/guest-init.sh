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

# The files sysinfo, hwloc and the advisor read, copied before the run
# changes anything: a captured two-node tree for MEMTUNE_FSROOT tests
# (tests/fixtures/machines/qemu-2node). /proc and /sys files report size 0,
# so each is read with cat rather than archived directly; unreadable ones
# (write-only triggers such as drop_caches) are left out.
capture() {
  for f in "$@"; do
    [ -f "$f" ] || continue
    mkdir -p "/tmp/capture/tree$(dirname "$f")"
    cat "$f" > "/tmp/capture/tree$f" 2>/dev/null || rm -f "/tmp/capture/tree$f"
  done
}
capture /proc/meminfo /proc/zoneinfo /proc/vmstat /proc/swaps /proc/mounts \
  /proc/cpuinfo /proc/buddyinfo /proc/sys/kernel/hostname \
  /proc/sys/kernel/osrelease /proc/sys/vm/* \
  /sys/kernel/mm/transparent_hugepage/* \
  /sys/kernel/mm/transparent_hugepage/khugepaged/* \
  /sys/kernel/mm/hugepages/*/* \
  /sys/devices/system/node/online /sys/devices/system/node/possible \
  /sys/devices/system/node/has_* /sys/devices/system/node/node*/cpulist \
  /sys/devices/system/node/node*/cpumap \
  /sys/devices/system/node/node*/distance \
  /sys/devices/system/node/node*/meminfo \
  /sys/devices/system/cpu/online /sys/devices/system/cpu/possible \
  /sys/devices/system/cpu/present /sys/devices/system/cpu/kernel_max \
  /sys/devices/system/cpu/cpu*/topology/* \
  /sys/devices/system/cpu/cpu*/cache/index*/* \
  /sys/fs/cgroup/cgroup.controllers
echo "MEMTUNE-GUEST: zone_reclaim_mode before $(cat /proc/sys/vm/zone_reclaim_mode)"
echo "MEMTUNE-GUEST: nodes $(ls -d /sys/devices/system/node/node* | wc -l)"
/memtune run -b numa --quick -o /data/run --set output=/data > /tmp/run.out 2> /tmp/run.err
echo "MEMTUNE-GUEST: run exit $?"
echo "MEMTUNE-GUEST: zone_reclaim_mode after $(cat /proc/sys/vm/zone_reclaim_mode)"
echo "MEMTUNE-GUEST: journal left $(ls /data/state/*.journal 2>/dev/null | wc -l)"
echo "MEMTUNE-GUEST: stderr"; tail -n 20 /tmp/run.err
# memtune tune on the two nodes: zone_reclaim_mode 0 -> 1 tried on the
# numa benchmark's zone_reclaim experiment (two pairs), then the mode and
# the journals are as before.
mkdir -p /data/tz
cat > /data/tz/advice.json <<'JSON'
{"schema_version": 1, "profile": "test", "basis": "system", "items": [
 {"id": "zone_reclaim", "knob": "vm.zone_reclaim_mode", "current": "0",
  "recommended": "1", "change": true, "confidence": "medium",
  "evidence": [], "reason": "test", "source": "test", "apply": "-",
  "rule": "zone_reclaim", "target": {"path": "/proc/sys/vm/zone_reclaim_mode",
  "value": "1", "sysctl": "vm.zone_reclaim_mode"}}]}
JSON
/memtune tune /data/tz --pairs 2 --force-container --force zone_reclaim > /tmp/tune.out 2> /tmp/tune.err
echo "MEMTUNE-GUEST: tune exit $?"
echo "MEMTUNE-GUEST: tune figures $(grep -c '"key": "numa\.' /data/tz/advice.json)"
echo "MEMTUNE-GUEST: tune left zone_reclaim_mode $(cat /proc/sys/vm/zone_reclaim_mode)"
echo "MEMTUNE-GUEST: journals after tune $(ls /data/state/*.journal 2>/dev/null | wc -l)"
echo "MEMTUNE-GUEST: tune output"; cat /tmp/tune.out; tail -n 5 /tmp/tune.err
echo "MEMTUNE-GUEST: BEGIN results"
cat /data/run/results.jsonl
echo "MEMTUNE-GUEST: END results"
# The captured tree and the run's meta.json and results, as one base64
# tarball (run-guest.sh decodes it into build/numa-guest/{tree,run}).
mkdir -p /tmp/capture/run
cp /data/run/meta.json /data/run/results.jsonl /tmp/capture/run/ 2>/dev/null
echo "MEMTUNE-GUEST: BEGIN capture"
tar -C /tmp/capture -cf - tree run | gzip -9 | base64
echo "MEMTUNE-GUEST: END capture"
echo "MEMTUNE-GUEST: BEGIN sysinfo"
/memtune sysinfo --json | tr -d '\n'; echo
echo "MEMTUNE-GUEST: END sysinfo"
umount /data
echo "MEMTUNE-GUEST: done"
poweroff -f
