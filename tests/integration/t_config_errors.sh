# Bad configuration exits 2 with file:line, the key and the accepted form,
# and creates no run directory.
. "$(dirname "$0")/lib.sh"
out="$T/results"

printf '[global]\nsample_time = 20ms\n[tlb]\nsizes = 4K..64K*2\nbackings = 4k,jumbo\n' > "$T/bad1.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/bad1.ini" --set output="$out"
grep -q "bad1.ini:5" "$T/err" || fail "message lacks file:line: $(cat "$T/err")"
grep -q "backings" "$T/err" || fail "message lacks the key"

printf '[tlb]\nsizes = 4Q\n' > "$T/bad2.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/bad2.ini" --set output="$out"
grep -q "bad2.ini:2" "$T/err" && grep -qi "size" "$T/err" || fail "bad size message: $(cat "$T/err")"

printf '[tlb]\nnosuchkey = 1\n' > "$T/bad3.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/bad3.ini" --set output="$out"
grep -q "bad3.ini:2" "$T/err" && grep -q "nosuchkey" "$T/err" || fail "unknown key message: $(cat "$T/err")"

printf '[nosuchbench]\nx = 1\n' > "$T/bad4.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/bad4.ini" --set output="$out"
grep -q "bad4.ini:1" "$T/err" || fail "unknown section message: $(cat "$T/err")"

printf '[tlb\nsizes = 4K\n' > "$T/bad5.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/bad5.ini" --set output="$out"
grep -q "bad5.ini:1" "$T/err" || fail "syntax error message: $(cat "$T/err")"

expect_exit 2 "$MEMTUNE" run -c "$T/missing.ini" --set output="$out"
grep -q "missing.ini" "$T/err" || fail "missing file message: $(cat "$T/err")"

expect_exit 2 "$MEMTUNE" run -b tlb --set tlb.sizes=banana --set output="$out"
grep -q -- "--set" "$T/err" || fail "--set error does not say it came from --set: $(cat "$T/err")"

expect_exit 2 "$MEMTUNE" run -b tlb --set global.cpu=100000 --set output="$out"

# Settings that each parse but conflict, or a test directory that cannot
# hold a test file, stop the run before any benchmark runs (alloc is first
# and would take a minute), naming the file and line of each setting.
printf '[alloc]\n[odirect]\nfile_size = 1M\nblock_sizes = 4K,4M\n' > "$T/bad6.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/bad6.ini" -b alloc,odirect --set output="$out"
grep -q "bad6.ini:4: odirect: block size 4194304" "$T/err" &&
	grep -q "(.*bad6.ini:3)" "$T/err" || fail "block/file conflict message: $(cat "$T/err")"

printf '[pagecache]\nhot_size = 64M\nscan_size = 32M\n' > "$T/bad7.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/bad7.ini" -b alloc,pagecache --set output="$out"
grep -q "bad7.ini:2" "$T/err" && grep -q "bad7.ini:3" "$T/err" ||
	fail "hot_scan conflict message: $(cat "$T/err")"

expect_exit 2 "$MEMTUNE" run -b alloc,pagecache --set pagecache.dir="$T/nosuchdir" --set output="$out"
grep -q -- "--set #1: pagecache: test directory" "$T/err" || fail "missing dir message: $(cat "$T/err")"

if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	printf '[odirect]\ndir = /dev/shm\n' > "$T/bad8.ini"
	expect_exit 2 "$MEMTUNE" run -c "$T/bad8.ini" -b alloc,odirect --set output="$out"
	grep -q "bad8.ini:2: odirect: test directory '/dev/shm' is on tmpfs" "$T/err" ||
		fail "tmpfs dir message: $(cat "$T/err")"
fi

# Issue 12 item 5: input that was accepted but should not be.
# A size beyond 2^63 wrapped to -1; now refused with where it came from.
expect_exit 2 "$MEMTUNE" run -b tlb --set tlb.sizes=18446744073709551615 --set output="$out"
grep -q -- "--set #1: \[tlb\] key 'sizes'.*below 8 EiB" "$T/err" || fail "size overflow: $(cat "$T/err")"
# No case at all ran "ok".
printf '[tlb]\nsizes = 0\n' > "$T/nocase.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/nocase.ini" -b tlb --set output="$out"
grep -q "nocase.ini:2: \[tlb\] gives no case to run with sizes = 0" "$T/err" &&
	grep -q "expected settings that leave at least one case" "$T/err" || fail "sizes = 0: $(cat "$T/err")"
printf '[tlb]\nbackings =\n' > "$T/noback.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/noback.ini" -b tlb --set output="$out"
grep -q "noback.ini:2: \[tlb\] key 'backings': bad value '': expected at least one word" "$T/err" ||
	fail "empty backings: $(cat "$T/err")"
# min_samples above max_samples names both lines.
printf '[global]\nmin_samples = 50\n\nmax_samples = 30\n' > "$T/samples.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/samples.ini" -b tlb --set output="$out"
grep -q "samples.ini:2: .*min_samples = 50 is above max_samples = 30 (.*samples.ini:4)" "$T/err" ||
	fail "min/max samples: $(cat "$T/err")"
# A key given twice in one section names both lines.
printf '[tlb]\nsizes = 4K\npatterns = line\nsizes = 8K\n' > "$T/dup.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/dup.ini" -b tlb --set output="$out"
grep -q "dup.ini:4: \[tlb\] key 'sizes' is set twice, first at .*dup.ini:2" "$T/err" ||
	fail "duplicate key: $(cat "$T/err")"
# '#' comments work where ';' ones do (a bad value after one still fails,
# so the run stops before measuring anything).
printf '# comment\n[tlb] # the TLB\nsizes = 4K   # tiny\nbackings = jumbo # bad\n' > "$T/hash.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/hash.ini" -b tlb --set output="$out"
grep -q "hash.ini:4: \[tlb\] key 'backings': bad value 'jumbo'" "$T/err" || fail "# comments: $(cat "$T/err")"
# 4K\0junk is not 4K.
printf '[tlb]\nsizes = 4K\0junk\n' > "$T/nul.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/nul.ini" -b tlb --set output="$out"
grep -q "nul.ini:2: the line holds a NUL byte" "$T/err" || fail "NUL byte: $(cat "$T/err")"
# A 60-size list is longer than inih's 198 bytes and fine; 64 KiB is not.
list=$(seq -s, 4 4 240 | sed 's/,/K, /g')K
printf '[tlb]\nsizes = %s\nbackings = jumbo\n' "$list" > "$T/long.ini"
[ "$(sed -n 2p "$T/long.ini" | wc -c)" -gt 300 ] || fail "the long line is short"
expect_exit 2 "$MEMTUNE" run -c "$T/long.ini" -b tlb --set output="$out"
grep -q "long.ini:3: \[tlb\] key 'backings'" "$T/err" || fail "long line: $(cat "$T/err")"
{ printf '[tlb]\nsizes = '; head -c 70000 /dev/zero | tr '\0' 4; echo; } > "$T/huge.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/huge.ini" -b tlb --set output="$out"
grep -q "huge.ini:2: line of 70008 bytes: expected at most 65536" "$T/err" || fail "huge line: $(cat "$T/err")"
# cpu beyond this machine names its line.
printf '[global]\ncpu = 9999\n' > "$T/cpu.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/cpu.ini" -b tlb --set output="$out"
grep -q "cpu.ini:2: \[global\] cpu = 9999" "$T/err" || fail "cpu: $(cat "$T/err")"
# An unknown section from --set says "--set #N" like every other message.
expect_exit 2 "$MEMTUNE" run -b tlb --set tlb.sizes=4K --set foo.bar=1 --set output="$out"
grep -q -- "--set #2: unknown section \[foo\]" "$T/err" || fail "--set section: $(cat "$T/err")"

[ ! -e "$out" ] || [ -z "$(ls -A "$out")" ] || fail "a bad configuration left a run directory"

# A run in which every case of a benchmark failed exits 1 (it said 0),
# still naming its run directory. The worker cannot map 1 GiB under a
# 300 MB address-space limit: the case fails, nothing else changes.
if [ -z "${MEMTUNE_SANITIZE:-}" ]; then
	( ulimit -v 300000
	  expect_exit 1 "$MEMTUNE" run -b tlb -o "$T/allfail" --set tlb.sizes=1G \
		--set tlb.backings=4k --set tlb.patterns=line )
	[ "$(tail -n 1 "$T/out")" = "$T/allfail" ] || fail "the failed run did not name its directory: $(cat "$T/out")"
	grep -q "every case of tlb failed" "$T/err" || fail "all-failed message: $(cat "$T/err")"
	jq -e '.benchmarks[0].status == "failed"' "$T/allfail/meta.json" >/dev/null || fail "meta.json status"
fi
exit 0
