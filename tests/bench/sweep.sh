#!/usr/bin/env bash
# make bench-sweep: runs the quick sweep (memtune run --quick, ARGS added)
# and prints each benchmark's wall time, its cases, its rounds and how many
# of its sampled cases converged, then the sweep's total, from the run
# directory's meta.json (start, end, benchmarks[].seconds, .rounds) and
# results.jsonl.
#
#   tests/bench/sweep.sh [ARGS...]      run the sweep, then print
#   tests/bench/sweep.sh --times DIR    print for an existing run directory
#
# MEMTUNE names the program (default ./memtune). Needs jq. The quick sweep
# changes sysctls, cgroups and swap through the journal (root); run
# `memtune restore` if it is killed.
set -u
M=${MEMTUNE:-./memtune}
command -v jq >/dev/null || { echo "bench-sweep: needs jq (make deps)" >&2; exit 2; }

rc=0
if [ "${1:-}" = --times ]; then
	dir=${2:?"--times DIR"}
else
	out=$(mktemp)
	"$M" run --quick "$@" >"$out"
	rc=$?
	dir=$(tail -n 1 "$out")
	rm -f "$out"
	[ -n "$dir" ] && [ -f "$dir/meta.json" ] || { echo "bench-sweep: no run directory" >&2; exit 1; }
fi

# Sampled cases (more than one sample) per benchmark, and those converged.
conv=$(jq -sc 'map(select(.obtained.samples_taken > 1)) | unique_by([.bench, .case])
	| group_by(.bench) | map({key: .[0].bench,
	  value: "\(map(select(.obtained.converged)) | length)/\(length)"}) | from_entries' \
	"$dir/results.jsonl")
printf '%-10s %-9s %6s %6s %9s %9s\n' benchmark status cases rounds converged seconds
jq -r --argjson conv "$conv" '.benchmarks[] |
	[.section, .status, (.cases // 0), (.rounds // 1), ($conv[.bench] // "-"),
	 ((.seconds // 0) * 10 | round / 10)]
	| @tsv' "$dir/meta.json" |
	while IFS=$'\t' read -r s st n r c sec; do
		printf '%-10s %-9s %6s %6s %9s %9s\n' "$s" "$st" "$n" "$r" "$c" "$sec"
	done
jq -r '"total: \((.end | fromdateiso8601) - (.start | fromdateiso8601)) s (\(.start) to \(.end)), benchmarks \([.benchmarks[].seconds // 0] | add | . * 10 | round / 10) s"' "$dir/meta.json"
echo "run directory: $dir"
exit "$rc"
