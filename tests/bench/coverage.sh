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
# The runs use the machine's state directory ($MEMTUNE_STATE_DIR, else
# /var/lib/memtune as root), whose run history widens each interval to
# what its point's changes between this machine's earlier quick tlb runs
# predict (core/run_history.h): from the fifth quick tlb run on. The line
# "intervals:" of each run says what its intervals hold. COVERAGE_WARM=N
# runs N quick tlb runs first (their results are kept in OUT) to teach a
# new machine its history; COVERAGE_SET="history=no" gives the figure of
# the rounds alone.
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
for ((w = 1; w <= ${COVERAGE_WARM:-0}; w++)); do
	"$memtune" run --quick -b tlb "${sets[@]}" -o "$out/warm$w" >"$out/warm$w.log" 2>&1 || {
		echo "coverage: warm-up run $w failed; see $out/warm$w.log" >&2
		exit 1
	}
	echo "warm-up run $w: $out/warm$w"
done
for r in a b; do
	[ -e "$out/$r" ] && { echo "coverage: $out/$r exists; give a new OUT" >&2; exit 2; }
	start=$(date +%s)
	"$memtune" run --quick -b tlb "${sets[@]}" -o "$out/$r" >"$out/$r.log" 2>&1 || {
		echo "coverage: run $r failed; see $out/$r.log" >&2
		tail -n 5 "$out/$r.log" >&2
		exit 1
	}
	echo "run $r: $out/$r ($(($(date +%s) - start)) s)"
	"$memtune" analyze "$out/$r" 2>/dev/null | grep -m1 "intervals:" | sed 's/^ */  /' || true
done
"$memtune" compare "$out/a" "$out/b" >"$out/compare.txt"
grep -E "^# (coverage:|[a-z_]+: B's values)" "$out/compare.txt"
