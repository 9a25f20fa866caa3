#!/usr/bin/env bash
# make bench-analyzer: 1,000 run directories made from a fixture run with
# values jittered by up to +-10% (gen-fleet.sh, one host each), then
# `memtune analyze` and `memtune report` over all of them, timed.
# Usage: bench-analyzer.sh MEMTUNE [N]
set -eu
memtune=${1:?usage: bench-analyzer.sh MEMTUNE [N]}; n=${2:-1000}
src=$(cd "$(dirname "$0")/../fixtures/runs/tlb-hugepage" && pwd)
T=$(mktemp -d /var/tmp/memtune-bench.XXXXXX); trap 'rm -rf "$T"' EXIT
"$(dirname "$0")/gen-fleet.sh" "$src" "$T" "$n" -1 3 0.1
t0=$(date +%s.%N)
"$memtune" analyze "$T"/host*/run-1 >/dev/null
t1=$(date +%s.%N)
"$memtune" report "$T"/host*/run-1 -o "$T/report" >/dev/null
t2=$(date +%s.%N)
awk -v n="$n" -v a="$(echo "$t1 - $t0" | bc)" -v r="$(echo "$t2 - $t1" | bc)" \
  'BEGIN { printf "bench-analyzer: %d run directories: analyze %.2f s, report %.2f s\n", n, a, r }'
