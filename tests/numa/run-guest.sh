#!/usr/bin/env bash
# make test-numa: boots a small Debian kernel under qemu-system-x86_64 with
# two NUMA nodes, runs `memtune run -b numa --quick` inside, and checks
# that the matrix has two nodes, that remote placement really landed on the
# other node, that both zone_reclaim_mode cases ran, and that the journal
# put the sysctl back. Emulated timings mean nothing; placement and
# restoration do.
#
# Needs: qemu-system-x86, busybox-static, cpio, e2fsprogs, kmod, jq, and a
# kernel image from Debian's linux-image-amd64 (downloaded with apt-get
# download into the build directory, not installed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${BUILD:-$top/build}/numa-guest
bin=${MEMTUNE:-$top/build/memtune}
mkdir -p "$build"
cd "$build"

say() { echo "test-numa: $*"; }
fail() { echo "test-numa: FAIL: $*"; exit 1; }

# 1. A kernel, and the modules for a virtio disk with ext4 (the page-cache
#    file of the zone_reclaim cases must live on a disk filesystem).
if [ ! -f vmlinuz ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  [ -n "$pkg" ] || fail "cannot resolve linux-image-amd64 (run apt-get update)"
  say "downloading $pkg"
  rm -rf kpkg && mkdir kpkg
  (cd kpkg && apt-get download "$pkg" >/dev/null 2>&1) || fail "apt-get download $pkg failed"
  dpkg-deb -x kpkg/*.deb kroot
  cp kroot/boot/vmlinuz-* vmlinuz
  kver=$(ls kroot/lib/modules)
  depmod -b kroot "$kver"
  rm -rf modules && mkdir modules
  # --show-depends takes one module; the rest would be its parameters.
  for m in virtio_pci virtio_blk ext4; do
    modprobe -d kroot -S "$kver" --show-depends "$m" 2>/dev/null
  done | awk '$1 == "insmod" && !seen[$2]++ {print $2}' | while read -r ko; do
      case "$ko" in *.xz) xz -dc "$ko" > "modules/$(basename "${ko%.xz}")";;
                    *.zst) zstd -qdc "$ko" > "modules/$(basename "${ko%.zst}")";;
                    *) cp "$ko" modules/;; esac
      basename "${ko%.*}" | sed 's/$/.ko/' >> modules/order
    done
  rm -rf kroot kpkg
fi

# 2. An initramfs: busybox, memtune and the libraries it links, configs.
rm -rf root && mkdir -p root/bin root/lib root/lib64 root/configs root/modules
cp "$(command -v busybox)" root/bin/busybox
cp "$bin" root/memtune
cp "$top"/configs/*.ini root/configs/
cp modules/* root/modules/
for lib in $(ldd "$bin" | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do
  case "$lib" in /lib64/*) cp -L "$lib" root/lib64/;; *) cp -L "$lib" root/lib/;; esac
done
cp "$here/guest-init.sh" root/init && chmod 755 root/init
(cd root && find . | cpio -o -H newc 2>/dev/null | gzip -1) > initrd.gz

# 3. A disk for the run directory.
rm -f disk.img && truncate -s 3G disk.img && mkfs.ext4 -q -F disk.img

# 4. Boot with two nodes of 1 GiB, one CPU each, distance 21.
# TCG, not KVM: nested KVM in a VM is often unavailable or hangs, and the
# emulated timings are not what this test checks.
accel=(-accel tcg)
say "booting (${accel[*]})"
timeout 1500 qemu-system-x86_64 "${accel[@]}" -machine q35 -m 2G -smp 2 \
  -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G \
  -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1 \
  -numa dist,src=0,dst=1,val=21 \
  -kernel vmlinuz -initrd initrd.gz -append "console=ttyS0 quiet panic=-1" \
  -drive file=disk.img,if=virtio,format=raw \
  -nographic -no-reboot -serial mon:stdio < /dev/null | tr -d '\r' > console.log || true
grep -q "MEMTUNE-GUEST: done" console.log || { tail -n 40 console.log; fail "the guest did not finish"; }
grep "^MEMTUNE-GUEST:" console.log | grep -v -E "BEGIN|END" || true
sed -n '/MEMTUNE-GUEST: BEGIN results/,/MEMTUNE-GUEST: END results/p' console.log \
  | grep '^{' > results.jsonl || true
sed -n '/MEMTUNE-GUEST: BEGIN sysinfo/,/MEMTUNE-GUEST: END sysinfo/p' console.log | grep '^{' > sysinfo.json || true
# The captured tree (tests/fixtures/machines/qemu-2node was made from it)
# and the run's meta.json + results.jsonl.
rm -rf tree run
sed -n '/MEMTUNE-GUEST: BEGIN capture/,/MEMTUNE-GUEST: END capture/p' console.log \
  | grep -v 'MEMTUNE-GUEST' | base64 -d 2>/dev/null | tar -xzf - 2>/dev/null \
  || say "warning: no captured tree in the console output"
[ -d tree ] && say "captured tree: $build/tree, run: $build/run"

# 5. The checks.
grep -q "MEMTUNE-GUEST: nodes 2$" console.log || fail "the guest does not see 2 NUMA nodes"
grep -q "MEMTUNE-GUEST: run exit 0" console.log || fail "memtune run failed in the guest"
# The firmware's terminal escapes may precede a line: match anywhere.
before=$(sed -n 's/.*MEMTUNE-GUEST: zone_reclaim_mode before //p' console.log)
after=$(sed -n 's/.*MEMTUNE-GUEST: zone_reclaim_mode after //p' console.log)
[ -n "$before" ] && [ "$before" = "$after" ] || fail "zone_reclaim_mode was $before before, $after after"
grep -q "MEMTUNE-GUEST: journal left 0" console.log || fail "a journal was left in the guest"
grep -q "MEMTUNE-GUEST: tune exit 0" console.log ||
  fail "memtune tune failed in the guest: $(sed -n '/tune output/,/BEGIN results/p' console.log | head -20)"
grep -q "MEMTUNE-GUEST: tune figures [1-9]" console.log || fail "tune measured no numa figure in the guest"
grep -q "MEMTUNE-GUEST: tune left zone_reclaim_mode $before" console.log || fail "tune left zone_reclaim_mode changed"
grep -q "MEMTUNE-GUEST: journals after tune 0" console.log || fail "tune left a journal in the guest"
jq -s -e '[.[] | select(.case.op == "latency" and .status == "ok")] | length == 4' results.jsonl >/dev/null \
  || fail "the latency matrix is not 2x2"
jq -s -e '[.[] | select(.case.op == "bandwidth" and .status == "ok")] | length == 4' results.jsonl >/dev/null \
  || fail "the bandwidth matrix is not 2x2"
jq -s -e '.[] | select(.case.op == "placement" and .case.placement == "remote") | .status == "ok" and .obtained.mem_node == 1 and (.obtained.pages_per_node["1"] // 0) > 0 and (.obtained.on_target_fraction >= 0.99)' results.jsonl >/dev/null \
  || fail "remote placement did not land on node 1"
jq -s -e '[.[] | select(.case.op == "latency" and .case.cpu_node == 0 and .case.mem_node == 1) | .obtained.pages_per_node["1"]] | .[0] > 0' results.jsonl >/dev/null \
  || fail "node 0 -> node 1 latency memory was not on node 1"
for m in 0 1; do
  jq -s -e --argjson m $m '[.[] | select(.case.op == "zone_reclaim" and .case.zone_reclaim_mode == $m and .status == "ok")] | length >= 1' results.jsonl >/dev/null \
    || fail "zone_reclaim_mode $m case did not run"
done
say "latency matrix (ns; emulated, not meaningful):"
jq -r -s '.[] | select(.case.op == "latency") | "  cpu node \(.case.cpu_node) -> mem node \(.case.mem_node): \(.value | floor) ns"' results.jsonl
say "zone_reclaim:"
jq -r -s '.[] | select(.case.op == "zone_reclaim" and .status == "ok") | "  mode \(.case.zone_reclaim_mode): \(.metric) = \(.value)"' results.jsonl
echo "test-numa: 1 passed, 0 failed"
