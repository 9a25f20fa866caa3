#!/usr/bin/env bash
# memtune tune on the benchmark an item's rule declares, as root:
# vm.swappiness 60 -> 10 (a hand-written advice.json) tried on the swap
# benchmark's sweep case at the value in force, three pairs. Each trial is
# a run directory whose records say which swappiness was in force (B's in
# the B trials); the verification pairs the declared figures; swappiness,
# swap areas and cgroups are as before. Then kill -9 in the middle of a B
# trial's benchmark: the dead-man plays back both the benchmark's journal
# (its swap file, its cgroup) and tune's (the knob).
set -u
. "$(dirname "$0")/lib.sh"
needs t_tune_bench root jq
M=${MEMTUNE:?}
swappiness_knob
state() { swappiness_state; }
before=$(state)
trap '"$M" restore >/dev/null 2>&1; echo "$orig" > "$K"; cleanup_lib' EXIT
one_item_advice "$T/run" swappiness swappiness vm.swappiness "$K" "$orig" "$B"
expect_exit 0 "$M" tune "$T/run" --pairs 3 --seed 11 --force-container
V='.items[0].verification'
jq -e "$V | .benchmark == \"swap\" and .pairs == 3 and (.trials | length) == 6
	and ([.figures[].key | split(\" \")[0]] | sort) == [\"swap.reader_throughput\", \"swap.worker_accesses\"]
	and all(.figures[]; .pairs == 3 and .median_a > 0 and .median_b > 0)" \
	"$T/run/advice.json" >/dev/null ||
	fail "verification: $(jq -c "$V | del(.trials)" "$T/run/advice.json")"
# Each trial measured under its arm's value.
for t in $(jq -r "$V.trials[] | \"\(.arm)=\(.run_dir)\"" "$T/run/advice.json"); do
	arm=${t%%=*} dir=${t#*=}
	want=$([ "$arm" = B ] && echo "$B" || echo "$orig")
	got=$(jq -r 'select(.metric == "worker_accesses") | .system.swappiness' "$dir/results.jsonl")
	[ "$got" = "$want" ] || fail "trial $arm in $dir ran at swappiness $got, not $want"
done
[ "$(state)" = "$before" ] || fail "state after tune: $(state), before: $before"

# kill -9 during a B trial's benchmark.
"$M" tune "$T/run" --pairs 6 --force-container >"$T/kill.out" 2>&1 &
pid=$!
for i in $(seq 600); do
	[ "$(cat "$K")" = "$B" ] && swapon --show --noheadings | grep -q . && break
	sleep 0.05
done
[ "$(cat "$K")" = "$B" ] || fail "no B trial began: $(cat "$T/kill.out")"
sleep "1.$(( RANDOM % 10 ))"
kill -9 "$pid"
wait "$pid" 2>/dev/null
for i in $(seq 150); do
	[ "$(state)" = "$before" ] && break
	sleep 0.2
done
[ "$(state)" = "$before" ] || fail "after kill -9 the dead-man left: $(state) (before: $before); tune and the dead-man said: $(tail -n 8 "$T/kill.out")"
for j in run.journal tune.journal; do
	[ ! -s "$MEMTUNE_STATE_DIR/$j" ] || fail "after kill -9 $j is left: $(cat "$MEMTUNE_STATE_DIR/$j")"
done
exit 0
