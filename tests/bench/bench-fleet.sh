#!/usr/bin/env bash
# make bench-fleet: N (default 1,000) synthetic host run directories made
# from a fixture run with jittered figures (tests/bench/gen-fleet.sh; one
# host odd), then `memtune fleet` over them, timed twice: with the
# analyzer running on every run (no analysis.json: the worst case) and
# with analysis.json present. Usage: bench-fleet.sh MEMTUNE [N]
set -eu
memtune=${1:?usage: bench-fleet.sh MEMTUNE [N]}; n=${2:-1000}
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/memtune-bench-fleet.XXXXXX); trap 'rm -rf "$T"' EXIT
"$here/gen-fleet.sh" "$here/../fixtures/runs/adv-quick" "$T/fleet" "$n" 7
t0=$(date +%s.%N)
"$memtune" fleet "$T/fleet" -o "$T/out1" >"$T/summary"
t1=$(date +%s.%N)
"$memtune" analyze "$T"/fleet/*/run-1 >/dev/null
t2=$(date +%s.%N)
"$memtune" fleet "$T/fleet" -o "$T/out2" >/dev/null
t3=$(date +%s.%N)
grep -q '^odd: host0007: tlb.thp_walk_ratio' "$T/summary" ||
  { echo "bench-fleet: host0007 not flagged"; cat "$T/summary"; exit 1; }
awk -v n="$n" -v a="$(echo "$t1 - $t0" | bc)" -v b="$(echo "$t3 - $t2" | bc)" \
  -v s="$(du -sh "$T/out1/fleet.html" | cut -f1)" \
  'BEGIN { printf "bench-fleet: %d hosts: memtune fleet %.2f s (analyzing every run), %.2f s (analysis.json present); fleet.html %s\n", n, a, b, s }'
