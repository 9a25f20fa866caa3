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

[ ! -e "$out" ] || [ -z "$(ls -A "$out")" ] || fail "a bad configuration left a run directory"
exit 0
