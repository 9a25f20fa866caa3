#!/usr/bin/env bash
# numa on this machine: with one node the local figures are measured and
# the remote cases are skipped with the reason; with several, the matrix
# is complete. The chase must look like memory, not like a broken chain
# (a chase over 64 MiB cannot run at L1 speed).
. "$(dirname "$0")/lib.sh"
dir="$T/run"
expect_exit 0 "$MEMTUNE" run -b numa -o "$dir" --set numa.size=64M \
  --set numa.ops=latency,bandwidth,placement --set sample_time=5ms --set max_samples=7
nodes=$(jq '.benchmarks[0].notes.nodes_with_memory' "$dir/meta.json")
lat=$(jq -s '[.[] | select(.case.op == "latency" and .case.cpu_node == .case.mem_node and .status == "ok") | .value] | min' "$dir/results.jsonl")
echo "nodes $nodes, local latency at 64M: $lat ns"
awk -v l="$lat" 'BEGIN { exit !(l > 5) }' || fail "a 64 MiB chase took $lat ns: the chain is broken"
jq -s -e '[.[] | select(.case.op == "bandwidth" and .status == "ok") | .value] | all(. > 100)' "$dir/results.jsonl" >/dev/null \
  || fail "bandwidth records missing or implausible"
if [ "$nodes" -lt 2 ]; then
  jq -s -e '[.[] | select(.case.op == "remote" and .status == "skipped" and (.reason | test("1 NUMA node")))] | length == 1' \
    "$dir/results.jsonl" >/dev/null || fail "no skip record saying there is one node"
else
  jq -s -e --argjson n "$nodes" '[.[] | select(.case.op == "latency" and .status == "ok")] | length == $n * $n' \
    "$dir/results.jsonl" >/dev/null || fail "the latency matrix is not complete"
fi
exit 0
