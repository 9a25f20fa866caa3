#!/usr/bin/env bash
# memtune tune of a THP mode on its benchmark trial, as root: the huge-page
# cases on backing "system" (no madvise), three pairs. Each trial is a run
# directory whose records say which THP mode was in force and what it gave
# a program that never asks: under "always" huge pages, under "madvise" or
# "never" 4 KiB pages (the physics the verdict rests on). THP, swap areas
# and cgroups are as before afterwards.
set -u
. "$(dirname "$0")/lib.sh"
is_root || skip "t_tune_thp: needs root"
command -v jq >/dev/null || skip "t_tune_thp: needs jq"
M=${MEMTUNE:?}
K=/sys/kernel/mm/transparent_hugepage/enabled
[ -w "$K" ] || skip "t_tune_thp: no writable $K"
orig=$(sed 's/.*\[\(.*\)\].*/\1/' "$K")
case "$orig" in always) B=madvise ;; *) B=always ;; esac
state() {
	echo "thp=$(cat "$K")"
	memory_state
}
before=$(state)
trap '"$M" restore >/dev/null 2>&1; echo "$orig" > "$K"; cleanup_lib' EXIT
mkdir -p "$T/run"
cat >"$T/run/advice.json" <<JSON
{"schema_version": 1, "profile": "test", "basis": "system", "items": [
 {"id": "thp_enabled", "knob": "transparent_hugepage.enabled",
  "current": "$orig", "recommended": "$B", "change": true,
  "confidence": "medium", "ground": "documented", "evidence": [],
  "reason": "test", "source": "test", "apply": "echo $B > $K",
  "rule": "thp", "target": {"path": "$K", "value": "$B"}}]}
JSON
expect_exit 0 "$M" tune "$T/run" --pairs 3 --seed 5 --force-container
V='.items[0].verification'
jq -e "$V | .benchmark == \"hugepage\" and .pairs == 3 and (.trials | length) == 6
	and (.note | test(\"documented grounds\"))
	and ([.figures[].key | split(\" \")[0]] | sort) == [\"hugepage.random_rate\", \"hugepage.touch_ns_per_4k\"]
	and (.primary[0].key == \"benchmark score\")" \
	"$T/run/advice.json" >/dev/null ||
	fail "verification: $(jq -c "$V | del(.trials)" "$T/run/advice.json")"
# Each trial ran under its arm's mode, and the mode decided the pages.
for t in $(jq -r "$V.trials[] | \"\(.arm)=\(.run_dir)\"" "$T/run/advice.json"); do
	arm=${t%%=*} dir=${t#*=}
	want=$([ "$arm" = B ] && echo "$B" || echo "$orig")
	rec=$(jq -c 'select(.metric == "random_rate") | .obtained' "$dir/results.jsonl")
	got=$(jq -r .thp_enabled <<<"$rec")
	[ "$got" = "$want" ] || fail "trial $arm in $dir ran with THP $got, not $want"
	cov=$(jq -r .thp_coverage <<<"$rec")
	if [ "$want" = always ]; then
		awk -v c="$cov" 'BEGIN { exit !(c >= 0.5) }' ||
			fail "trial $arm under always: THP coverage $cov of a program that never asked"
	else
		awk -v c="$cov" 'BEGIN { exit !(c <= 0.01) }' ||
			fail "trial $arm under $want: THP coverage $cov without madvise"
	fi
done
[ "$(state)" = "$before" ] || fail "state after tune: $(state), before: $before"
exit 0
