#!/usr/bin/env bash
# memtune export --format openmetrics on a fixture run (with advice.json):
# the families and names of the Prometheus conventions, label values
# escaped, '# EOF' last, accepted by promtool check metrics (Debian's
# prometheus package; installed here when missing, skipped only when
# apt-get cannot install it); -o PATH written atomically (no temporary
# left, replaced on a second export), a link at PATH refused, a directory
# someone else owns accepted (the operator named it).
. "$(dirname "$0")/lib.sh"
fix=$(cd "$(dirname "$0")/../fixtures/runs" && pwd)

if ! command -v promtool >/dev/null 2>&1; then
  is_root && command -v apt-get >/dev/null 2>&1 ||
    skip "promtool is missing (apt-get install prometheus)"
  prc=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    prc=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$prc" && chmod 755 "$prc"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 prometheus >/dev/null 2>&1; rc=$?
  [ -z "$prc" ] || rm -f "$prc"
  [ $rc = 0 ] && command -v promtool >/dev/null 2>&1 ||
    skip "promtool is missing and apt-get install prometheus failed"
fi

R=$T/run
cp -r "$fix/adv-quick" "$R"
cat >"$R/advice.json" <<'JSON'
{"schema_version": 1, "profile": "balanced", "basis": "run", "items": [
 {"id": "swappiness", "knob": "vm.swappiness", "current": "60",
  "recommended": "10", "change": true, "confidence": "high"},
 {"id": "thp_enabled", "knob": "transparent_hugepage.enabled",
  "current": "madvise", "recommended": "madvise", "change": false,
  "confidence": "medium"},
 {"id": "odd", "knob": "x.y", "current": "a\"b\\c\nd",
  "recommended": 5, "change": true, "confidence": "low"}]}
JSON

expect_exit 0 "$MEMTUNE" export "$R" --format openmetrics
M=$T/metrics.txt
cp "$T/out" "$M"
[ "$(tail -n 1 "$M")" = "# EOF" ] || fail "the text does not end with # EOF"
promtool check metrics <"$M" >"$T/promtool" 2>&1 ||
  fail "promtool check metrics refuses the export: $(cat "$T/promtool")"
for want in \
  '# TYPE memtune_tlb_load_latency_seconds gauge' \
  '# HELP memtune_tlb_load_latency_seconds ' \
  'memtune_tlb_load_latency_seconds{backing="4k",pattern="page",working_set_bytes="268435456"} ' \
  'memtune_advice_change{id="swappiness",knob="vm.swappiness",current="60",recommended="10",confidence="high"} 1' \
  'memtune_advice_change{id="thp_enabled",knob="transparent_hugepage.enabled",current="madvise",recommended="madvise",confidence="medium"} 0' \
  'memtune_advice_change{id="odd",knob="x.y",current="a\"b\\c\nd",recommended="5",confidence="low"} 1' \
  'memtune_advice_changes 2' \
  'memtune_run_timestamp_seconds 1795309711' \
  'memtune_tlb_thp_walk_ratio 1.7' \
  'memtune_hugepage_thp_fault_seconds 0.000235' \
  'memtune_odirect_seq_write_direct_bytes_per_second 28' \
  'memtune_run_info{host="vm",label="vm",'; do
  grep -qF -- "$want" "$M" || fail "export lacks: $want"
done
# Every sample's family has HELP and TYPE lines; names in base units only.
python3 - "$M" <<'PY' || fail "families without HELP/TYPE, or a name not in base units"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
help_, type_ = set(), set()
for l in lines:
    if l.startswith('# HELP '): help_.add(l.split()[2])
    elif l.startswith('# TYPE '): type_.add(l.split()[2])
    elif l.startswith('#'): continue
    else:
        name = re.match(r'[a-z_:][a-z0-9_:]*', l).group(0)
        assert name in help_ and name in type_, name
        assert not re.search(r'_(ns|us|ms|mb_s|pct|kb)$', name), name
PY

# -o PATH: atomic, replaced on a second export, nothing left beside it.
mkdir "$T/tf"
expect_exit 0 "$MEMTUNE" export "$R" --format openmetrics -o "$T/tf/memtune.prom"
cmp -s "$T/tf/memtune.prom" "$M" || fail "-o wrote something else than stdout"
expect_exit 0 "$MEMTUNE" export "$R" --format openmetrics -o "$T/tf/memtune.prom"
[ "$(ls -A "$T/tf")" = memtune.prom ] || fail "export left files beside PATH: $(ls -A "$T/tf")"
[ -s "$T/out" ] && fail "export -o printed the metrics too"
promtool check metrics <"$T/tf/memtune.prom" >/dev/null 2>&1 || fail "promtool refuses the -o file"
# A link at PATH is refused and not followed.
ln -s "$T/victim" "$T/tf/link.prom"
expect_exit 1 "$MEMTUNE" export "$R" --format openmetrics -o "$T/tf/link.prom"
expect_err "link.prom" "the refused link not named"
[ -e "$T/victim" ] && fail "export wrote through a link"
# The textfile directory may be someone else's (prometheus'): accepted.
if is_root; then
  mkdir "$T/other" && chown nobody "$T/other"
  expect_exit 0 "$MEMTUNE" export "$R" --format openmetrics -o "$T/other/memtune.prom"
fi
# Bad usage and unusable input: exit 2.
expect_exit 2 "$MEMTUNE" export "$R" --format prometheus
expect_exit 2 "$MEMTUNE" export "$R"
expect_exit 2 "$MEMTUNE" export "$T/missing" --format openmetrics
expect_exit 2 "$MEMTUNE" export "$R" --format openmetrics -o "$T/nodir/x.prom"
expect_exit 2 "$MEMTUNE" export "$R" --format openmetrics -o "$T/tf/"
# An analysis.json from elsewhere with hostile facts: a name taken by a
# family of export's own, quotes, backslashes and newlines in ids and
# descriptions. Names stay [a-z0-9_], each family once, promtool agrees.
R2=$T/run2
cp -r "$fix/adv-quick" "$R2"
cat >"$R2/analysis.json" <<'JSON'
{"schema_version": 1, "benchmarks": [], "facts": [
 {"id": "run.timestamp", "bench": "run", "value": 1, "unit": "s", "what": "clash"},
 {"id": "a.x\"y{z}", "bench": "a", "value": 2, "unit": "ratio",
  "what": "q\"uote \\ and\nnewline"},
 {"id": "a.x_y_z", "bench": "a", "value": 3, "unit": "ratio", "what": "dup"}]}
JSON
expect_exit 0 "$MEMTUNE" export "$R2" --format openmetrics
promtool check metrics <"$T/out" >"$T/promtool" 2>&1 ||
  fail "promtool refuses the export of hostile facts: $(cat "$T/promtool")"
[ "$(grep -c '^# TYPE memtune_run_timestamp_seconds ' "$T/out")" = 1 ] ||
  fail "a fact took the name of memtune_run_timestamp_seconds"
grep -q '^memtune_a_x_y_z_ratio 2$' "$T/out" || fail "hostile fact id not sanitized: $(grep memtune_a_ "$T/out")"
grep -q ' 3$' "$T/out" && grep -q '^memtune_a_x_y_z_ratio 3' "$T/out" &&
  fail "two facts of one name both written"

# Without advice.json: the figures alone, still valid.
rm "$R/advice.json"
expect_exit 0 "$MEMTUNE" export "$R" --format openmetrics
grep -q memtune_advice_change "$T/out" && fail "advice metrics without advice.json"
promtool check metrics <"$T/out" >/dev/null 2>&1 || fail "promtool refuses the export without advice"
echo "t_export: ok"
