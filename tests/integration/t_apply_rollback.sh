#!/usr/bin/env bash
# memtune advise, apply and rollback on this machine, as root: the advised
# values change, rollback puts every touched value and file back, also when
# the process that applied is gone (rollback in a separate process, from
# apply.journal alone). The machine is put back whatever happens.
set -u
. "$(dirname "$0")/lib.sh"

needs t_apply_rollback root jq
M=${MEMTUNE:?}
THP=/sys/kernel/mm/transparent_hugepage
CONF=/etc/sysctl.d/99-memtune.conf
[ -e "$CONF" ] && skip "t_apply_rollback: $CONF exists already; not touching it"
# This VM has /.dockerenv, so memtune sees a container: the explicit
# override is what this test exercises.
F=--force-container

snap() {
	for k in swappiness min_free_kbytes watermark_scale_factor \
		 zone_reclaim_mode dirty_ratio dirty_bytes \
		 dirty_background_ratio dirty_background_bytes nr_hugepages; do
		echo "vm.$k=$(cat /proc/sys/vm/$k)"
	done
	echo "thp.enabled=$(cat $THP/enabled)"
	echo "thp.defrag=$(cat $THP/defrag)"
	[ -e "$CONF" ] && echo "conf=present" || echo "conf=absent"
}
before=$(snap)
restore_all() {
	"$M" rollback $F >/dev/null 2>&1
	cleanup_lib
}
trap restore_all EXIT

run=$("$M" run -b tlb -o "$T/run" --set tlb.sizes=16K,1M \
	--set tlb.backings=4k,thp 2>"$T/run.err" | tail -n 1)
[ -f "$run/results.jsonl" ] || fail "no run directory: $(tail -3 "$T/run.err")"
"$M" advise "$run" --profile latency >"$T/advice.txt" || fail "advise failed"
[ -f "$run/advice.json" ] && [ -f "$run/99-memtune.conf" ] ||
	fail "advise wrote no advice.json / 99-memtune.conf"
jq -e '.basis == "run" and (.items | length) > 5' "$run/advice.json" \
	>/dev/null || fail "advice.json: basis or items wrong"

# The latency profile advises THP defrag defer+madvise here. To exercise a
# sysctl too, one item is edited to a harmless change (swappiness - 1,
# which has no effect without swap).
cur=$(cat /proc/sys/vm/swappiness)
want=$((cur > 1 ? cur - 1 : cur + 1))
jq --arg v "$want" '(.items[] | select(.id == "swappiness")) |=
	(.change = true | .recommended = $v | .target.value = $v)' \
	"$run/advice.json" >"$T/a.json" && mv "$T/a.json" "$run/advice.json"
defrag=$(jq -r '.items[] | select(.id == "thp_defrag") | .recommended' \
	"$run/advice.json")
only=--only=swappiness,thp_defrag

# --dry-run changes nothing and needs no journal.
"$M" apply "$run" $only --dry-run --persist $F >"$T/dry.txt"
grep -q "would set vm.swappiness: $cur -> $want" "$T/dry.txt" ||
	fail "dry run does not say what it would do: $(cat "$T/dry.txt")"
[ "$(snap)" = "$before" ] ||
	fail "dry run changed the machine: $(diff <(echo "$before") <(snap))"

# apply, and refuse without the container override.
expect_exit 1 "$M" apply "$run" $only
"$M" apply "$run" $only --persist $F >"$T/apply.txt" 2>&1
[ "$(cat /proc/sys/vm/swappiness)" = "$want" ] ||
	fail "swappiness not applied: $(cat "$T/apply.txt")"
grep -q "\[$defrag\]" $THP/defrag || fail "defrag not applied"
[ -f "$CONF" ] || fail "$CONF not installed"

# The applying process is gone: a separate one rolls back from the
# journal alone (what happens after a crash or a reboot).
"$M" rollback $F >"$T/rb.txt" || fail "rollback failed: $(cat "$T/rb.txt")"
[ "$(snap)" = "$before" ] ||
	fail "not restored: $(diff <(echo "$before") <(snap))"
"$M" rollback $F | grep -q "nothing to roll back" ||
	fail "second rollback found something"

# Killed between apply and rollback: SIGKILL the applier while it waits on
# its output, then roll back.
mkfifo "$T/fifo"
"$M" apply "$run" $only $F >"$T/fifo" 2>&1 &
pid=$!
head -c 1 "$T/fifo" >/dev/null
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
"$M" rollback $F >"$T/rb2.txt" || fail "rollback after kill failed"
[ "$(snap)" = "$before" ] ||
	fail "not restored after kill: $(diff <(echo "$before") <(snap))"
# Switching the dirty limits from the ratio form to the bytes form: the
# kernel refuses to write 0 back to dirty_bytes, so rollback must restore
# the ratio (which zeroes the bytes knob again). Two items are put into
# the advice by hand: 256 MiB / 64 MiB, harmless for the few seconds they
# are in force.
[ "$(cat /proc/sys/vm/dirty_bytes)" = 0 ] &&
[ "$(cat /proc/sys/vm/dirty_background_bytes)" = 0 ] ||
	skip "t_apply_rollback: dirty limits already in bytes form"
ratio=$(cat /proc/sys/vm/dirty_ratio)
bg_ratio=$(cat /proc/sys/vm/dirty_background_ratio)
jq '.items |= map(select(.id != "dirty" and .id != "dirty_background")) +
	[{id: "dirty", knob: "vm.dirty_bytes", current: "0",
	  recommended: "268435456", change: true, confidence: "medium",
	  rule: "dirty", target: {path: "/proc/sys/vm/dirty_bytes",
	  value: "268435456", sysctl: "vm.dirty_bytes"}},
	 {id: "dirty_background", knob: "vm.dirty_background_bytes",
	  current: "0", recommended: "67108864", change: true,
	  confidence: "medium", rule: "dirty",
	  target: {path: "/proc/sys/vm/dirty_background_bytes",
	  value: "67108864", sysctl: "vm.dirty_background_bytes"}}]' \
	"$run/advice.json" >"$T/a.json" && mv "$T/a.json" "$run/advice.json"
"$M" apply "$run" --only=dirty,dirty_background $F >"$T/apply3.txt" 2>&1 ||
	fail "apply dirty bytes failed: $(cat "$T/apply3.txt")"
[ "$(cat /proc/sys/vm/dirty_bytes)" = 268435456 ] &&
[ "$(cat /proc/sys/vm/dirty_ratio)" = 0 ] ||
	fail "dirty_bytes not in force: $(cat "$T/apply3.txt")"
[ "$(cat /proc/sys/vm/dirty_background_bytes)" = 67108864 ] ||
	fail "dirty_background_bytes not in force: $(cat "$T/apply3.txt")"
"$M" rollback $F >"$T/rb3.txt" 2>&1 ||
	fail "rollback of dirty bytes failed: $(cat "$T/rb3.txt")"
[ "$(cat /proc/sys/vm/dirty_bytes)" = 0 ] &&
[ "$(cat /proc/sys/vm/dirty_ratio)" = "$ratio" ] &&
[ "$(cat /proc/sys/vm/dirty_background_bytes)" = 0 ] &&
[ "$(cat /proc/sys/vm/dirty_background_ratio)" = "$bg_ratio" ] ||
	fail "dirty limits not restored: $(diff <(echo "$before") <(snap))"
[ "$(snap)" = "$before" ] ||
	fail "not restored after dirty bytes: $(diff <(echo "$before") <(snap))"
"$M" rollback $F | grep -q "nothing to roll back" ||
	fail "the apply journal was kept after the dirty rollback"
echo "ok t_apply_rollback"
