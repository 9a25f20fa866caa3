# Every command answers --help; bad usage and bad input exit 2 with a
# message that names what was wrong.
. "$(dirname "$0")/lib.sh"

for c in list sysinfo run analyze report compare advise apply rollback restore config-doc; do
  expect_exit 0 "$MEMTUNE" "$c" --help
  grep -q "usage: memtune $c" "$T/out" || fail "$c --help has no usage line"
done
expect_exit 0 "$MEMTUNE" --help
expect_exit 2 "$MEMTUNE"
expect_exit 2 "$MEMTUNE" frobnicate
grep -q "unknown command 'frobnicate'" "$T/err" || fail "no message for an unknown command"
expect_exit 2 "$MEMTUNE" run --bogus
expect_exit 2 "$MEMTUNE" run -b nosuchbench
grep -q "unknown benchmark 'nosuchbench'" "$T/err" || fail "no message for -b nosuchbench"

# list: one line per benchmark, in JSON too.
expect_exit 0 "$MEMTUNE" list
grep -q '^tlb ' "$T/out" || fail "list lacks tlb"
expect_exit 0 "$MEMTUNE" list --json
jq -e 'length >= 2 and all(.[]; has("name") and has("available") and has("needs"))' "$T/out" >/dev/null \
  || fail "list --json is not an array of benchmarks"

# sysinfo, live and on a captured tree of another machine.
expect_exit 0 "$MEMTUNE" sysinfo --json
jq -e '.memory.mem_total_bytes > 0' "$T/out" >/dev/null || fail "sysinfo has no MemTotal"
fx="$(dirname "$0")/../fixtures/machines/db-2node"
if [ -d "$fx" ]; then
  MEMTUNE_FSROOT="$fx" expect_exit 0 "$MEMTUNE" sysinfo --json
  jq -e '(.numa.nodes | length) == 2' "$T/out" >/dev/null || fail "db-2node fixture does not show 2 NUMA nodes"
fi

# restore with nothing pending is a no-op.
expect_exit 0 "$MEMTUNE" restore
grep -q "nothing to restore" "$T/out" || fail "restore did not say there was nothing to do"

# config-doc documents every benchmark section.
expect_exit 0 "$MEMTUNE" config-doc
for b in global tlb hugepage alloc pagecache odirect swap reclaim oom mlock numa; do grep -q "^### \[$b\]" "$T/out" || fail "config-doc lacks [$b]"; done
# configs/README.md documents every key: its generated part is up to date.
readme="$(dirname "$0")/../../configs/README.md"
head="$(dirname "$0")/../../configs/README.head.md"
{ cat "$head"; cat "$T/out"; } | diff -q - "$readme" >/dev/null \
  || fail "configs/README.md is out of date: run 'make configs-doc'"
exit 0
