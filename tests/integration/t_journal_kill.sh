#!/usr/bin/env bash
# kill -9 during a run that reserved hugetlb pages: the journal is left
# pending, a new run refuses to start, and `memtune restore` puts
# nr_hugepages back exactly.
. "$(dirname "$0")/lib.sh"
need_hugetlb_pool
before=$(cat "$pool"); thp_before=$(cat /sys/kernel/mm/transparent_hugepage/enabled)
free=$(cat "${pool%/nr_hugepages}/free_hugepages")
# Ask for more 2 MiB pages than are free, so the run must reserve some.
size=$(( (free + 128) * 2 ))M

# Start it and wait until the pool has been raised.
hugetlb_run "$T/run" "$size"
during=$(cat "$pool")
sleep 0.5
kill -9 $pid; wait $pid 2>/dev/null
pkill -9 -f "$T/run" 2>/dev/null; sleep 0.3
[ "$during" != "$before" ] || fail "the run never reserved hugetlb pages (pool stayed $before)"
[ -s "$MEMTUNE_STATE_DIR/run.journal" ] || fail "no pending journal after kill -9"

expect_exit 1 "$MEMTUNE" run -b tlb -o "$T/run2"
grep -q "memtune restore" "$T/err" || fail "run did not refuse with a pending journal: $(cat "$T/err")"

expect_exit 0 "$MEMTUNE" restore
[ "$(cat "$pool")" = "$before" ] || fail "nr_hugepages is $(cat "$pool"), was $before"
[ "$(cat /sys/kernel/mm/transparent_hugepage/enabled)" = "$thp_before" ] || fail "THP mode changed"
[ ! -e "$MEMTUNE_STATE_DIR/run.journal" ] || fail "journal still there after restore"
# The records finished before the kill are still readable.
if [ -s "$T/run/results.jsonl" ]; then
  head -n -1 "$T/run/results.jsonl" | jq -e . >/dev/null || fail "finished records unreadable after kill"
fi
exit 0
