#!/usr/bin/env bash
# memtune tune on a copy of a fixture machine (MEMTUNE_FSROOT: the knobs
# are files, the trials really write and undo them): a workload whose
# figure follows the knob gives "improves" or "harms", the A/A check gives
# "no_effect", three pairs give "inconclusive", a workload that fails
# under B is caught by its guardrail; after each, the knob holds its old
# value and no journal is left. Then the dead-man: tune killed with
# SIGKILL at a random moment, and the watchdog alone puts the knob back.
set -u
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip "t_tune: needs jq"
M=${MEMTUNE:?}
here=$(cd "$(dirname "$0")/.." && pwd)
R="$T/tree"
cp -r "$here/fixtures/machines/stalls-db" "$R"
export MEMTUNE_FSROOT="$R"
K="$R/proc/sys/vm/watermark_scale_factor"
J="$MEMTUNE_STATE_DIR/tune.journal"
orig=$(cat "$K")
mkdir -p "$T/run"
expect_exit 0 "$M" advise -o "$T/run"
jq -e '.items[] | select(.id == "watermark_scale_factor" and .change)' \
	"$T/run/advice.json" >/dev/null || fail "the fixture's advice changed: no watermark_scale_factor item"
B=$(jq -r '.items[] | select(.id == "watermark_scale_factor") | .target.value' "$T/run/advice.json")

verdict() { jq -r '.items[] | select(.id == "watermark_scale_factor") | .verification.verdict' "$T/run/advice.json"; }
clean() {
	[ "$(cat "$K")" = "$orig" ] || fail "$1: the knob holds $(cat "$K"), not $orig"
	[ ! -s "$J" ] || fail "$1: a journal is left: $(cat "$J")"
}
W="echo score = \$(( 1000 + \$(cat $K) ))"

expect_exit 0 "$M" tune "$T/run" --no-bench --only watermark_scale_factor \
	--workload "$W" --metric 'score = ([0-9]+)' --pairs 6 --seed 3
[ "$(verdict)" = improves ] || fail "higher score under B: verdict $(verdict); $(cat "$T/out")"
grep -q "about" "$T/out" || fail "no cost printed before the trials"
jq -e '.items[] | select(.id == "watermark_scale_factor") | .verification
	| .pairs == 6 and .a_value == "'"$orig"'" and .b_value == "'"$B"'"
	and .median_b > .median_a and .effect_lo > 0 and .level >= 0.95
	and (.trials | length) == 12' "$T/run/advice.json" >/dev/null ||
	fail "verification object: $(jq -c '.items[] | select(.id == "watermark_scale_factor") | .verification | del(.trials)' "$T/run/advice.json")"
# The trials alternate: B saw B's value, A the old one.
jq -e '[.items[] | select(.id == "watermark_scale_factor") | .verification.trials[]
	| select(.arm == "B") | .observed.workload] | length == 6 and all(. == (1000 + '"$B"'))' \
	"$T/run/advice.json" >/dev/null || fail "a B trial did not run under B"
clean improves
# The report of a run whose advice was tried: a table row per tried item
# and a paired figure with one point per trial.
cp -r "$here/fixtures/runs/adv-quick" "$T/rep"
cp "$T/run/advice.json" "$T/rep/advice.json"
expect_exit 0 "$M" report "$T/rep" -o "$T/rep/report"
grep -q 'id="tune"' "$T/rep/report/index.html" || fail "report: no table of the tried advice"
grep -q '<td class="case">watermark_scale_factor</td>' "$T/rep/report/index.html" ||
	fail "report: the tried item is not in the table"
[ -s "$T/rep/report/tune-1-1.svg" ] || fail "report: no paired figure"
[ "$(grep -c '^[0-9]' "$T/rep/report/tune-1-1.dat")" -eq 12 ] ||
	fail "report: the paired figure does not hold the 12 trials: $(cat "$T/rep/report/tune-1-1.dat")"

# apply --verified-only applies the improving item alone; rollback undoes it.
expect_exit 0 "$M" apply "$T/run" --verified-only
[ "$(cat "$K")" = "$B" ] || fail "apply --verified-only: the knob holds $(cat "$K"), not $B"
grep -q dirty "$T/out" && fail "apply --verified-only touched an untried item: $(cat "$T/out")"
expect_exit 0 "$M" rollback
[ "$(cat "$K")" = "$orig" ] || fail "rollback after --verified-only: $(cat "$K")"
# --keep verified does the same at the end of tune.
expect_exit 0 "$M" tune "$T/run" --no-bench --only watermark_scale_factor \
	--workload "$W" --metric 'score = ([0-9]+)' --pairs 6 --keep verified
[ "$(cat "$K")" = "$B" ] || fail "--keep verified: the knob holds $(cat "$K"), not $B"
[ ! -s "$J" ] || fail "--keep verified: a run journal is left"
expect_exit 0 "$M" rollback
clean "keep verified"

expect_exit 0 "$M" tune "$T/run" --no-bench --only watermark_scale_factor \
	--workload "$W" --metric 'score = ([0-9]+)' --lower-is-better --pairs 6
[ "$(verdict)" = harms ] || fail "lower is better: verdict $(verdict)"
clean harms

expect_exit 0 "$M" tune "$T/run" --no-bench --only watermark_scale_factor \
	--workload "$W" --metric 'score = ([0-9]+)' --pairs 6 --aa
[ "$(verdict)" = no_effect ] || fail "A/A: verdict $(verdict)"
clean aa

expect_exit 0 "$M" tune "$T/run" --no-bench --only watermark_scale_factor \
	--workload "$W" --metric 'score = ([0-9]+)' --pairs 3
[ "$(verdict)" = inconclusive ] || fail "3 pairs: verdict $(verdict)"
grep -q "cannot reach the 95.0% interval one primary figure needs (6 can)" "$T/out" ||
	fail "3 pairs: no warning"
clean inconclusive

# The same score either way, but the workload fails under B: harms,
# naming the guardrail.
expect_exit 0 "$M" tune "$T/run" --no-bench --only watermark_scale_factor \
	--workload "echo score = 5; [ \$(cat $K) = $orig ]" \
	--metric 'score = ([0-9]+)' --pairs 6
[ "$(verdict)" = harms ] || fail "failing B: verdict $(verdict)"
jq -e '.items[] | select(.id == "watermark_scale_factor") | .verification.why
	| test("workload_failed")' "$T/run/advice.json" >/dev/null ||
	fail "failing B: the guardrail is not named"
clean guardrail

# A side with no figure at all (B always failed) still makes a report.
cp "$T/run/advice.json" "$T/rep/advice.json"
expect_exit 0 "$M" report "$T/rep" -o "$T/rep/report2"

# Bad input: exit 2 with the option named, nothing changed.
expect_exit 2 "$M" tune "$T/run" --no-bench --workload true --metric 'no group'
grep -q -- "--metric" "$T/err" || fail "bad --metric: $(cat "$T/err")"
expect_exit 2 "$M" tune "$T/run" --no-bench --workload true --only nosuchitem
expect_exit 2 "$M" tune "$T/run" --no-bench --workload true --pairs 0
clean input

# The dead-man: SIGKILL during the trials; nobody runs restore.
for round in 1 2 3; do
	"$M" tune "$T/run" --no-bench --only watermark_scale_factor \
		--workload "sleep 0.2; echo score = 1" \
		--metric 'score = ([0-9]+)' --pairs 20 >"$T/kill.out" 2>&1 &
	pid=$!
	# Kill while a B trial has the knob changed, at a random point of it
	# (or, in round 3, at any random moment).
	if [ "$round" -lt 3 ]; then
		for i in $(seq 200); do
			[ "$(cat "$K")" = "$B" ] && break
			sleep 0.05
		done
		[ "$(cat "$K")" = "$B" ] || fail "round $round: no B trial began: $(cat "$T/kill.out")"
		sleep "0.$(( RANDOM % 15 + 1 ))"
	else
		sleep "$(( RANDOM % 3 )).$(( RANDOM % 10 ))"
	fi
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for i in $(seq 100); do
		[ "$(cat "$K")" = "$orig" ] && [ ! -s "$J" ] && break
		sleep 0.1
	done
	clean "kill -9 round $round"
done
exit 0
