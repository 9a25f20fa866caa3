#!/usr/bin/env bash
# memtune analyze, advise and report on the fixture observations of issue
# 18 (tests/fixtures/observe, copies: analyze and advise write into DIR):
# the observe module analyzed with its facts, the leak verdict, the advice
# each scenario leads to, and the report's two observe figures. Reads
# files only; changes nothing on the machine.
. "$(dirname "$0")/lib.sh"
fix=$(cd "$(dirname "$0")/../fixtures/observe" && pwd)
command -v jq >/dev/null || skip "jq is needed to check the JSON"

for d in leak warmup swapin stall cachemiss healthy; do
  cp -r "$fix/$d" "$T/$d"
  expect_exit 0 "$MEMTUNE" analyze "$T/$d"
  grep -q '^observe  *analyzed' "$T/out" || fail "$d: observe not analyzed"
  jq -e '.facts | map(.id) | index("observe.mem_available_min")' \
    "$T/$d/analysis.json" >/dev/null || fail "$d: no observe.mem_available_min"
  expect_exit 0 "$MEMTUNE" advise "$T/$d"
  [ -s "$T/$d/advice.json" ] || fail "$d: no advice.json"
done

v() { jq -r "$2" "$T/$1/analysis.json"; }
[ "$(v leak '.benchmarks[] | select(.bench=="observe") | .derived.targets[0].growth.verdict')" = leak ] \
  || fail "leak: the leaking process is not a leak"
[ "$(v leak '.benchmarks[] | select(.bench=="observe") | .derived.targets[1].growth.verdict')" = steady ] \
  || fail "leak: the steady process is not steady"
[ "$(v warmup '.benchmarks[] | select(.bench=="observe") | .derived.targets[0].growth.verdict')" != leak ] \
  || fail "warmup: a warm-up called a leak"

item() { jq -r --arg id "$2" ".items[] | select(.id==\$id) | $3" "$T/$1/advice.json"; }
[ "$(item leak workload.leak.leaky .change)" = false ] || fail "leak: no leak item, or it changes something"
[ "$(item swapin cgroup.observe.redis-server.service.memory_low .knob)" = \
  memory.low:redis-server.service ] || fail "swapin: no memory.low for the service"
[ "$(item stall watermark_scale_factor .recommended)" = 100 ] \
  || fail "stall: watermark_scale_factor not raised"
[ "$(item cachemiss workload.page_cache.reader .recommended)" = "more memory or O_DIRECT" ] \
  || fail "cachemiss: no 'more memory or O_DIRECT' item"
grep -q 'workload\.' "$T/healthy/advice.json" && fail "healthy: a workload item"

# The report draws the two observe figures (gnuplot optional).
if command -v gnuplot >/dev/null; then
  expect_exit 0 "$MEMTUNE" report "$T/leak" -o "$T/report"
  for f in observe-available observe-memory; do
    [ -s "$T/report/$f.dat" ] || fail "report: no $f.dat"
  done
fi
echo "ok t_observe_analyze"
