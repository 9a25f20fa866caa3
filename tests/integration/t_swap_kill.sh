#!/usr/bin/env bash
# kill -9 in the middle of `swap` (after its swap file, its reader file
# and a case's cgroup exist): the journal is left pending, and `memtune
# restore` turns the swap file off and deletes it, removes the cgroup and
# puts swappiness back, so /proc/swaps, vm.swappiness and the cgroup trees
# are as they were before the run.
. "$(dirname "$0")/lib.sh"
is_root || skip "needs root to create a swap file and a memory cgroup"
v1=/sys/fs/cgroup/memory
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -d "$v1" ] || [ -n "$v2" ] || skip "no memory cgroup controller is mounted"

cgroups() { ls -d "$v1"/memtune-* ${v2:+"$v2"/memtune-*} 2>/dev/null | sort; }
swaps_before=$(cat /proc/swaps)
swappiness_before=$(cat /proc/sys/vm/swappiness)
cgroups_before=$(cgroups)

"$MEMTUNE" run -b swap -o "$T/run" --set swap.tests=swappiness \
  --set swap.limit=64M --set swap.swappiness=100 --set swap.duration=60s \
  --set swap.warmup=1s >"$T/out" 2>"$T/err" &
pid=$!
# Wait for a case's cgroup (made after the swap file and the reader file).
for i in $(seq 1 300); do
  [ "$(cgroups)" != "$cgroups_before" ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
cgroups_during=$(cgroups)
swaps_during=$(cat /proc/swaps)
swapfile=$(ls "$T"/run/memtune-swap-*.swap 2>/dev/null | head -n 1)
sleep 1
kill -9 $pid; wait $pid 2>/dev/null
# The worker and its reader die with the run (PR_SET_PDEATHSIG).
sleep 0.5
[ "$cgroups_during" != "$cgroups_before" ] || { cat "$T/err"; fail "the run never created its cgroup"; }
[ -s "$MEMTUNE_STATE_DIR/run.journal" ] || fail "no pending journal after kill -9"
if [ "$swaps_before" = "$(head -n 1 /proc/swaps)" ]; then
  # There was no swap before: the run must have made its own.
  [ -n "$swapfile" ] || fail "no swap before the run and no swap file during it"
  grep -qF "$swapfile" <<<"$swaps_during" || fail "swap file $swapfile was not on during the run"
fi

expect_exit 0 "$MEMTUNE" restore
[ "$(cat /proc/swaps)" = "$swaps_before" ] || fail "/proc/swaps differs after restore: $(cat /proc/swaps)"
[ "$(cat /proc/sys/vm/swappiness)" = "$swappiness_before" ] || fail "vm.swappiness is $(cat /proc/sys/vm/swappiness), was $swappiness_before"
[ "$(cgroups)" = "$cgroups_before" ] || fail "cgroups left after restore: $(cgroups)"
[ -z "$swapfile" ] || [ ! -e "$swapfile" ] || fail "swap file $swapfile still there after restore"
[ ! -e "$T/run/memtune-swap-reader.dat" ] || fail "the reader's file is still there after restore"
[ ! -e "$MEMTUNE_STATE_DIR/run.journal" ] || fail "journal still there after restore"
exit 0
