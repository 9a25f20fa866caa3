#!/usr/bin/env bash
# SIGTERM and SIGINT during a run that reserved hugetlb pages: the run
# plays its journal back itself, exits 1 saying it was interrupted, leaves
# no journal, and the records finished so far stay readable.
. "$(dirname "$0")/lib.sh"
need_hugetlb_pool

for sig in TERM INT; do
  before=$(cat "$pool")
  free=$(cat "${pool%/nr_hugepages}/free_hugepages")
  size=$(( (free + 128) * 2 ))M
  hugetlb_run "$T/run-$sig" "16K,$size"
  [ "$(cat "$pool")" != "$before" ] || fail "SIG$sig: the run never reserved pages"
  sleep 1
  kill -$sig $pid
  wait $pid; rc=$?
  [ "$rc" -eq 1 ] || fail "SIG$sig: exit status $rc, expected 1"
  grep -q "interrupted" "$T/err" || fail "SIG$sig: no word of the interruption: $(cat "$T/err")"
  [ "$(cat "$pool")" = "$before" ] || fail "SIG$sig: nr_hugepages is $(cat "$pool"), was $before"
  [ ! -s "$MEMTUNE_STATE_DIR/run.journal" ] || fail "SIG$sig: a journal is left"
  jq -e '.state == "interrupted"' "$T/run-$sig/meta.json" >/dev/null || fail "SIG$sig: meta.json does not say interrupted"
  jq -e . "$T/run-$sig/results.jsonl" >/dev/null || fail "SIG$sig: records unreadable"
done
exit 0
