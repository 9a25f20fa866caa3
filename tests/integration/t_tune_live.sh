#!/usr/bin/env bash
# memtune tune on this machine's kernel, as root: one knob
# (vm.vfs_cache_pressure, which no benchmark touches), three pairs of a
# short file-reading workload; the knob is back afterwards and no journal
# is left. Then kill -9 during a B trial: the dead-man's restore puts the
# kernel's value back without anyone running memtune restore.
set -u
. "$(dirname "$0")/lib.sh"
needs t_tune_live root jq
M=${MEMTUNE:?}
K=/proc/sys/vm/vfs_cache_pressure
J="$MEMTUNE_STATE_DIR/tune.journal"
orig=$(cat "$K")
B=$(( orig == 50 ? 60 : 50 ))
trap 'echo "$orig" > "$K"; cleanup_lib' EXIT
mkdir -p "$T/run"
# An advice file as memtune advise writes it (one item): tune checks it
# against the knob table like apply does.
one_item_advice "$T/run" vfs_cache_pressure vfs_cache_pressure vm.vfs_cache_pressure "$K" "$orig" "$B"
head -c 8M /dev/urandom >"$T/data"
W="for i in 1 2 3 4; do cat $T/data >/dev/null; done"
expect_exit 0 "$M" tune "$T/run" --workload "$W" --pairs 3 --seed 7 \
	--force-container
v=$(jq -r '.items[0].verification.verdict' "$T/run/advice.json")
[ "$v" = inconclusive ] || fail "3 pairs: verdict $v"
jq -e '.items[0].verification | (.trials | length) == 6 and .pairs == 3
	and .median_a > 0 and .median_b > 0 and .guardrails.oom_kill.pairs == 3' \
	"$T/run/advice.json" >/dev/null || fail "verification: $(jq -c '.items[0].verification | del(.trials)' "$T/run/advice.json")"
[ "$(cat "$K")" = "$orig" ] || fail "the knob holds $(cat "$K"), not $orig"
[ ! -s "$J" ] || fail "a journal is left: $(cat "$J")"

"$M" tune "$T/run" --workload "sleep 0.3" --pairs 20 --force-container \
	>"$T/kill.out" 2>&1 &
pid=$!
for i in $(seq 200); do [ "$(cat "$K")" = "$B" ] && break; sleep 0.05; done
[ "$(cat "$K")" = "$B" ] || fail "no B trial began: $(cat "$T/kill.out")"
sleep "0.$(( RANDOM % 25 + 1 ))"
kill -9 "$pid"
wait "$pid" 2>/dev/null
for i in $(seq 100); do
	[ "$(cat "$K")" = "$orig" ] && [ ! -s "$J" ] && break
	sleep 0.1
done
[ "$(cat "$K")" = "$orig" ] || fail "after kill -9: the knob holds $(cat "$K"), not $orig"
[ ! -s "$J" ] || fail "after kill -9: a journal is left: $(cat "$J")"
# An item whose benchmark trial cannot run here (zone_reclaim on one NUMA
# node) and no workload: not tried, and why; nothing changes.
if [ "$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)" -lt 2 ]; then
	zr=$(cat /proc/sys/vm/zone_reclaim_mode)
	one_item_advice "$T/zr" zone_reclaim zone_reclaim vm.zone_reclaim_mode \
		/proc/sys/vm/zone_reclaim_mode "$zr" "$(( zr == 1 ? 0 : 1 ))"
	expect_exit 0 "$M" tune "$T/zr" --pairs 1 --force-container --force zone_reclaim
	grep -q "not tried zone_reclaim: 1 NUMA node" "$T/out" ||
		fail "zone_reclaim on one node: $(cat "$T/out")"
	[ "$(cat /proc/sys/vm/zone_reclaim_mode)" = "$zr" ] || fail "zone_reclaim_mode changed"
	# Without --force, apply's guard stops it before any trial.
	[ "$zr" = 0 ] && { expect_exit 0 "$M" tune "$T/zr" --pairs 1 --force-container --workload true
		grep -q "not tried zone_reclaim: .*pass --force zone_reclaim" "$T/out" ||
			fail "guarded value tried without --force: $(cat "$T/out")"; }
fi
exit 0
