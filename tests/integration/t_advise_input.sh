#!/usr/bin/env bash
# Bad input to advise and apply: a truncated results.jsonl or a malformed
# meta.json is reported with path:line and the rest is still advised on;
# a malformed advice.json stops apply with path:line:column and exit 2.
. "$(dirname "$0")/lib.sh"
run="$T/run"
expect_exit 0 "$MEMTUNE" run -b tlb -o "$run" --set tlb.sizes=16K,1M \
  --set tlb.backings=4k --set sample_time=2ms --set max_samples=3
# Cut the last record in half and break meta.json.
head -c -40 "$run/results.jsonl" > "$T/r" && mv "$T/r" "$run/results.jsonl"
echo '{broken' > "$run/meta.json"
expect_exit 0 "$MEMTUNE" advise "$run"
grep -q "results.jsonl:[0-9]*:[0-9]*: .*line skipped" "$T/err" || fail "no path:line for the truncated record: $(cat "$T/err")"
grep -q "meta.json:1:[0-9]*:" "$T/err" || fail "no path:line for the malformed meta.json: $(cat "$T/err")"
[ -s "$run/advice.json" ] || fail "no advice.json written"

printf '{"schema_version":1,"items":[{"id":"x"' > "$run/advice.json"
expect_exit 2 "$MEMTUNE" apply "$run" --dry-run
grep -q "advice.json:1:[0-9]*:" "$T/err" || fail "apply: no path:line:column: $(cat "$T/err")"
expect_exit 2 "$MEMTUNE" apply "$T/nowhere" --dry-run
grep -q "nowhere/advice.json" "$T/err" || fail "apply: missing file not named: $(cat "$T/err")"
exit 0
