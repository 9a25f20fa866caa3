#!/usr/bin/env bash
# Fault injection: steps N over the calls of each scenario and makes the
# Nth malloc / open / write / fsync / rename fail (tests/faultinj/faultinj.c,
# an LD_PRELOAD shim), then checks that memtune did not crash or hang
# (exit status 0, 1 or 2 within FAULTINJ_TIMEOUT seconds), that the journal
# is well formed, that a clean rollback or restore puts the (fake) machine
# back byte for byte with no journal left, and that exit 0 means the same
# result as an unfaulted run (a failure must not pass for success).
#
#   run.sh MEMTUNE SHIM FI_APPLY
#
# Scenarios (everything that changes "the machine" does so in a copy of
# tests/fixtures/machines/small-vm under MEMTUNE_FSROOT, with a private
# MEMTUNE_STATE_DIR; nothing touches the real /proc/sys or /sys):
#   run       memtune run -b alloc, tiny, into a temporary -o directory, on
#             the real root (alloc changes nothing; under MEMTUNE_FSROOT
#             memtune is never root, so no benchmark journals into a fake
#             tree: the journal is covered by the scenarios below). Exit 0:
#             the unfaulted records, or a failed record saying why.
#   advise    memtune advise over an existing advice.json: the old or the
#             new file, whole, no temporary left; exit 0: the unfaulted
#             advice.json and 99-memtune.conf, byte for byte
#   apply     fi_apply apply --persist (mt_apply, as `memtune apply`, which
#             refuses a fake root as not root), then a clean rollback;
#             exit 0: the tree an unfaulted apply leaves
#   rollback  a clean apply, then fi_apply rollback faulted, then a clean
#             one
#   restore   a pending run.journal (an apply's entries, plus a created
#             file and directory) played back by `memtune restore`, then a
#             clean restore
# Each scenario runs once unfaulted to count its calls per family; then, per
# family, N steps over 1..total (every N up to FAULTINJ_LIMIT per family,
# default 150, else a stride; FAULTINJ_FULL=1 tries every N,
# FAULTINJ_SHORT=1 at most 20 per family). tests/faultinj/regressions lists
# cases always tried; a failure whose fault site is listed in
# tests/faultinj/known is printed as KNOWN and does not fail the pass
# (FAULTINJ_STRICT=1: it does).
#
# Leaks: FAULTINJ_VALGRIND=K runs K evenly spread N per scenario and family
# under valgrind --leak-check=full (definite and indirect leaks and memory
# errors fail), N counted under valgrind; the short pass runs one malloc
# case per scenario. (Under valgrind a run's workers cannot start:
# /proc/self/exe is valgrind's own tool; the runner's leaks are still
# checked.)
#
# Other knobs: FAULTINJ_ONLY=scenario,... FAULTINJ_FAMILIES=malloc,...
# FAULTINJ_PERSIST=1 (every call from N on fails, not just the Nth),
# FAULTINJ_KEEP=DIR (where failing cases' output goes; default a temporary
# directory that is kept only when something failed), FAULTINJ_VERBOSE=1.
#
# Exit status 0 when nothing failed, 1 otherwise; the last line says which.
set -u
M=${1:?usage: run.sh MEMTUNE SHIM FI_APPLY}
SHIM=${2:?usage: run.sh MEMTUNE SHIM FI_APPLY}
FIAPPLY=${3:?usage: run.sh MEMTUNE SHIM FI_APPLY}
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../fixtures
export MEMTUNE_PROGRESS=0 MEMTUNE_CONFIGS="$here/../../configs"
unset MEMTUNE_FSROOT MEMTUNE_FAIL MEMTUNE_FAIL_COUNT MEMTUNE_FAIL_LOG

families=${FAULTINJ_FAMILIES:-malloc,open,write,fsync,rename}
only=${FAULTINJ_ONLY:-run,advise,apply,rollback,restore}
if [ "${FAULTINJ_FULL:-0}" = 1 ]; then
	limit=0
	valgrind_n=${FAULTINJ_VALGRIND:-3}
elif [ "${FAULTINJ_SHORT:-0}" = 1 ]; then
	limit=${FAULTINJ_LIMIT:-20}
	valgrind_n=${FAULTINJ_VALGRIND:-1}
else
	limit=${FAULTINJ_LIMIT:-150}
	valgrind_n=${FAULTINJ_VALGRIND:-2}
fi
command -v valgrind >/dev/null 2>&1 || {
	[ "$valgrind_n" -gt 0 ] &&
		echo "faultinj: valgrind is missing: no leak check (apt-get install valgrind)"
	valgrind_n=0
}
timeout_s=${FAULTINJ_TIMEOUT:-60}
# FAULTINJ_PERSIST=1: the Nth call and every later one of the family fail
# (memory that stays exhausted, a disk that stays full).
persist=""
[ "${FAULTINJ_PERSIST:-0}" = 1 ] && persist=+
# Valgrind must not take malloc away from the shim (somalloc=
# nouserintercepts: it replaces only glibc's, which the shim calls).
VALGRIND=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
	  --show-leak-kinds=definite,indirect --error-exitcode=99
	  --trace-children=no --soname-synonyms=somalloc=nouserintercepts)

W=$(mktemp -d /var/tmp/memtune-faultinj.XXXXXX)
KEEP=${FAULTINJ_KEEP:-$W/failures}
mkdir -p "$KEEP"
cleanup() {
	if [ "$failures" -eq 0 ] && [ -z "${FAULTINJ_KEEP:-}" ]; then
		rm -rf "$W"
	else
		# Keep the failures, drop the bulky rest.
		find "$W" -mindepth 1 -maxdepth 1 ! -name failures \
			-exec rm -rf {} +
	fi
}
failures=0 known_count=0
trap cleanup EXIT
started=$(date +%s)

# ---- the pristine trees -----------------------------------------------------

# The fake machine: small-vm plus an /etc/sysctl.d holding an older
# 99-memtune.conf (so --persist replaces a file and rollback puts it back).
# The THP choice files hold only the selected word: the journal stores and
# writes back the selected word, as the kernel's files take it, and a
# regular file cannot show the bracketed list again.
prepare_tree() {
	cp -a "$fixtures/machines/small-vm" "$W/pristine"
	mkdir -p "$W/pristine/etc/sysctl.d" "$W/pristine/var/tmp"
	printf '# an older file\nvm.swappiness = 30\n' \
		>"$W/pristine/etc/sysctl.d/99-memtune.conf"
	cp -a "$fixtures/runs/adv-quick" "$W/run0"
	MEMTUNE_FSROOT="$W/pristine" MEMTUNE_STATE_DIR="$W/state0" \
		"$M" advise "$W/run0" --profile database >/dev/null 2>&1 ||
		{ echo "faultinj: setup: advise failed"; exit 1; }
	for f in enabled defrag; do
		p=$W/pristine/sys/kernel/mm/transparent_hugepage/$f
		sed 's/.*\[\([^]]*\)\].*/\1/' "$p" >"$p.new" && mv "$p.new" "$p"
	done
}

# fresh_case: the case directory $C with tree/ (the pristine tree),
# state/ (empty) and run/ (the fixture run with its advice). The tree is
# copied again only when the last case left it different (a failure):
# every passing case ends with the tree byte-identical to the pristine one.
tree_dirty=1
fresh_case() {
	C=$W/case
	if [ "$tree_dirty" = 1 ] || [ ! -d "$C/tree" ]; then
		rm -rf "$C"
		mkdir -p "$C"
		cp -a "$W/pristine" "$C/tree"
		tree_dirty=0
	fi
	rm -rf "$C/state" "$C/run" "$C/out" "$C/count"
	mkdir -p "$C/run" "$C/state"
	chmod 700 "$C/state"
	cp -p "$W/run0"/* "$C/run/"
}

# Environment for every memtune in a case: the fake root and the private
# state directory.
in_case() {
	MEMTUNE_FSROOT="$C/tree" MEMTUNE_STATE_DIR="$C/state" "$@"
}

# The same for a faulted command: CENV holds the assignments.
case_env() { CENV=(MEMTUNE_FSROOT="$C/tree" MEMTUNE_STATE_DIR="$C/state"); }

# ---- the scenarios ------------------------------------------------------------

TINY=(--set alloc.sizes=4K,1M --set alloc.ops=malloc,kept
      --set alloc.blocks=4 --set alloc.kept_sizes=32K --set sample_time=1ms
      --set min_samples=1 --set max_samples=2 --set warmup_samples=0
      --set max_case_time=50ms)

# setup_X: prepares the case; cmd_X: the command to fault (an array in
# CMD, its environment in CENV); check_X: after the faulted command (rc in $rc), prints what is wrong
# (nothing when all is well).
setup_run() { fresh_case; }
cmd_run() {
	# The real root: alloc changes nothing, and a run refuses a fake one
	# for nothing (it just is not root there). Only the state dir is ours.
	CENV=(MEMTUNE_STATE_DIR="$C/state")
	CMD=("$M" run -b alloc -o "$C/out" "${TINY[@]}")
}
check_run() {
	if [ "$rc" -eq 0 ]; then
		[ -s "$C/out/results.jsonl" ] ||
			echo "exit 0 but no results.jsonl"
		jq -e . "$C/out/meta.json" >/dev/null 2>&1 ||
			echo "exit 0 but meta.json is not valid JSON"
		# The same records as an unfaulted run (what was measured,
		# not the values).
		jq -c '[.bench, .case, .metric, .status]' \
			"$C/out/results.jsonl" 2>/dev/null | sort >"$C/records"
		# A case or benchmark that failed (a failed record says why,
		# and meta.json calls the benchmark partial or failed) is a
		# reported failure, not a silent one: memtune run exits 0 for
		# those by design.
		if [ -f "$W/records" ]; then
			if ! cmp -s "$W/records" "$C/records" &&
			   ! grep -q '"failed"\]$' "$C/records"; then
				echo "exit 0, records missing and no failure recorded: $(diff "$W/records" "$C/records" | head -n 4)"
			fi
			grep -q '^\["unknown"' "$C/records" &&
				echo "a failed record names no benchmark: $(grep '^\["unknown"' "$C/records" | head -n 1)"
		else
			cp "$C/records" "$W/records"
		fi
	fi
	check_journal "$C/state/run.journal"
	MEMTUNE_STATE_DIR="$C/state" "$M" restore >"$C/clean.out" 2>&1 ||
		echo "clean restore failed: $(tail -n 2 "$C/clean.out")"
	check_no_journal "$C/state/run.journal"
	if [ -d "$C/out" ]; then
		local tmp
		tmp=$(find "$C/out" -name '*.tmp*' | head -n 3)
		[ -z "$tmp" ] || echo "temporary files left: $tmp"
	fi
}

setup_advise() { fresh_case; }
cmd_advise() { case_env; CMD=("$M" advise "$C/run" --profile latency); }
check_advise() {
	local f
	for f in advice.json; do
		if [ ! -f "$C/run/$f" ]; then
			echo "$f is gone"
		elif ! jq -e . "$C/run/$f" >/dev/null 2>&1; then
			echo "$f is not valid JSON (a torn write)"
		elif [ "$rc" -eq 0 ] &&
		     ! jq -e '.profile == "latency"' "$C/run/$f" \
			>/dev/null 2>&1; then
			echo "exit 0 but $f is not the new advice"
		fi
	done
	[ -s "$C/run/99-memtune.conf" ] || echo "99-memtune.conf is gone or empty"
	# Exit 0: the advice must be what an unfaulted advise writes (not
	# advice from a run with a record quietly skipped).
	if [ "$rc" -eq 0 ]; then
		if [ -d "$W/advised" ]; then
			for f in advice.json 99-memtune.conf; do
				cmp -s "$W/advised/$f" "$C/run/$f" ||
					echo "exit 0 but $f differs from an unfaulted advise"
			done
		else
			mkdir -p "$W/advised"
			cp "$C/run/advice.json" "$C/run/99-memtune.conf" \
				"$W/advised/"
		fi
	fi
	local tmp
	tmp=$(find "$C/run" -name '*.tmp*' | head -n 3)
	[ -z "$tmp" ] || echo "temporary files left: $tmp"
	diff -r "$W/pristine" "$C/tree" >/dev/null ||
		echo "advise changed the tree"
}

setup_apply() { fresh_case; }
cmd_apply() { case_env; CMD=("$FIAPPLY" apply "$C/run" "$C/state/apply.journal"
			     --persist); }
check_apply() {
	# Exit 0 means everything was applied: the tree must then be what an
	# unfaulted apply makes of it (the first, counting, run keeps that).
	if [ "$rc" -eq 0 ]; then
		if [ -d "$W/applied" ]; then
			local d
			d=$(diff -r "$W/applied" "$C/tree" 2>&1 | head -n 6)
			[ -z "$d" ] ||
				echo "exit 0 but not what an unfaulted apply does: $d"
		else
			cp -a "$C/tree" "$W/applied"
		fi
	fi
	check_journal "$C/state/apply.journal"
	clean_rollback
}

# applied_case JOURNAL: a fresh case on which a clean apply --persist
# journaled into $C/state/JOURNAL; returns 1, saying why, if it failed.
applied_case() {
	fresh_case
	in_case "$FIAPPLY" apply "$C/run" "$C/state/$1" --persist \
		>"$C/setup.out" 2>&1 || {
		echo "setup: apply failed: $(tail -n 2 "$C/setup.out")"
		return 1
	}
}

setup_rollback() { applied_case apply.journal; }
cmd_rollback() { case_env; CMD=("$FIAPPLY" rollback "$C/state/apply.journal"); }
check_rollback() {
	check_journal "$C/state/apply.journal"
	clean_rollback
}

# A run killed with changes in force: an apply's entries in run.journal,
# plus a test file and a directory the run created (journaled the way
# mt_journal_note_file and mt_journal_mkdir journal them).
setup_restore() {
	applied_case run.journal || return 1
	mkdir "$C/tree/sys/fs/cgroup/memtune-fi"
	echo data >"$C/tree/var/tmp/memtune-fi.testfile"
	printf '{"op":"rmdir","path":"%s"}\n{"op":"unlink","path":"%s"}\n' \
		"$C/tree/sys/fs/cgroup/memtune-fi" \
		"$C/tree/var/tmp/memtune-fi.testfile" >>"$C/state/run.journal"
}
cmd_restore() { case_env; CMD=("$M" restore); }
check_restore() {
	check_journal "$C/state/run.journal"
	in_case "$M" restore >"$C/clean.out" 2>&1 ||
		echo "clean restore failed: $(tail -n 2 "$C/clean.out")"
	check_no_journal "$C/state/run.journal"
	check_tree
}

# ---- checks -------------------------------------------------------------------

# Every line of the journal (if any) is a JSON object with an op and an
# absolute path inside the case's tree (or nothing, for run.journal of a
# run on the real root: alloc journals nothing).
check_journal() {
	local j=$1
	[ -s "$j" ] || return 0
	jq -R -r --arg root "$C/tree/" '
		select(test("\\S")) as $line |
		(try ($line | fromjson) catch null) as $e |
		select(($e | type) != "object" or (($e.op | type) != "string")
		       or (($e.path // "") | startswith($root) | not)) |
		"journal line malformed or outside the tree: \($line)"' \
		"$j" 2>&1 | head -n 3
}

check_no_journal() {
	[ -s "$1" ] && echo "journal still pending after the clean pass: $(head -c 300 "$1")"
	local extra
	# The run history (history/SECTION.json) is meant to stay; a
	# temporary file beside it is not.
	extra=$(find "$C/state" -mindepth 1 ! -name "$(basename "$1")" ! -name lock \
		! -path "$C/state/history" ! -path "$C/state/history/*.json" |
		head -n 3)
	[ -z "$extra" ] || echo "left in the state directory: $extra"
}

check_tree() {
	local d
	d=$(diff -r "$W/pristine" "$C/tree" 2>&1 | head -n 8)
	[ -z "$d" ] && return 0
	echo "the tree differs from the original: $d"
}

clean_rollback() {
	in_case "$FIAPPLY" rollback "$C/state/apply.journal" \
		>"$C/clean.out" 2>&1 ||
		echo "clean rollback failed: $(tail -n 2 "$C/clean.out")"
	check_no_journal "$C/state/apply.journal"
	check_tree
}

# ---- the driver ---------------------------------------------------------------

# count SCENARIO [vg]: runs it unfaulted under the shim (under valgrind
# with vg: the shim then sees fewer calls, since valgrind serves some of
# glibc's own allocations itself); sets COUNTS[family].
declare -A COUNTS
count() {
	local s=$1 vg=${2:-} f pre=()
	[ -n "$vg" ] && pre=("${VALGRIND[@]}")
	"setup_$s" >/dev/null || return 1
	"cmd_$s"
	{
		timeout -s KILL "$timeout_s" env "${CENV[@]}" \
			LD_PRELOAD="$SHIM" MEMTUNE_FAIL_COUNT="$C/count" \
			"${pre[@]}" "${CMD[@]}" >"$C/out.txt" 2>&1
		rc=$?
	} 2>/dev/null
	# Under valgrind a run's workers cannot start, so every case fails
	# and the run says so with exit 1: expected there.
	if [ "$rc" -ne 0 ] && [ -n "$vg" ] && [ "$s" = run ] && [ "$rc" -eq 1 ]; then
		:
	elif [ "$rc" -ne 0 ]; then
		echo "faultinj: $s does not pass unfaulted${vg:+ under valgrind} (exit $rc):"
		tail -n 20 "$C/out.txt"
		tree_dirty=1
		return 1
	fi
	local problems
	problems=$("check_$s")
	if [ -n "$problems" ]; then
		echo "faultinj: $s unfaulted: $problems"
		tree_dirty=1
		return 1
	fi
	for f in malloc open write fsync rename; do
		COUNTS[$f]=$(awk -v f="$f" '$1 == f { print $2 }' "$C/count")
	done
}

# try SCENARIO FAMILY N [valgrind]: one faulted case; returns 1 on a failure
# (reported and kept in $KEEP).
try() {
	local s=$1 fam=$2 n=$3 vg=${4:-} problems="" why
	"setup_$s" >"$W/setup.err" 2>&1 || {
		problems="setup failed: $(cat "$W/setup.err")"
	}
	if [ -z "$problems" ]; then
		"cmd_$s"
		local pre=()
		[ -n "$vg" ] && pre=("${VALGRIND[@]}")
		rm -f "$C/fault.log"
		# (The braces keep bash's "Segmentation fault" notice out.)
		{
			timeout -s KILL "$timeout_s" env "${CENV[@]}" \
				LD_PRELOAD="$SHIM" MEMTUNE_FAIL="$fam:$n$persist" \
				MEMTUNE_FAIL_LOG="$C/fault.log" "${pre[@]}" \
				"${CMD[@]}" >"$C/out.txt" 2>&1
			rc=$?
		} 2>/dev/null
		case $rc in
		0|1|2) ;;
		99) problems="valgrind: leak or memory error";;
		137) problems="killed after ${timeout_s}s (a hang?)";;
		*) problems="exit status $rc (a crash?)";;
		esac
		# Under valgrind the command's own status is unknown when
		# valgrind reported errors; the checks still apply.
		[ "$rc" -eq 99 ] && rc=1
		why=$("check_$s")
		[ -n "$why" ] && problems="${problems:+$problems; }$why"
	fi
	[ -z "$problems" ] && return 0
	tree_dirty=1
	local id="$s-$fam-$n${vg:+-valgrind}" site known
	mkdir -p "$KEEP/$id"
	cp "$C/out.txt" "$C/fault.log" "$C/clean.out" "$KEEP/$id/" 2>/dev/null
	[ -d "$C/state" ] && cp -a "$C/state" "$KEEP/$id/state"
	site=$(where_of "$C/fault.log")
	known=$(known_bug "$site")
	if [ -n "$known" ] && [ "${FAULTINJ_STRICT:-0}" != 1 ]; then
		echo "KNOWN $s $fam:$n: $known"
		[ -n "${FAULTINJ_VERBOSE:-}" ] && echo "     $problems"
		known_count=$((known_count + 1))
		return 0
	fi
	echo "FAIL $s $fam:$n${vg:+ (valgrind)}: $problems"
	echo "     $(head -n 1 "$C/fault.log" 2>/dev/null) in $site"
	echo "     output in $KEEP/$id"
	return 1
}

# known_bug SITE: the description of a known bug whose site starts with
# the first column of a line of tests/faultinj/known, or nothing. Matching on the line number means an entry
# stops matching when the code around it changes: then the case fails
# again until someone looks.
known_bug() {
	[ -f "$here/known" ] || return 0
	awk -F '\t+' -v site="$1" '
		/^#/ || NF < 2 { next }
		index(site, $1) == 1 { print $2; exit }' "$here/known"
}

# where_of LOG: the first frames of the program under test in the fault
# log's backtrace, as "function (file:line) < caller (file:line) ...".
where_of() {
	local prog addrs
	[ -s "$1" ] || { echo "?"; return; }
	prog=$(sed -n 's/^\(.*\/\(memtune\|fi_apply\)\)(+0x[0-9a-f]*).*/\1/p' \
		"$1" | head -n 1)
	[ -n "$prog" ] || { echo "?"; return; }
	addrs=$(sed -n 's/^.*\/\(memtune\|fi_apply\)(+\(0x[0-9a-f]*\)).*/\2/p' \
		"$1" | head -n 6)
	# Return addresses: step back one byte into the call. jansson's
	# allocator (core/json_safe.c) is not the site: its caller is.
	addrs=$(for a in $addrs; do printf '0x%x ' $((a - 1)); done)
	addr2line -f -p -s -e "$prog" $addrs 2>/dev/null |
		sed 's/ (discriminator [0-9]*)//; s/ at / (/; s/$/)/' |
		grep -v '(json_safe\.c:' | head -n 5 |
		paste -s -d '<' | sed 's/</ < /g'
}

# The N to try for a total: every one up to the limit, else a stride that
# starts at 1 and ends at total.
steps() {
	local total=$1 stride i
	[ "$total" -gt 0 ] || return 0
	if [ "$limit" -eq 0 ] || [ "$total" -le "$limit" ]; then
		seq 1 "$total"
		return
	fi
	stride=$(((total + limit - 1) / limit))
	{ seq 1 "$stride" "$total"; echo "$total"; } | sort -nu
}

prepare_tree
summary=()
for s in ${only//,/ }; do
	count "$s" || { failures=$((failures + 1)); continue; }
	total=0 counts=""
	for f in malloc open write fsync rename; do
		total=$((total + ${COUNTS[$f]:-0}))
		counts="$counts $f=${COUNTS[$f]:-0}"
	done
	tried=0 failed=0 known_before=$known_count sstart=$(date +%s)
	for f in ${families//,/ }; do
		for n in $(steps "${COUNTS[$f]:-0}"); do
			tried=$((tried + 1))
			try "$s" "$f" "$n" || failed=$((failed + 1))
		done
	done
	# Leaks: a few N spread over each family, under valgrind (the short
	# pass: malloc only), counted under valgrind.
	if [ "$valgrind_n" -gt 0 ]; then
		tried=$((tried + 1))
		if ! count "$s" vg; then
			failed=$((failed + 1))
		else
			for f in ${families//,/ }; do
				c=${COUNTS[$f]:-0}
				[ "${FAULTINJ_SHORT:-0}" = 1 ] &&
					[ "$f" != malloc ] && c=0
				[ "$c" -gt 0 ] || continue
				for k in $(seq 1 "$valgrind_n"); do
					n=$(( (c * k + valgrind_n) / (valgrind_n + 1) ))
					[ "$n" -ge 1 ] || n=1
					tried=$((tried + 1))
					try "$s" "$f" "$n" vg ||
						failed=$((failed + 1))
				done
			done
		fi
	fi
	# The regression cases: SCENARIO FAMILY N [valgrind] per line.
	if [ -f "$here/regressions" ]; then
		while read -r line <&3; do
			line=${line%%#*}
			read -r rs rf rn rv _ <<<"$line"
			[ -n "${rs:-}" ] || continue
			[ "$rs" = "$s" ] || continue
			tried=$((tried + 1))
			try "$s" "$rf" "$rn" ${rv:+vg} || failed=$((failed + 1))
		done 3<"$here/regressions"
	fi
	failures=$((failures + failed))
	summary+=("$(printf '%-9s %6d calls (%s) %5d tried %3d failed %3d known %4ds' \
		"$s" "$total" "${counts# }" "$tried" "$failed" \
		$((known_count - known_before)) $(( $(date +%s) - sstart )))")
done

printf '%s\n' "${summary[@]}"
secs=$(( $(date +%s) - started ))
kn=""
[ "$known_count" -gt 0 ] &&
	kn=", $known_count known (tests/faultinj/known; FAULTINJ_STRICT=1 fails them)"
if [ "$failures" -eq 0 ]; then
	echo "faultinj: ok, no failures$kn (${secs}s)"
	exit 0
fi
echo "faultinj: $failures failure(s)$kn (${secs}s); output kept in $KEEP"
exit 1
