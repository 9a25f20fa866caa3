#!/usr/bin/env bash
# coverage.sh MEMTUNE [OUT]: do the intervals of one run hold the next?
#
# Runs two back-to-back quick tlb runs (memtune run --quick -b tlb, with
# the quick configuration's repeat) into OUT (default: a new directory
# under /tmp) and prints `memtune compare`'s coverage lines: the fraction
# of points of the first run whose interval (ci95_lo..ci95_hi) holds the
# second run's value, and the other way round. Two runs of one
# configuration on one machine should see about 95%; the target is at
# least 90%. COVERAGE_SET adds --set options to both runs, e.g.
# COVERAGE_SET="repeat=1" for the figure without rounds.
#
# tlb changes nothing on the machine but, as root, the hugetlb pools (put
# back afterwards); it takes a few minutes per run. The machine should be
# otherwise idle: another load during one run and not the other is a
# difference the intervals do not promise to hold.
set -euo pipefail
memtune=${1:?usage: coverage.sh MEMTUNE [OUT]}
out=${2:-$(mktemp -d /tmp/memtune-coverage.XXXXXX)}
mkdir -p "$out"
sets=()
for s in ${COVERAGE_SET:-}; do sets+=(--set "$s"); done
for r in a b; do
	[ -e "$out/$r" ] && { echo "coverage: $out/$r exists; give a new OUT" >&2; exit 2; }
	start=$(date +%s)
	"$memtune" run --quick -b tlb "${sets[@]}" -o "$out/$r" >"$out/$r.log" 2>&1 || {
		echo "coverage: run $r failed; see $out/$r.log" >&2
		tail -n 5 "$out/$r.log" >&2
		exit 1
	}
	echo "run $r: $out/$r ($(($(date +%s) - start)) s)"
done
"$memtune" compare "$out/a" "$out/b" >"$out/compare.txt"
grep -E "^# (coverage:|[a-z_]+: B's values)" "$out/compare.txt"
