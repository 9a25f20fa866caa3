#!/bin/sh
# A workload for memtune tune: Debian's redis-server with a data set of
# MB megabytes (4 KiB values, set through redis-benchmark), then REQUESTS
# random GETs over it; prints redis-benchmark's line, e.g.
#   "GET","41152.26","0.655","0.120","0.583","1.135","2.199","13.431"
# (requests per second, then avg, min, p50, p95, p99, max latency in ms).
# The server listens on a Unix socket in a private directory and goes with
# the script. Usage: redis-get.sh MB REQUESTS
set -eu
mb=${1:-256}
req=${2:-100000}
d=$(mktemp -d /tmp/memtune-redis.XXXXXX)
cleanup() {
	redis-cli -s "$d/sock" shutdown nosave >/dev/null 2>&1 || true
	wait 2>/dev/null || true
	rm -rf "$d"
}
trap cleanup EXIT
redis-server --port 0 --unixsocket "$d/sock" --save '' --appendonly no \
	--dir "$d" --daemonize no --loglevel warning >"$d/log" 2>&1 &
i=0
while [ ! -S "$d/sock" ]; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || { echo "redis-server did not start: $(cat "$d/log")" >&2; exit 1; }
	sleep 0.05
done
keys=$((mb * 256))
# Twice the key space in random SETs covers about 86% of it.
redis-benchmark -s "$d/sock" -t set -n $((2 * keys)) -r "$keys" -d 4096 -q \
	>/dev/null
redis-benchmark -s "$d/sock" -t get -n "$req" -r "$keys" -d 4096 --csv |
	grep '^"GET"'
