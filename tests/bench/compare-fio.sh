#!/usr/bin/env bash
# compare-fio.sh MEMTUNE [OUT]: odirect and pagecache side by side with fio.
#
# For each group of odirect cases (one op, pattern and mode, every block
# size of configs/quick.ini) and for pagecache's cold/warm read() cases,
# runs memtune (--quick, only that group), then fio on a file freshly
# written the same way (buffered, synced, evicted: memtune's test file is
# made like that) in the same directory, pinned to the CPU memtune measured
# on, with ioengine=psync, iodepth=1, fadvise_hint=0 (memtune gives no
# hint), page-aligned buffers, random_generator=lfsr and randrepeat=0 (see
# fio_json). The whole round is repeated COMPARE_REPS times (default 3),
# memtune and fio alternating, because this machine's virtual disk drifts
# by tens of percent over minutes: each figure is the median of the
# rounds, with the range beside it.
#
# fio repeats memtune's sample: the same bytes (odirect's ios_per_sample
# blocks) from the same state, once to warm up and then 5 times, and its
# figure is the median, as memtune's is. Cases whose samples change the
# cache (cold reads, buffered writes) move the whole file in each sample
# (odirect.file_size = io_size = 1G), so that fio's whole-millisecond
# runtime is fine enough. Warm reads, where nothing but memory is
# involved, run fio for 1 s (time_based) instead:
#   direct              direct=1
#   buffered_cold read  invalidate=1 (evicted when fio opens the file)
#   buffered_warm read  the file evicted and read once in order with the
#                       same block size (as memtune warms it), then
#                       invalidate=0
#   buffered write      sync first, invalidate=1, no sync
#   buffered_fdatasync  the same with end_fsync=1 (an fsync at the end,
#                       inside fio's runtime; memtune times an fdatasync)
#   pagecache cold/warm one fio run of two jobs: the whole file cold
#                       (invalidate=1), then again warm (invalidate=0)
# Warm buffered writes are left out: fio cannot keep from overwriting a
# block it has written since the file was read in, which memtune does.
#
# OUT (default results/compare-fio-DATE/) keeps memtune's run directories,
# fio's JSON and table.txt; fio's file is removed at exit.
set -euo pipefail

memtune=${1:?usage: compare-fio.sh MEMTUNE [OUT]}
out=${2:-results/compare-fio-$(date +%Y%m%d-%H%M%S)}
reps=${COMPARE_REPS:-3}
# Only the groups matching this extended regex ("odirect read seq direct",
# ..., "pagecache"), e.g. COMPARE_ONLY='direct|pagecache'.
only=${COMPARE_ONLY:-.}
# fio runs per stateful case and round (memtune's min_samples in quick.ini)
samples=5
# File and sample size of the cases whose samples change the cache.
big=1G

die() { echo "compare-fio: $*" >&2; exit 2; }
command -v fio >/dev/null || die "fio is not installed (apt-get install fio)"
command -v jq >/dev/null || die "jq is not installed (apt-get install jq)"
[ -e "$out" ] && die "'$out' exists; give a new directory"
mkdir -p "$out/fio" "$out/runs"
[ "$(stat -f -c %T "$out")" = tmpfs ] &&
	die "'$out' is on tmpfs: there is no disk behind it; use a directory on a disk filesystem"
fio_file="$out/fio.data"
trap 'rm -f "$fio_file" "$out/fio.out" "$out/fio.err"' EXIT

# The file sizes and block sizes of the quick configuration.
ini_key() {	# SECTION KEY
	awk -v s="[$1]" -v k="$2" '$0 == s { in_s = 1; next }
		/^\[/ { in_s = 0 }
		in_s && $1 == k { sub(/^[^=]*= */, ""); print; exit }' \
		"$(dirname "$0")/../../configs/quick.ini"
}
to_bytes() {
	awk -v v="$1" 'BEGIN { m = 1; u = substr(v, length(v));
		if (u == "K") m = 1024; else if (u == "M") m = 1048576;
		else if (u == "G") m = 1073741824;
		if (m > 1) v = substr(v, 1, length(v) - 1);
		printf "%d", v * m }'
}
pc_file=$(to_bytes "$(ini_key pagecache file_size)")

# fio ARGS...: fio pinned to memtune's CPU, printing JSON.
cpu=0
# Buffers page-aligned, as memtune's are: for buffered I/O fio otherwise
# uses malloc's address as it comes (16 bytes past a page for large
# blocks), and the kernel's copy into a misaligned buffer is slower (seen
# here: 1 MiB warm reads at 20 GB/s unaligned, 24 GB/s aligned).
# Random patterns read every block once in a uniformly random order, as
# memtune does: fio's LFSR generator; its default (tausworthe with a random
# map) takes the next free block after drawing a used one, which clusters
# the end of a pass and makes cold buffered random reads look ~30% faster.
# A new seed each run, as memtune's samples go on through its permutation
# instead of rereading the blocks the last sample read.
# fio 3.33 derives the LFSR's spin from the seed and refuses some seeds
# ("failed initializing LFSR", and a job that did no I/O, exit status 0):
# such a run is tried again with another seed.
fio_json() {
	local try rc
	for try in 1 2 3 4 5; do
		rc=0
		taskset -c "$cpu" fio --output-format=json --ioengine=psync \
			--iodepth=1 --fadvise_hint=0 --mem_align=4096 \
			--random_generator=lfsr --randrepeat=0 "$@" \
			>"$out/fio.out" 2>"$out/fio.err" || rc=$?
		if grep -q "initializing LFSR" "$out/fio.out" "$out/fio.err"; then
			continue
		fi
		if [ $rc = 0 ]; then
			cat "$out/fio.out"
			return 0
		fi
		break
	done
	echo "compare-fio: fio $* failed:" >&2
	cat "$out/fio.err" >&2
	return 1
}

# fio_fig JSON OP BS: fio's bandwidth (MB/s, over its runtime), the p50 of
# its completion latency (us), and the bandwidth of the time spent in the
# I/O calls alone (bs / mean clat, MB/s): fio's own work between calls
# (about 0.3 us an I/O) is in the first and not in the third.
fio_fig() {
	jq -r --argjson bs "$3" ".jobs[0].$2 |
		\"\\(.bw_bytes / 1e6) \\(.clat_ns.percentile[\"50.000000\"] / 1000) \\(\$bs * 1e3 / .clat_ns.mean)\"" "$1"
}

# lay BYTES: writes $fio_file as memtune writes its test file (buffered,
# 1 MiB writes, synced), then evicts it.
lay() {
	rm -f "$fio_file"
	fio --name=lay --filename="$fio_file" --size="$1" --rw=write --bs=1M \
		--direct=0 --end_fsync=1 --ioengine=psync --output=/dev/null
	fio --name=evict --filename="$fio_file" --size="$1" --rw=read \
		--bs=1M --io_size=1M --invalidate=1 --output=/dev/null
}

median() { sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "nan" }'; }

# mt SECTION TAG SET...: one memtune run; prints its directory.
mt() {
	local tag=$1; shift
	"$memtune" run --quick -o "$out/runs/$tag" "$@" >/dev/null
	echo "$out/runs/$tag"
}

# Rows of figures: "key memtune|fio value", one per line, in $out/raw.
raw="$out/raw"
: >"$raw"

od_group() {	# REP OP PATTERN MODE
	local rep=$1 op=$2 pat=$3 mode=$4 dir rec rw d=0 warm=0 more=()
	local extra=() whole=1
	case $mode in
	direct) d=1 whole=0 ;;
	buffered_warm) warm=1 whole=0 ;;
	buffered_fdatasync) extra=(--end_fsync=1) ;;
	esac
	# Cases whose samples change the cache move the whole file per sample,
	# long enough for fio's millisecond runtime.
	[ $whole = 0 ] || more=(--set odirect.file_size="$big" \
		--set odirect.io_size="$big")
	dir=$(mt "od-$op-$pat-$mode-$rep" -b odirect --set odirect.ops="$op" \
		--set odirect.patterns="$pat" --set odirect.modes="$mode" \
		--set odirect.write_cache=cold "${more[@]}")
	rec="$dir/results.jsonl"
	cpu=$(jq -r '.measure_cpu // 0' "$dir/meta.json")
	rw=$op; [ "$pat" = rand ] && rw=rand$op
	jq -r 'select(.bench=="odirect" and (.status // "ok")=="ok" and
		(.metric=="bandwidth" or .metric=="lat_p50")) |
		[.metric, .case.block_bytes, .case.ios_per_sample,
		 .case.file_bytes, .value] | @tsv' "$rec" |
	while IFS=$'\t' read -r metric bs ios file v; do
		local key="odirect $op $pat $mode $bs" j n
		echo "$key $metric memtune $v" >>"$raw"
		[ "$metric" = bandwidth ] || continue
		lay "$file"
		j="$out/fio/od-$op-$pat-$mode-$bs-$rep"
		if [ $warm = 1 ]; then
			# Memory only, no state: 1 s of fio.
			fio --name=warm --filename="$fio_file" \
				--size="$file" --rw=read --bs="$bs" \
				--invalidate=1 --fadvise_hint=0 \
				--ioengine=psync --output=/dev/null
			fio_json --name=m --filename="$fio_file" \
				--size="$file" --rw="$rw" --bs="$bs" --direct=0 \
				--invalidate=0 --time_based --runtime=1 \
				>"$j.1.json"
			n=1
		else
			# memtune's samples: the same bytes from the same cache
			# state, $samples times after one warm-up run (memtune
			# warms up with one sample); the median.
			for i in $(seq 0 "$samples"); do
				[ "$op" = write ] && [ $d = 0 ] && sync
				fio_json --name=m --filename="$fio_file" \
					--size="$file" --io_size=$((ios * bs)) \
					--rw="$rw" --bs="$bs" --direct=$d \
					--invalidate=1 "${extra[@]}" >"$j.$i.json"
			done
			rm -f "$j.0.json"
			n=$samples
		fi
		# fio's clat leaves out the end_fsync: no I/O-time figure.
		for i in $(seq "$n"); do fio_fig "$j.$i.json" "$op" "$bs"; done |
		awk -v key="$key" -v sync="${extra[*]}" '
			{ bw[NR] = $1; p50[NR] = $2; io[NR] = $3 }
			function med(a, n,    i, j, t) {
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				return a[int((n + 1) / 2)]
			}
			END {
				print key, "bandwidth fio", med(bw, NR)
				print key, "lat_p50 fio", med(p50, NR)
				if (sync == "") print key, "bandwidth fio_io", med(io, NR)
			}' >>"$raw"
	done
}

pc_group() {	# REP
	local rep=$1 dir rec
	dir=$(mt "pc-$rep" -b pagecache --set pagecache.tests=cold_warm \
		--set pagecache.methods=read)
	rec="$dir/results.jsonl"
	cpu=$(jq -r '.measure_cpu // 0' "$dir/meta.json")
	lay "$pc_file"
	jq -r 'select(.bench=="pagecache" and (.status // "ok")=="ok" and
		(.metric=="cold_read" or .metric=="warm_read")) |
		[.metric, .case.block_bytes, .value] | @tsv' "$rec" |
	while IFS=$'\t' read -r metric bs v; do
		echo "pagecache read seq ${metric%_read} $bs bandwidth memtune $v" \
			>>"$raw"
	done
	for bs in $(jq -r 'select(.bench=="pagecache" and
		.metric=="cold_read") | .case.block_bytes' "$rec"); do
		local j="$out/fio/pc-$bs-$rep"
		# As memtune: the whole file cold, then warm; once to warm up,
		# then $samples times.
		for i in $(seq 0 "$samples"); do
			fio_json --filename="$fio_file" --size="$pc_file" \
				--rw=read --bs="$bs" --direct=0 --name=cold \
				--invalidate=1 --name=warm --invalidate=0 \
				--stonewall >"$j.$i.json"
		done
		rm -f "$j.0.json"
		for i in $(seq "$samples"); do
			jq -r --argjson bs "$bs" '[.jobs[] | .read |
				"\(.bw_bytes / 1e6) \($bs * 1e3 / .clat_ns.mean)"] |
				join(" ")' "$j.$i.json"
		done | awk -v key="pagecache read seq" -v bs="$bs" '
			{ for (c = 1; c <= 4; c++) v[c, NR] = $c }
			function med(c, n,    i, j, t, a) {
				for (i = 1; i <= n; i++) a[i] = v[c, i]
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				return a[int((n + 1) / 2)]
			}
			END {
				print key, "cold", bs, "bandwidth fio", med(1, NR)
				print key, "cold", bs, "bandwidth fio_io", med(2, NR)
				print key, "warm", bs, "bandwidth fio", med(3, NR)
				print key, "warm", bs, "bandwidth fio_io", med(4, NR)
			}' >>"$raw"
	done
}

groups=(
	"read seq direct" "read rand direct"
	"read seq buffered_cold" "read rand buffered_cold"
	"read seq buffered_warm" "read rand buffered_warm"
	"write seq direct" "write rand direct"
	"write seq buffered" "write rand buffered"
	"write seq buffered_fdatasync" "write rand buffered_fdatasync"
)
for rep in $(seq "$reps"); do
	echo "compare-fio: round $rep of $reps" >&2
	for g in "${groups[@]}"; do
		grep -Eq -- "$only" <<<"odirect $g" || continue
		# shellcheck disable=SC2086
		od_group "$rep" $g
	done
	if grep -Eq -- "$only" <<<pagecache; then pc_group "$rep"; fi
done

# The table: median [min..max] of the rounds; memtune against fio's
# bandwidth and against the bandwidth of fio's time in the I/O calls.
table="$out/table.txt"
awk '
function kib(b) { return b >= 1048576 ? b / 1048576 "M" : b / 1024 "K" }
{
	key = $1 " " $2 " " $3 " " $4 " " $5 " " $6
	if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
	n = ++cnt[key, $7]; v[key, $7, n] = $8
}
function stat(key, tool,    n, i, j, t, a) {
	n = cnt[key, tool]
	if (!n) return "-"
	for (i = 1; i <= n; i++) a[i] = v[key, tool, i]
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	med = a[int((n + 1) / 2)]
	if (n > 1)
		return sprintf("%.1f [%.0f..%.0f]", med, a[1], a[n])
	return sprintf("%.1f", med)
}
function diff(a, b) { return sprintf("%+.1f", (a - b) / b * 100) }
END {
	printf "%-9s %-5s %-4s %-18s %-4s %-6s %22s %22s %6s %22s %6s\n",
		"bench", "op", "pat", "mode", "bs", "unit", "memtune",
		"fio", "diff%", "fio I/O time", "diff%"
	for (k = 1; k <= nk; k++) {
		key = order[k]; split(key, f, " ")
		if (!cnt[key, "fio"] || !cnt[key, "memtune"]) continue
		ms = stat(key, "memtune"); m = med
		fs = stat(key, "fio"); fv = med; d = diff(m, fv)
		is = stat(key, "fio_io"); iv = med
		di = is == "-" ? "-" : diff(m, iv)
		unit = f[6] == "bandwidth" ? "MB/s" : "p50_us"
		printf "%-9s %-5s %-4s %-18s %-4s %-6s %22s %22s %6s %22s %6s\n",
			f[1], f[2], f[3], f[4], kib(f[5]), unit, ms, fs, d, is, di
		if (unit != "MB/s") {
			np++
			if (d + 0 <= 15 && d + 0 >= -15) wp++
			continue
		}
		nb++
		if (d + 0 <= 15 && d + 0 >= -15) w++
		if (di != "-" && di + 0 <= 15 && di + 0 >= -15) wi++
		if ((d + 0 <= 15 && d + 0 >= -15) ||
		    (di != "-" && di + 0 <= 15 && di + 0 >= -15)) we++
	}
	printf "bandwidth within 15%%: of fio %d of %d; of fio I/O time %d; of either %d\n",
		w, nb, wi, we
	printf "p50 latency within 15%% of fio: %d of %d\n", wp, np
}' "$raw" | tee "$table"
echo "memtune runs: $out/runs   fio JSON: $out/fio   table: $table" >&2
