#!/usr/bin/env bash
# alloc, pagecache and odirect in a tiny configuration: the records are
# complete, the cache was in the state each case names (measured), the
# figures agree with each other, the physics holds, and the test files are
# gone afterwards.
. "$(dirname "$0")/lib.sh"
dir="$T/run"
io="$T/io"
mkdir "$io"
expect_exit 0 "$MEMTUNE" run -b alloc,pagecache,odirect -o "$dir" \
  --set sample_time=5ms --set min_samples=3 --set max_samples=5 \
  --set alloc.sizes=64,64K,1M --set alloc.ops=malloc,mmap,kept --set alloc.blocks=64 \
  --set pagecache.dir="$io" --set pagecache.file_size=16M --set pagecache.block_sizes=64K \
  --set pagecache.tests=cold_warm \
  --set odirect.dir="$io" --set odirect.file_size=16M --set odirect.io_size=1M \
  --set odirect.block_sizes=4K,64K --set odirect.patterns=seq
r="$dir/results.jsonl"
[ "$(tail -n 1 "$T/out")" = "$dir" ] || fail "run did not print its directory last"
jq -e -s 'all(.[]; (.status == "ok" or .status == "untrustworthy") and has("case") and has("unit")
  and has("value") and has("n") and has("ci95_lo") and has("ci95_hi"))' "$r" >/dev/null \
  || fail "a record failed or lacks DESIGN fields"
[ -z "$(ls -A "$io")" ] || fail "test files left behind: $(ls "$io")"

# value BENCH METRIC JQ-CONDITION-ON-.case
value() { jq -s --arg b "$1" --arg m "$2" "[.[] | select(.bench == \$b and .metric == \$m and ($3)) | .value][0]" "$r"; }
check() { awk "BEGIN { exit !($1) }" || fail "$2"; }

# alloc: raw mmap with first touch faults every page once; heap memory
# stays with the process after free until malloc_trim, mmapped blocks go
# back at free.
for s in 64 65536 1048576; do
  f=$(value alloc faults_per_alloc ".case.op == \"mmap\" and .case.size_bytes == $s")
  pages=$(( (s + 4095) / 4096 ))
  echo "mmap $s B: $f faults per allocation ($pages pages)"
  check "$f >= $pages && $f <= $pages + 1" "mmap of $s bytes faulted $f times, not once per page ($pages)"
done
for s in 32768 1048576; do
  a=$(value alloc rss_after_alloc ".case.op == \"kept\" and .case.size_bytes == $s")
  f=$(value alloc rss_after_free ".case.op == \"kept\" and .case.size_bytes == $s")
  t=$(value alloc rss_after_trim ".case.op == \"kept\" and .case.size_bytes == $s")
  echo "kept $s B blocks: RSS $a after alloc, $f after free, $t after trim"
  eval "a$s=$a f$s=$f t$s=$t"
done
if [ -n "${MEMTUNE_SANITIZE:-}" ]; then
  echo "ASan replaces malloc: glibc's kept-memory behaviour is not checked"
else
  check "$a32768 >= 64 * 32768 * 0.9" "64 heap blocks of 32K added only $a32768 bytes of RSS"
  check "$f32768 >= $a32768 * 0.9" "the heap gave memory back at free although its top block was live"
  check "$t32768 < $f32768 / 2" "malloc_trim did not give back the heap's free pages"
  check "$f1048576 < $a1048576 / 4" "mmapped blocks were not given back at free"
fi

# pagecache: the cold pass started evicted, the warm one resident, and a
# warm read is faster than a cold one.
rc=$(value pagecache resident_before_cold true)
rw=$(value pagecache resident_before_warm true)
sp=$(value pagecache speedup '.case.method == "read"')
echo "pagecache: resident before cold ${rc}%, before warm ${rw}%, warm/cold speedup $sp"
check "$rc <= 1 && $rw >= 99" "pagecache: the cache was not in the state the pass names"
check "$sp > 1" "pagecache: a warm read was not faster than a cold one"

# odirect: every case measured in the cache state it names.
n=$(jq -s '[.[] | select(.bench == "odirect" and .metric == "bandwidth")] | length' "$r")
[ "$n" -eq 16 ] || fail "odirect: expected 16 cases (reads: 3 modes, writes: direct + 2 modes x cold/warm; x 2 sizes), got $n"
jq -e -s '[.[] | select(.bench == "odirect" and .metric == "bandwidth")] | all(.[];
    .obtained as $o |
    if .case.cache == "warm" then $o.residency_before_min >= 0.99
    else $o.residency_before_max <= 0.01 end
    and (if .case.op == "write" and .case.mode != "direct" then $o.dirty_before_max <= 0.01 else true end)
    and (if .case.op == "read" and .case.mode == "direct" then $o.residency_after_max <= 0.01 else true end))' "$r" >/dev/null \
  || fail "odirect: a case did not start in the cache state it names: $(jq -c 'select(.bench == "odirect" and .metric == "bandwidth") | [.case.op, .case.mode, .case.cache, .case.block_bytes, .obtained]' "$r")"
# Bandwidth is IOPS times the block size; percentiles are ordered.
jq -e -s '[.[] | select(.bench == "odirect")] | group_by(.case | tostring) | all(.[];
    (map({(.metric): .value}) | add) as $v | .[0].case.block_bytes as $b |
    (($v.bandwidth - $v.iops * $b / 1e6) | fabs) <= 1e-6 * $v.bandwidth
    and $v.lat_p50 <= $v.lat_p99 and $v.lat_p99 <= $v.lat_max)' "$r" >/dev/null \
  || fail "odirect: bandwidth is not IOPS x block size, or p50 <= p99 <= max fails"
warm=$(value odirect bandwidth '.case.op == "read" and .case.mode == "buffered_warm" and .case.block_bytes == 65536')
direct=$(value odirect bandwidth '.case.op == "read" and .case.mode == "direct" and .case.block_bytes == 65536')
echo "odirect 64K reads: warm cache $warm MB/s, O_DIRECT $direct MB/s"
check "$warm > $direct" "odirect: reading from the page cache was not faster than O_DIRECT"
exit 0
