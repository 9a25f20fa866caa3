#!/usr/bin/env bash
# memtune analyze, compare and report on a fresh tiny real run (tlb with a
# few sizes, hugepage small) and on the fixture run directories: exit
# status, analysis.json, the summary, warnings naming path:line, the exit
# 2 errors naming the path, a run compared with itself, and a report over
# two runs naming both.
. "$(dirname "$0")/lib.sh"
fix=$(cd "$(dirname "$0")/../fixtures/runs" && pwd)
command -v python3 >/dev/null || skip "python3 is needed to check the JSON"

expect_exit 0 "$MEMTUNE" run -b tlb,hugepage --set tlb.sizes=16K,1M,8M \
  --set hugepage.size=8M -o "$T/fresh"
[ "$(tail -n 1 "$T/out")" = "$T/fresh" ] || fail "run did not print its directory"

valid_json() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1"; }

# Fixtures are copied: analyze writes DIR/analysis.json.
for d in tlb-hugepage numa-2node numa-1node swap-quick pressure-quick unknown-bench; do
  cp -r "$fix/$d" "$T/$d"
done
for d in fresh tlb-hugepage numa-2node numa-1node swap-quick pressure-quick unknown-bench; do
  expect_exit 0 "$MEMTUNE" analyze "$T/$d"
  [ -s "$T/$d/analysis.json" ] || fail "$d: no analysis.json"
  valid_json "$T/$d/analysis.json" || fail "$d: analysis.json is not valid JSON"
  grep -q "^== $T/$d " "$T/out" || fail "$d: no summary header"
done
expect_exit 0 "$MEMTUNE" analyze "$T/fresh"
grep -q '^tlb  *analyzed' "$T/out" || fail "fresh run: tlb not analyzed"
grep -q '^hugepage  *analyzed' "$T/out" || fail "fresh run: hugepage not analyzed"
expect_exit 0 "$MEMTUNE" analyze "$T/numa-2node"
grep -q 'remote/local latency' "$T/out" || fail "numa: no remote/local ratio"
grep -q 'zone_reclaim: With zone_reclaim_mode=1' "$T/out" || fail "numa: no zone_reclaim finding"
expect_exit 0 "$MEMTUNE" analyze "$T/unknown-bench"
grep -q 'frobnicate *no analysis yet' "$T/out" || fail "unknown bench not listed"
expect_exit 0 "$MEMTUNE" analyze --json "$T/swap-quick"
python3 -c 'import json,sys; a=json.load(sys.stdin); assert a["benchmarks"][0]["derived"]["swappiness"]' <"$T/out" \
  || fail "analyze --json is not the analysis"

# A truncated results.jsonl: a warning naming path:line, exit 0.
mkdir "$T/trunc"
cp "$T/fresh/meta.json" "$T/trunc/"
head -n 5 "$T/fresh/results.jsonl" >"$T/trunc/results.jsonl"
sed -n 6p "$T/fresh/results.jsonl" | head -c 40 >>"$T/trunc/results.jsonl"
expect_exit 0 "$MEMTUNE" analyze "$T/trunc"
grep -q "$T/trunc/results.jsonl:6:[0-9]*: .*(truncated?)" "$T/err" || { cat "$T/err"; fail "no warning naming results.jsonl:6"; }
[ -s "$T/trunc/analysis.json" ] || fail "truncated run: no analysis.json"

# A missing DIR, and a DIR without results.jsonl: exit 2 naming the path.
expect_exit 2 "$MEMTUNE" analyze "$T/nowhere"
grep -q "$T/nowhere" "$T/err" || fail "missing DIR not named"
mkdir "$T/empty"
expect_exit 2 "$MEMTUNE" analyze "$T/empty"
grep -q "$T/empty/results.jsonl" "$T/err" || fail "missing results.jsonl not named"
# The others are still analyzed, and the status is 2.
rm -f "$T/numa-1node/analysis.json"
expect_exit 2 "$MEMTUNE" analyze "$T/empty" "$T/numa-1node"
[ -s "$T/numa-1node/analysis.json" ] || fail "a bad DIR stopped the others"

# repeat = 2: every measured record holds its two rounds, its value is
# their median and its interval holds both; meta.json gives the rounds,
# the seed and each round's order of the cases.
expect_exit 0 "$MEMTUNE" run -b tlb --set tlb.sizes=16K,1M \
  --set tlb.backings=4k --set repeat=2 -o "$T/rounds"
python3 - "$T/rounds" <<'PY' || fail "repeat=2 did not write records of two rounds"
import json, sys
d = sys.argv[1]
recs = [json.loads(l) for l in open(d + "/results.jsonl")]
ok = [r for r in recs if r.get("status") == "ok"]
assert len(ok) == 4, "expected 4 measured records, got %d" % len(ok)
for r in ok:
    rs = r["rounds"]
    assert len(rs) == 2 and len(r["round_ci95"]) == 2, r
    assert abs(r["value"] - sum(rs) / 2) < 1e-9 * abs(r["value"]), r
    assert r["ci95_lo"] <= min(rs) and max(rs) <= r["ci95_hi"], r
    assert r["n"] == len(r["samples"]), r
m = json.load(open(d + "/meta.json"))
assert m["repeat"] == 2 and m["round_seed"] == 1, m
b = m["benchmarks"][0]
assert b["rounds"] == 2 and len(b["round_orders"]) == 2, b
assert sorted(b["round_orders"][0]) == [0, 1, 2, 3], b
PY
expect_exit 0 "$MEMTUNE" compare "$T/rounds" "$T/rounds"
grep -q '^# coverage: 4 of 4 points (100.0%)' "$T/out" || fail "compare printed no coverage"

# A run compared with itself: nothing significant.
expect_exit 0 "$MEMTUNE" compare --json "$T/fresh" "$T/fresh"
python3 - "$T/out" <<'PY' || fail "compare of a run with itself found a significant change"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["rows"], "no rows"
assert not any(r["significant"] for r in c["rows"]), "significant row"
PY
expect_exit 0 "$MEMTUNE" compare "$T/fresh" "$T/fresh"
grep -qi 'welch' "$T/out" || fail "compare does not state its method"

# A report over two runs: index.html names both runs' labels.
command -v gnuplot >/dev/null || skip "gnuplot is missing (the rest passed)"
expect_exit 0 "$MEMTUNE" report "$T/fresh" "$T/tlb-hugepage" -o "$T/rep"
[ "$(tail -n 1 "$T/out")" = "$T/rep/index.html" ] || fail "report did not print the page path"
label() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["host"] + " " + m["start"])' "$1"; }
for d in fresh tlb-hugepage; do
  l=$(label "$T/$d/meta.json")
  grep -qF "$l" "$T/rep/index.html" || fail "index.html lacks the label '$l'"
done
for f in tlb-page tlb-line hugepage-fault; do
  [ -s "$T/rep/$f.svg" ] && [ -s "$T/rep/$f.png" ] || fail "figure $f is missing"
done
# One report with every fixture: the new modules' figures are drawn.
expect_exit 0 "$MEMTUNE" report "$T/numa-2node" -o "$T/rep-numa"
for f in numa-latency numa-bandwidth numa-placement numa-zone-reclaim-placement; do
  [ -s "$T/rep-numa/$f.svg" ] || fail "figure $f is missing"
done
expect_exit 0 "$MEMTUNE" report "$T/swap-quick" "$T/pressure-quick" -o "$T/rep-swap"
for f in swap-throughput swap-p99 swap-costs reclaim-stalls mlock-p99 oom-kill-time; do
  [ -s "$T/rep-swap/$f.svg" ] || fail "figure $f is missing"
done
echo "analyze, compare and report ok"
