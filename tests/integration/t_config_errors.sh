#!/usr/bin/env bash
# Bad configuration exits 2 with file:line, the key and the accepted form,
# and creates no run directory.
. "$(dirname "$0")/lib.sh"
out="$T/results"

# refused NAME TEXT [ARG...]: writes TEXT (a printf format) to $T/NAME.ini
# and expects `memtune run -c $T/NAME.ini ARG...` to exit 2.
refused() {
	local ini="$T/$1.ini"
	printf "$2" > "$ini"
	shift 2
	expect_exit 2 "$MEMTUNE" run -c "$ini" "$@" --set output="$out"
}

refused bad1 '[global]\nsample_time = 20ms\n[tlb]\nsizes = 4K..64K*2\nbackings = 4k,jumbo\n'
expect_err "bad1.ini:5" "message lacks file:line"
grep -q "backings" "$T/err" || fail "message lacks the key"

refused bad2 '[tlb]\nsizes = 4Q\n'
grep -q "bad2.ini:2" "$T/err" && grep -qi "size" "$T/err" || fail "bad size message: $(cat "$T/err")"

refused bad3 '[tlb]\nnosuchkey = 1\n'
grep -q "bad3.ini:2" "$T/err" && grep -q "nosuchkey" "$T/err" || fail "unknown key message: $(cat "$T/err")"

refused bad4 '[nosuchbench]\nx = 1\n'
expect_err "bad4.ini:1" "unknown section message"

refused bad5 '[tlb\nsizes = 4K\n'
expect_err "bad5.ini:1" "syntax error message"

expect_exit 2 "$MEMTUNE" run -c "$T/missing.ini" --set output="$out"
expect_err "missing.ini" "missing file message"

expect_exit 2 "$MEMTUNE" run -b tlb --set tlb.sizes=banana --set output="$out"
expect_err "--set" "--set error does not say it came from --set"

expect_exit 2 "$MEMTUNE" run -b tlb --set global.cpu=100000 --set output="$out"

# Settings that each parse but conflict, or a test directory that cannot
# hold a test file, stop the run before any benchmark runs (alloc is first
# and would take a minute), naming the file and line of each setting.
refused bad6 '[alloc]\n[odirect]\nfile_size = 1M\nblock_sizes = 4K,4M\n' -b alloc,odirect
grep -q "bad6.ini:4: odirect: block size 4194304" "$T/err" &&
	grep -q "(.*bad6.ini:3)" "$T/err" || fail "block/file conflict message: $(cat "$T/err")"

refused bad7 '[pagecache]\nhot_size = 64M\nscan_size = 32M\n' -b alloc,pagecache
grep -q "bad7.ini:2" "$T/err" && grep -q "bad7.ini:3" "$T/err" ||
	fail "hot_scan conflict message: $(cat "$T/err")"

expect_exit 2 "$MEMTUNE" run -b alloc,pagecache --set pagecache.dir="$T/nosuchdir" --set output="$out"
expect_err "--set #1: pagecache: test directory" "missing dir message"

if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	printf '[odirect]\ndir = /dev/shm\n' > "$T/bad8.ini"
	expect_exit 2 "$MEMTUNE" run -c "$T/bad8.ini" -b alloc,odirect --set output="$out"
	expect_err "bad8.ini:2: odirect: test directory '/dev/shm' is on tmpfs" "tmpfs dir message"
fi

# Issue 12 item 5: input that was accepted but should not be.
# A size beyond 2^63 wrapped to -1; now refused with where it came from.
expect_exit 2 "$MEMTUNE" run -b tlb --set tlb.sizes=18446744073709551615 --set output="$out"
expect_err "--set #1: \[tlb\] key 'sizes'.*below 8 EiB" "size overflow"
# No case at all ran "ok".
refused nocase '[tlb]\nsizes = 0\n' -b tlb
grep -q "nocase.ini:2: \[tlb\] gives no case to run with sizes = 0" "$T/err" &&
	grep -q "expected settings that leave at least one case" "$T/err" || fail "sizes = 0: $(cat "$T/err")"
refused noback '[tlb]\nbackings =\n' -b tlb
expect_err "noback.ini:2: \[tlb\] key 'backings': bad value '': expected at least one word" "empty backings"
# min_samples above max_samples names both lines.
refused samples '[global]\nmin_samples = 50\n\nmax_samples = 30\n' -b tlb
expect_err "samples.ini:2: .*min_samples = 50 is above max_samples = 30 (.*samples.ini:4)" "min/max samples"
# A key given twice in one section names both lines.
refused dup '[tlb]\nsizes = 4K\npatterns = line\nsizes = 8K\n' -b tlb
expect_err "dup.ini:4: \[tlb\] key 'sizes' is set twice, first at .*dup.ini:2" "duplicate key"
# '#' comments work where ';' ones do (a bad value after one still fails,
# so the run stops before measuring anything).
refused hash '# comment\n[tlb] # the TLB\nsizes = 4K   # tiny\nbackings = jumbo # bad\n' -b tlb
expect_err "hash.ini:4: \[tlb\] key 'backings': bad value 'jumbo'" "# comments"
# 4K\0junk is not 4K.
refused nul '[tlb]\nsizes = 4K\0junk\n' -b tlb
expect_err "nul.ini:2: the line holds a NUL byte" "NUL byte"
# A 60-size list is longer than inih's 198 bytes and fine; 64 KiB is not.
list=$(seq -s, 4 4 240 | sed 's/,/K, /g')K
printf '[tlb]\nsizes = %s\nbackings = jumbo\n' "$list" > "$T/long.ini"
[ "$(sed -n 2p "$T/long.ini" | wc -c)" -gt 300 ] || fail "the long line is short"
expect_exit 2 "$MEMTUNE" run -c "$T/long.ini" -b tlb --set output="$out"
expect_err "long.ini:3: \[tlb\] key 'backings'" "long line"
{ printf '[tlb]\nsizes = '; head -c 70000 /dev/zero | tr '\0' 4; echo; } > "$T/huge.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/huge.ini" -b tlb --set output="$out"
expect_err "huge.ini:2: line of 70008 bytes: expected at most 65536" "huge line"
# cpu beyond this machine names its line.
refused cpu '[global]\ncpu = 9999\n' -b tlb
expect_err "cpu.ini:2: \[global\] cpu = 9999" "cpu"
# An unknown section from --set says "--set #N" like every other message.
expect_exit 2 "$MEMTUNE" run -b tlb --set tlb.sizes=4K --set foo.bar=1 --set output="$out"
expect_err "--set #2: unknown section \[foo\]" "--set section"

[ ! -e "$out" ] || [ -z "$(ls -A "$out")" ] || fail "a bad configuration left a run directory"

# A run in which every case of a benchmark failed exits 1 (it said 0),
# still naming its run directory. The worker cannot map 1 GiB under a
# 300 MB address-space limit: the case fails, nothing else changes.
if [ -z "${MEMTUNE_SANITIZE:-}" ]; then
	( ulimit -v 300000
	  expect_exit 1 "$MEMTUNE" run -b tlb -o "$T/allfail" --set tlb.sizes=1G \
		--set tlb.backings=4k --set tlb.patterns=line )
	[ "$(tail -n 1 "$T/out")" = "$T/allfail" ] || fail "the failed run did not name its directory: $(cat "$T/out")"
	expect_err "every case of tlb failed" "all-failed message"
	jq -e '.benchmarks[0].status == "failed"' "$T/allfail/meta.json" >/dev/null || fail "meta.json status"
fi
exit 0
