#!/usr/bin/env bash
# memtune fleet on a small tree made from a fixture run (tests/bench/
# gen-fleet.sh): five hosts, one made odd (its 4 KiB-page TLB latencies
# three times the others'); fleet.json must flag that host, naming
# tlb.thp_walk_ratio, and no other host for it. Also: the advice that
# differs within the group, a host's latest run chosen, analysis.json used
# when present, malformed, linked and oversized hosts named and skipped,
# the HTML page self-contained with every string escaped, exit 2 when no
# host is usable, and `memtune run --label` writing meta.json's label.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/.." && pwd)
fix=$here/fixtures/runs
command -v python3 >/dev/null || skip "python3 is needed to check the JSON"

F=$T/fleet
"$here/bench/gen-fleet.sh" "$fix/adv-quick" "$F" 5 2 3 || fail "gen-fleet.sh failed"

# An older run on host0000 (a greater name, an older start) that would
# be in another group: the latest start is the run read.
mkdir "$F/host0000/run-9"
cp "$F/host0000/run-1/results.jsonl" "$F/host0000/run-9/"
python3 - "$F/host0000/run-9/meta.json" "$F/host0000/run-1/meta.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[2])); m['start'] = '2020-01-01T00:00:00Z'
m['cpu_model'] = 'Old CPU'
json.dump(m, open(sys.argv[1], 'w'))
PY
# host0001 carries analysis.json (memtune analyze wrote it), and a label
# that HTML must escape.
expect_exit 0 "$MEMTUNE" analyze "$F/host0001/run-1"
python3 - "$F/host0001/run-1/meta.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m['label'] = '<b>web&1</b>'
json.dump(m, open(sys.argv[1], 'w'))
PY
# Advice: swappiness 10 everywhere but host0003 (60).
for i in 0 1 2 3 4; do
  rec=10; [ $i = 3 ] && rec=60
  cat >"$F/host000$i/run-1/advice.json" <<JSON
{"schema_version": 1, "profile": "balanced", "basis": "run", "items": [
 {"id": "swappiness", "knob": "vm.swappiness", "current": "60",
  "recommended": "$rec", "change": true, "confidence": "high"},
 {"id": "thp_enabled", "knob": "transparent_hugepage.enabled",
  "current": "madvise", "recommended": "madvise", "change": false,
  "confidence": "medium"}]}
JSON
done
# Hosts that cannot be used: malformed meta.json, a link, an oversized
# results.jsonl, no run at all.
mkdir -p "$F/broken/run-1" "$F/empty"
echo '{"host": ' >"$F/broken/run-1/meta.json"
cp "$fix/adv-quick/results.jsonl" "$F/broken/run-1/"
ln -s "$F/host0004" "$F/linked"
mkdir -p "$F/huge/run-1"
cp "$fix/adv-quick/meta.json" "$F/huge/run-1/"
truncate -s 65M "$F/huge/run-1/results.jsonl"

expect_exit 0 "$MEMTUNE" fleet "$F" -o "$T/out-fleet"
J=$T/out-fleet/fleet.json
H=$T/out-fleet/fleet.html
[ -s "$J" ] && [ -s "$H" ] || fail "fleet.json or fleet.html missing"
grep -q "^odd: host0002: tlb.thp_walk_ratio" "$T/out" || fail "summary does not flag host0002: $(cat "$T/out")"
for h in broken linked huge empty; do
  grep -q "host '$h' skipped\|$h" "$T/err" || fail "skipped host $h not named on stderr: $(cat "$T/err")"
done

python3 - "$J" <<'PY' || fail "fleet.json is not as expected"
import json, sys
f = json.load(open(sys.argv[1]))
hosts = {h['host']: h for h in f['hosts']}
assert sorted(hosts) == ['host000%d' % i for i in range(5)], sorted(hosts)
assert len(f['groups']) == 1, [g['key'] for g in f['groups']]
g = f['groups'][0]
assert g['key'] == 'AMD EPYC | 24 GiB | 6.18.44-fc-v657', g['key']
# The odd host and the figure that makes it odd.
odd = [o['figure'] for o in hosts['host0002']['odd']]
assert 'tlb.thp_walk_ratio' in odd, odd
for n, h in hosts.items():
    if n != 'host0002':
        assert 'tlb.thp_walk_ratio' not in [o['figure'] for o in h['odd']], n
walk = [x for x in g['figures'] if x['id'] == 'tlb.thp_walk_ratio'][0]
assert [o['host'] for o in walk['outliers']] == ['host0002'], walk
assert walk['n'] == 5
# The latest run of host0000; analysis.json of host0001 used.
assert hosts['host0000']['run'] == 'host0000/run-1', hosts['host0000']['run']
assert hosts['host0000']['runs'] == 2
assert hosts['host0001']['analyzed_here'] is False
assert hosts['host0002']['analyzed_here'] is True
assert hosts['host0001']['label'] == '<b>web&1</b>'
assert hosts['host0003']['label'] == 'host0003'
# The advice that differs: swappiness only.
d = g['advice_differs']
assert [x['id'] for x in d] == ['swappiness'], d
vals = {v['host']: v['recommended'] for v in d[0]['values']}
assert vals['host0003'] == '60' and vals['host0000'] == '10', vals
skipped = {s['host']: s['reason'] for s in f['skipped']}
assert set(skipped) == {'broken', 'linked', 'huge', 'empty'}, skipped
assert 'meta.json' in skipped['broken'], skipped['broken']
assert 'symbolic link' in skipped['linked'], skipped['linked']
assert 'larger' in skipped['huge'], skipped['huge']
assert '3.5' in f['rule'] and 'MAD' in f['rule']
PY

# The page: self-contained, strings escaped.
grep -qi '<script\|<link\|src=\|url(\|http' "$H" && fail "fleet.html refers to something outside itself"
grep -q '&lt;b&gt;web&amp;1&lt;/b&gt;' "$H" || fail "fleet.html does not escape the label"
grep -q '<b>web' "$H" && fail "fleet.html holds a label unescaped"
grep -q '<td class="odd" title="group median [0-9.]*, robust score [0-9.]*">[0-9.]*</td>' "$H" || fail "fleet.html marks no odd cell"

# Without -o the files go into DIR; a second run replaces them.
expect_exit 0 "$MEMTUNE" fleet "$F"
expect_exit 0 "$MEMTUNE" fleet "$F"
[ -s "$F/fleet.json" ] || fail "fleet did not write DIR/fleet.json"
# A planted link where fleet.html goes is refused, not followed.
mkdir "$T/out2" && ln -s "$T/victim" "$T/out2/fleet.html"
expect_exit 1 "$MEMTUNE" fleet "$F" -o "$T/out2"
[ -e "$T/victim" ] && fail "fleet wrote through a link"

# Nothing usable: exit 2, naming the directory.
mkdir -p "$T/none/a/run-1"
expect_exit 2 "$MEMTUNE" fleet "$T/none"
expect_err "no usable host" "no usable host not reported"
expect_exit 2 "$MEMTUNE" fleet "$T/missing"
expect_exit 2 "$MEMTUNE" fleet
expect_exit 0 "$MEMTUNE" fleet --help

# run --label sets meta.json's label; a bad label is a usage error.
expect_exit 0 "$MEMTUNE" run -b tlb --set tlb.sizes=16K,64K \
  --set tlb.backings=4k --set tlb.patterns=page --set sample_time=5ms \
  --set min_samples=3 --set max_samples=3 --label web-1.example -o "$T/lab"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["label"] == "web-1.example"' \
  "$T/lab/meta.json" || fail "run --label did not set meta.json label"
expect_exit 2 "$MEMTUNE" run -b tlb --label 'bad label' -o "$T/lab2"
expect_err "label" "a bad --label not named"
[ -e "$T/lab2" ] && fail "a bad --label still ran"
echo "t_fleet: ok"
