#!/usr/bin/env bash
# kill -9 during pagecache and odirect: their test files stay behind with
# a pending journal, a new run refuses to start, and `memtune restore`
# deletes the files (and nothing else in their directory). Needs no root:
# the journal carries files to delete for any user.
. "$(dirname "$0")/lib.sh"
io="$T/io"
mkdir "$io"
echo keep >"$io/other"

for b in pagecache odirect; do
  "$MEMTUNE" run -b "$b" -o "$T/run-$b" --set "$b.dir=$io" \
    --set "$b.file_size=32M" --set "$b.block_sizes=4K" \
    --set sample_time=200ms --set min_samples=50 --set max_samples=50 \
    --set ci_fraction=0.0001 >"$T/out" 2>"$T/err" &
  pid=$!
  # Wait until the test file is there (its journal entry precedes it).
  for i in $(seq 1 200); do
    ls "$io"/memtune-"$b"*.data >/dev/null 2>&1 && break
    sleep 0.05
  done
  ls "$io"/memtune-"$b"*.data >/dev/null 2>&1 ||
    fail "$b: the run never created its test file: $(cat "$T/err")"
  sleep 0.5
  kill -9 $pid; wait $pid 2>/dev/null
  pkill -9 -f "$T/run-$b" 2>/dev/null; sleep 0.3
  [ -s "$MEMTUNE_STATE_DIR/run.journal" ] || fail "$b: no pending journal after kill -9"

  expect_exit 1 "$MEMTUNE" run -b "$b" -o "$T/run2-$b"
  grep -q "memtune restore" "$T/err" || fail "$b: run did not refuse with a pending journal: $(cat "$T/err")"

  expect_exit 0 "$MEMTUNE" restore
  left=$(ls "$io"/memtune-* 2>/dev/null)
  [ -z "$left" ] || fail "$b: test files left after restore: $left"
  [ "$(cat "$io/other")" = keep ] || fail "$b: restore touched a file it did not create"
  [ ! -e "$MEMTUNE_STATE_DIR/run.journal" ] || fail "$b: journal still there after restore"
done
exit 0
