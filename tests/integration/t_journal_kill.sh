# kill -9 during a run that reserved hugetlb pages: the journal is left
# pending, a new run refuses to start, and `memtune restore` puts
# nr_hugepages back exactly.
. "$(dirname "$0")/lib.sh"
is_root || skip "needs root to reserve hugetlb pages"
pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
[ -w "$pool" ] || skip "no 2 MiB hugetlb pool"
before=$(cat "$pool"); thp_before=$(cat /sys/kernel/mm/transparent_hugepage/enabled)
free=$(cat "${pool%/nr_hugepages}/free_hugepages")
# Ask for more 2 MiB pages than are free, so the run must reserve some.
size=$(( (free + 128) * 2 ))M

"$MEMTUNE" run -b tlb -o "$T/run" --set tlb.backings=2m --set tlb.patterns=line \
  --set tlb.sizes=$size --set sample_time=200ms --set min_samples=30 \
  --set max_samples=30 --set ci_fraction=0.0001 >"$T/out" 2>"$T/err" &
pid=$!
# Wait until the pool has been raised (the journal entry precedes it).
for i in $(seq 1 100); do
  [ "$(cat "$pool")" != "$before" ] && break
  sleep 0.1
done
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
