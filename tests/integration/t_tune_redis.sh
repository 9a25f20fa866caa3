#!/usr/bin/env bash
# memtune tune with a real workload nobody here wrote: Debian's
# redis-server under redis-benchmark (tests/workloads/redis-get.sh), in a
# memory cgroup tune makes (--memory-max) small enough that the data set
# swaps to a swap file tune makes through its journal (--swap-file). Two
# pairs of vm.swappiness 60 -> 10 (a hand-written advice.json); every trial
# reads redis-benchmark's GET rate and p99; afterwards the swap file, the
# cgroup and the server are gone and swappiness is as it was.
set -u
. "$(dirname "$0")/lib.sh"
needs t_tune_redis root jq
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null ||
	skip "t_tune_redis: needs redis-server and redis-tools (make deps)"
M=${MEMTUNE:?}
here=$(cd "$(dirname "$0")/.." && pwd)
swappiness_knob
state() {
	swappiness_state
	pgrep -x redis-server || true
}
before=$(state)
trap '"$M" restore >/dev/null 2>&1; echo "$orig" > "$K"; cleanup_lib' EXIT
one_item_advice "$T/run" swappiness swappiness vm.swappiness "$K" "$orig" "$B"
expect_exit 0 "$M" tune "$T/run" --no-bench --pairs 2 --seed 5 --force-container \
	--memory-max 48M --swap-file 256M --swap-dir "$T" \
	--workload "$here/workloads/redis-get.sh 64 5000" \
	--metric '^"GET","([0-9.]+)"' \
	--p99 '^"GET","[^"]*","[^"]*","[^"]*","[^"]*","[^"]*","([0-9.]+)"'
grep -q "the workload runs in" "$T/out" || fail "no workload cgroup: $(cat "$T/out")"
V='.items[0].verification'
jq -e "$V | (.trials | length) == 4 and all(.trials[]; .observed.workload > 0
	and .workload_p99 > 0 and (.failed == null)) and .figures[0].key == \"workload\"" \
	"$T/run/advice.json" >/dev/null ||
	fail "verification: $(jq -c "$V" "$T/run/advice.json" | cut -c1-1500)"
# The data set did not fit in the cgroup: it swapped.
jq -e "[$V.trials[].pswpin] | add > 0" "$T/run/advice.json" >/dev/null ||
	fail "no swap-in during the trials: $(jq -c "[$V.trials[].pswpin]" "$T/run/advice.json")"
[ "$(state)" = "$before" ] || fail "state after tune: $(state); before: $before"
exit 0
