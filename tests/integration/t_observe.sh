#!/usr/bin/env bash
# memtune observe against the kernel: real processes with known behaviours
# (tests/workloads/observe_workload.c), and the RAW series of the
# observation directory checked against what the kernel says when the test
# reads /proc itself:
#   (a) a leak of 4 MiB every 0.5 s: status.RssAnon rises at 8 MiB/s
#       (fitted slope within 25%), its last sample within 12 MiB of
#       /proc/PID/status read right after
#   (b) a 64 MiB file read twice and another read once, both dropped from
#       the cache first: cachestat.cache starts near 0 and reaches the file
#       size (within 5%), as fincore says; vmstat.pgpgin rises by at least
#       the 128 MiB read from disk; with MEMTUNE_NO_CACHESTAT=1,
#       mincore.resident says the same
#   (c) (root, swap, a memory cgroup) a process of 128 MiB in a cgroup
#       limited to 64 MiB: status.VmSwap rises to at least 32 MiB and
#       agrees with /proc/PID/status within 10%, vmstat.pswpout rises by at
#       least those pages, the cgroup's memory.swap.current is above 0.
#       It makes a swap file and a cgroup, so run it under the live lock
#       (flock /tmp/memtune-live.lock); the trap puts both back
#   (d) 64 MiB advised MADV_HUGEPAGE (THP mode madvise or always):
#       smaps.AnonHugePages is at least 32 MiB and equals
#       /proc/PID/smaps_rollup, vmstat.thp_fault_alloc rises by at least
#       its huge pages
#   (e) a reader mapping a 64 MiB file beside a worker with 64 MiB of
#       anonymous memory: the reader's RssFile and cachestat.cache are the
#       file, its RssAnon small; the worker's RssAnon is its 64 MiB, its
#       RssFile small; each within 5% of /proc/PID/status
# and the command's contract: the directory is the last line of stdout,
# meta.json's targets (a process that exits gets ended_t and no later
# records), exit 2 naming the bad input, SIGTERM ending it cleanly, a
# kill -9 leaving whole records, an unprivileged observer of root's
# process recording why smaps and the file set are missing (and writing no
# cachestat series rather than zeros).
set -u
. "$(dirname "$0")/lib.sh"
needs t_observe jq gcc
M=${MEMTUNE:?}
here=$(cd "$(dirname "$0")/.." && pwd)
MIB=1048576
W=$T/workload
gcc -O1 -o "$W" "$here/workloads/observe_workload.c" || fail "cannot build the workload"

pids=()
cg=""
swapfile=""
cleanup() {
	local p
	{
		for p in "${pids[@]}"; do kill -9 "$p"; done
		wait
	} 2>/dev/null
	[ -n "$cg" ] && [ -d "$cg" ] && rmdir "$cg" 2>/dev/null
	if [ -n "$swapfile" ]; then
		swapoff "$swapfile" 2>/dev/null
		rm -f "$swapfile"
	fi
	cleanup_lib
}
trap cleanup EXIT

# start NAME ARGS...: starts the workload, its pid in $NAME, and waits for
# it to print "ready" when the last argument is "wait".
start() {
	local name=$1; shift
	"$W" "$@" >"$T/$name.out" 2>&1 &
	local p=$!
	pids+=("$p")
	printf -v "$name" '%s' "$p"
}
wait_ready() {
	local i
	for i in $(seq 1 100); do
		grep -q ready "$T/$1.out" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "$1 did not get ready: $(cat "$T/$1.out")"
}

# val DIR TARGET METRIC first|last: a value of a series.
val() {
	jq -rs --arg t "$2" --arg m "$3" --arg w "$4" '
		map(select(.case.target == $t and .metric == $m)) |
		sort_by(.case.sample) |
		if length == 0 then "none" elif $w == "first" then .[0].value
		else .[-1].value end' "$1/results.jsonl"
}
# slope DIR TARGET METRIC: least-squares slope of the series over t.
slope() {
	jq -r --arg t "$2" --arg m "$3" \
		'select(.case.target == $t and .metric == $m) | "\(.case.t) \(.value)"' \
		"$1/results.jsonl" |
		awk '{ n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
			END { if (n < 3) print "none";
			      else printf "%.0f\n", (n * sxy - sx * sy) / (n * sxx - sx * sx) }'
}
# kb PID FILE FIELD: FIELD of /proc/PID/FILE in bytes.
kb() { awk -v f="$3:" '$1 == f { print $2 * 1024 }' "/proc/$1/$2"; }
# within A B FRACTION ABS: |A - B| <= max(FRACTION * B, ABS).
within() {
	awk -v a="$1" -v b="$2" -v f="$3" -v x="$4" \
		'BEGIN { d = a - b; if (d < 0) d = -d; m = f * b; if (m < 0) m = -m;
			 if (x > m) m = x; exit !(d <= m) }'
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
obs() { expect_exit 0 "$M" observe "$@"; dir=$(tail -n 1 "$T/out"); [ -d "$dir" ] || fail "no directory as the last line: $(cat "$T/out")"; }

# --- bad input: exit 2, naming what --------------------------------------
expect_exit 2 "$M" observe --pid 999999999 --duration 1s
expect_err "999999999" "no such pid"
expect_exit 2 "$M" observe --duration 5minutes
expect_err "5minutes" "bad duration"
expect_exit 2 "$M" observe --cgroup /memtune-no-such-cgroup --duration 1s
expect_err "memtune-no-such-cgroup" "absent cgroup"
expect_exit 2 "$M" observe --unit memtune-no-such --duration 1s
expect_err "memtune-no-such.service" "absent unit"

# --- (a), (b), (d), (e) in one observation --------------------------------
head -c $((64 * MIB)) /dev/urandom >"$T/once" && cp "$T/once" "$T/twice" &&
	cp "$T/once" "$T/mapped" && sync || fail "cannot write the test files"
start leak leak 4 500
start once read "$T/once" 1 2500
start twice read "$T/twice" 2 2500
start thp thp 64 1000
start reader map "$T/mapped" 1000
start worker anon 64 1000
start short anon 1 0
sleep 0.3
vm0=$(awk '$1 == "pgpgin" { print $2 }' /proc/vmstat)
( sleep 2; kill "$short" ) &
obs --duration 6s --interval 500ms --pid "$leak" --pid "$once" --pid "$twice" \
	--pid "$thp" --pid "$reader" --pid "$worker" --pid "$short" -o "$T/o1"
leak_now=$(kb "$leak" status RssAnon)
vm1=$(awk '$1 == "pgpgin" { print $2 }' /proc/vmstat)
D=$T/o1
for n in once twice thp reader worker; do wait_ready $n; done

jq -e '.kind == "observation" and .state == "complete" and
	.benchmarks[0].bench == "observe" and .observe.samples >= 11 and
	(.observe.targets | length) == 7 and .system.memory.mem_total_bytes > 0' \
	"$D/meta.json" >/dev/null || fail "meta.json: $(jq -c '{kind, state, benchmarks, observe}' "$D/meta.json")"
for f in meminfo vmstat zoneinfo buddyinfo; do
	[ -s "$D/snapshots/observe.before.$f" ] && [ -s "$D/snapshots/observe.after.$f" ] ||
		fail "snapshot $f missing"
done
bad=$(jq -c 'select(.bench != "observe" or .n != 1 or .status != "ok" or
	(.case.t | type) != "number" or (.case.sample | type) != "number")' "$D/results.jsonl" | head -1)
[ -z "$bad" ] || fail "a record off the contract: $bad"
# One t per sample, the same for every series of it.
jq -rs 'group_by(.case.sample) | map(map(.case.t) | unique | length) | max' \
	"$D/results.jsonl" | grep -qx 1 || fail "a sample with several t"

# The process that exited: ended_t, and no records after it.
et=$(jq -r --arg id "pid:$short" '.observe.targets[] | select(.id == $id) | .ended_t' "$D/meta.json")
ge "$et" 0.5 && ge 4.5 "$et" || fail "pid:$short ended_t is '$et', expected about 2"
late=$(jq -r --arg t "pid:$short" --argjson e "$et" \
	'select(.case.target == $t and .case.t >= $e)' "$D/results.jsonl")
[ -z "$late" ] || fail "records of pid:$short after it ended"

# (a) the leak: 8 MiB/s.
s=$(slope "$D" "pid:$leak" status.RssAnon)
within "$s" $((8 * MIB)) 0.25 0 || fail "(a) status.RssAnon slope $s B/s, expected 8 MiB/s +-25%"
last=$(val "$D" "pid:$leak" status.RssAnon last)
now=$leak_now
ge "$now" "$last" && within "$now" "$last" 0 $((12 * MIB)) ||
	fail "(a) last RssAnon $last, /proc/$leak/status says $now"
echo "(a) leak: RssAnon slope $((s / 1024)) KiB/s (8192 expected); last $last, kernel $now"

# (b) read once, read twice: cache from ~0 to the file.
pages=$((64 * MIB / 4096))
for n in once twice; do
	p=${!n}
	c0=$(val "$D" "pid:$p" cachestat.cache first)
	c1=$(val "$D" "pid:$p" cachestat.cache last)
	ge $((pages / 20)) "$c0" || fail "(b) $n: cachestat.cache starts at $c0 pages, expected near 0"
	fc=$(fincore -nb -o RES "$T/$n" | tr -d ' ')
	# The set holds the workload's binary and libraries too: the file is
	# the rise.
	within $((c1 - c0)) "$pages" 0.05 0 && within $(((c1 - c0) * 4096)) "$fc" 0.05 0 ||
		fail "(b) $n: cachestat.cache rose by $((c1 - c0)) pages; the file has $pages, fincore says $fc bytes"
	echo "(b) read $n: cachestat.cache $c0 -> $c1 pages; fincore $((fc / 4096)) pages"
done
dv=$(( (vm1 - vm0) * 1024 ))
ge "$dv" $((128 * MIB * 9 / 10)) || fail "(b) vmstat.pgpgin rose by $dv bytes, expected >= 128 MiB"
p0=$(val "$D" system vmstat.pgpgin first)
p1=$(val "$D" system vmstat.pgpgin last)
ge $(( (p1 - p0) * 1024 )) $((128 * MIB * 9 / 10)) || fail "(b) the series vmstat.pgpgin rose by $((p1 - p0)) KiB"
echo "(b) vmstat.pgpgin: +$(( (p1 - p0) / 1024 )) MiB in the series, +$((dv / MIB)) MiB by /proc/vmstat"

# (d) THP.
thp_mode=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
if [ "$thp_mode" = madvise ] || [ "$thp_mode" = always ]; then
	h=$(val "$D" "pid:$thp" smaps.AnonHugePages last)
	hk=$(kb "$thp" smaps_rollup AnonHugePages)
	ge "$h" $((32 * MIB)) && [ "$h" = "$hk" ] ||
		fail "(d) smaps.AnonHugePages $h, /proc/$thp/smaps_rollup $hk, expected >= 32 MiB and equal"
	t0=$(val "$D" system vmstat.thp_fault_alloc first)
	t1=$(val "$D" system vmstat.thp_fault_alloc last)
	ge $((t1 - t0)) $((h / (2 * MIB))) || fail "(d) vmstat.thp_fault_alloc +$((t1 - t0)), expected >= $((h / (2 * MIB)))"
	echo "(d) THP: AnonHugePages $((h / MIB)) MiB (kernel $((hk / MIB)) MiB), thp_fault_alloc +$((t1 - t0))"
else
	echo "(d) THP: skipped (THP mode '$thp_mode')"
fi

# (e) file-heavy reader beside an anonymous worker.
for f in RssFile RssAnon; do
	for n in reader worker; do
		p=${!n}
		v=$(val "$D" "pid:$p" status.$f last)
		k=$(kb "$p" status "$f")
		within "$v" "$k" 0.05 $((256 * 1024)) || fail "(e) $n status.$f $v, kernel $k"
		printf -v "$n$f" '%s' "$v"
	done
done
ge "$readerRssFile" $((60 * MIB)) && ge $((16 * MIB)) "$readerRssAnon" ||
	fail "(e) reader RssFile $readerRssFile, RssAnon $readerRssAnon"
ge "$workerRssAnon" $((60 * MIB)) && ge $((16 * MIB)) "$workerRssFile" ||
	fail "(e) worker RssAnon $workerRssAnon, RssFile $workerRssFile"
rc=$(val "$D" "pid:$reader" cachestat.cache last)
wc_=$(val "$D" "pid:$worker" cachestat.cache last)
within "$rc" "$pages" 0.05 0 && ge 4096 "$wc_" ||
	fail "(e) cachestat.cache reader $rc, worker $wc_ pages"
echo "(e) reader RssFile $((readerRssFile / MIB)) MiB cache $rc pages; worker RssAnon $((workerRssAnon / MIB)) MiB cache $wc_ pages"

# mincore where cachestat is missing (forced).
MEMTUNE_NO_CACHESTAT=1 obs --duration 1s --interval 500ms --pid "$once" -o "$T/o2"
r=$(val "$T/o2" "pid:$once" mincore.resident last)
[ "$(val "$T/o2" "pid:$once" cachestat.cache last)" = none ] || fail "cachestat.* written with MEMTUNE_NO_CACHESTAT=1"
within "$r" "$pages" 0.05 0 || fail "mincore.resident $r, expected $pages"
echo "mincore fallback: resident $r pages"

# --- SIGTERM ends it cleanly; kill -9 leaves whole records ------------------
"$M" observe --duration 30s --interval 200ms -o "$T/o3" >"$T/out3" 2>"$T/err3" &
op=$!
sleep 1.5
kill -TERM "$op"; wait "$op"; rc=$?
[ $rc = 0 ] && [ "$(tail -n 1 "$T/out3")" = "$T/o3" ] || fail "SIGTERM: exit $rc, stdout $(cat "$T/out3")"
jq -e '.state == "complete" and .observe.stopped == "signal TERM" and .end != null' "$T/o3/meta.json" >/dev/null ||
	fail "SIGTERM: meta.json $(jq -c '{state, end, stopped: .observe.stopped}' "$T/o3/meta.json")"
"$M" observe --duration 30s --interval 100ms -o "$T/o4" >/dev/null 2>&1 &
op=$!
sleep 1.2
kill -9 "$op"; wait "$op" 2>/dev/null
n=$(wc -l <"$T/o4/results.jsonl")
jq -c . "$T/o4/results.jsonl" >/dev/null 2>&1 && [ "$n" -gt 50 ] || fail "kill -9: $n lines, not all JSON"
echo "SIGTERM: clean; kill -9: $n whole records"

# --- unprivileged: root's process, smaps refused ----------------------------
if is_root && command -v setpriv >/dev/null; then
	u=$(mktemp -d /tmp/memtune-observe-np.XXXXXX)
	chown nobody "$u"
	setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env \
		"$M" observe --duration 1s --interval 500ms --pid "$worker" -o "$u/o" >"$T/out5" 2>&1
	rc=$?
	jq -e '(.observe.targets[0].smaps_missing | test("smaps_rollup")) and
		(.observe.targets[0].files_partial | test("maps"))' "$u/o/meta.json" >/dev/null &&
		[ $rc = 0 ] && [ "$(val "$u/o" "pid:$worker" status.VmRSS last)" != none ] &&
		[ "$(val "$u/o" "pid:$worker" cachestat.cache last)" = none ] ||
		{ rm -rf "$u"; fail "unprivileged: exit $rc, $(cat "$T/out5")"; }
	rm -rf "$u"
	echo "unprivileged: status read, smaps_rollup refused and said so"
fi
# (bash says "Killed" of each when it reaps them: not to the log)
{
	for p in "${pids[@]}"; do kill -9 "$p"; done
	wait
} 2>/dev/null
pids=()

# --- (c) into swap inside a memory cgroup (root) ----------------------------
is_root || { echo "(c) skipped: needs root"; exit 0; }
if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	cgv=2; cg=/sys/fs/cgroup/memtune-observe-$$
elif [ -d /sys/fs/cgroup/memory ]; then
	cgv=1; cg=/sys/fs/cgroup/memory/memtune-observe-$$
else
	echo "(c) skipped: no memory cgroup"; exit 0
fi
swapfile=$T/observe.swap
dd if=/dev/zero of="$swapfile" bs=1M count=256 status=none && chmod 600 "$swapfile" &&
	mkswap "$swapfile" >/dev/null && swapon "$swapfile" || fail "(c) cannot make a swap file"
mkdir "$cg" || fail "(c) cannot make $cg"
if [ $cgv = 2 ]; then
	echo $((64 * MIB)) >"$cg/memory.max"
	echo max >"$cg/memory.swap.max" 2>/dev/null
else
	echo $((64 * MIB)) >"$cg/memory.limit_in_bytes"
	echo 100 >"$cg/memory.swappiness"
fi
sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" anon 128 1500' sh "$cg" "$W" >"$T/swapper.out" 2>&1 &
swapper=$!
pids+=("$swapper")
sleep 0.3
obs --duration 5s --interval 500ms --pid "$swapper" --cgroup "/${cg##*/}" -o "$T/o6"
wait_ready swapper
D=$T/o6
vs=$(val "$D" "pid:$swapper" status.VmSwap last)
vk=$(kb "$swapper" status VmSwap)
ge "$vs" $((32 * MIB)) && within "$vs" "$vk" 0.10 $MIB ||
	fail "(c) status.VmSwap $vs, /proc/$swapper/status $vk, expected >= 32 MiB"
o0=$(val "$D" system vmstat.pswpout first)
o1=$(val "$D" system vmstat.pswpout last)
ge $((o1 - o0)) $((vs / 4096 * 9 / 10)) || fail "(c) vmstat.pswpout +$((o1 - o0)) pages, VmSwap $((vs / 4096)) pages"
sc=$(val "$D" "cgroup:/${cg##*/}" memory.swap.current last)
jq -e --arg p "/${cg##*/}" '.observe.targets[0].cgroup == $p' "$D/meta.json" >/dev/null ||
	fail "(c) meta.json: the pid's cgroup is not $cg: $(jq -c '.observe.targets[0]' "$D/meta.json")"
echo "(c) swap: VmSwap $((vs / MIB)) MiB (kernel $((vk / MIB)) MiB), pswpout +$((o1 - o0)) pages, cgroup swap $sc bytes"
[ "$sc" != none ] && ge "$sc" 1 || echo "(c) note: the cgroup has no swap accounting (memory.swap.current $sc)"
exit 0
