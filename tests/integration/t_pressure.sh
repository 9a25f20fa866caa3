#!/usr/bin/env bash
# The memory-pressure benchmarks reclaim, oom and mlock in a tiny
# configuration: as root they write their records and put the machine back
# (sysctls, hugetlb pool, swap, cgroups); the clear-cut OOM scenarios follow
# the documented score; mlock keeps a file-backed hot set resident; and run
# unprivileged, each is skipped with a reason and the run still succeeds.
. "$(dirname "$0")/lib.sh"
is_root || skip "needs root (memory cgroups, sysctls)"
command -v jq >/dev/null || skip "needs jq"

cg_root=/sys/fs/cgroup/memory
[ -d "$cg_root" ] || cg_root=/sys/fs/cgroup
ours() { ls "$cg_root" 2>/dev/null | grep -E '^memtune-(reclaim|oom|mlock)-' || true; }
sys_state() {
  cat /proc/sys/vm/min_free_kbytes /proc/sys/vm/watermark_scale_factor \
      /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
  tail -n +2 /proc/swaps | awk '{print $1}' | sort
}
[ -z "$(ours)" ] || skip "memtune pressure cgroups already exist: $(ours)"
before=$(sys_state)

dir="$T/run"
expect_exit 0 "$MEMTUNE" run -b reclaim,oom,mlock -o "$dir" \
  --set reclaim.scopes=cgroup,machine --set reclaim.limit=256M \
  --set reclaim.burst=32M --set reclaim.duration=1s \
  --set reclaim.min_free_kbytes=current,128M \
  --set reclaim.watermark_scale_factor=current \
  --set reclaim.headroom=2G \
  --set oom.limit=128M \
  --set mlock.hot_size=8M --set mlock.limit=64M --set mlock.duration=1s \
  --set mlock.idle=100ms --set mlock.locks=none,mlock \
  --set mlock.swap_file_size=256M
after=$(sys_state)
[ "$before" = "$after" ] || fail "system state changed: before [$before] after [$after]"
[ -z "$(ours)" ] || fail "cgroups left behind: $(ours)"
ls "$dir" | grep -q '\.swap$' && fail "a swap file was left in $dir"
ls "$dir" | grep -q '\.data$' && fail "a test file was left in $dir"

r="$dir/results.jsonl"
for b in reclaim oom mlock; do
  jq -e -s --arg b "$b" 'any(.[]; .bench == $b and (.status == "ok" or .status == "untrustworthy"))' "$r" >/dev/null \
    || { grep "\"$b\"" "$r" | head -3; fail "no measured $b record"; }
done
jq -e -s 'all(.[]; .status != "failed")' "$r" >/dev/null \
  || { jq -c 'select(.status == "failed") | {bench, case, reason}' "$r"; fail "a case failed"; }

# reclaim: the watermarks in force and the knob value are in each record's
# "system" (not in its "case", which holds only what was asked), and no
# runner-to-worker plumbing (cgroup paths) is recorded.
jq -e -s '[.[] | select(.bench == "reclaim" and .metric == "allocstall")] | length == 4 and
  all(.[]; (.system.watermarks.min_kb > 0) and (.system.watermarks.high_kb >= .system.watermarks.min_kb)
      and (.system.min_free_kbytes > 0) and (.system.scope_note | length > 0)
      and (.case.system == null) and (.system.cgroup == null))' "$r" >/dev/null \
  || fail "reclaim records lack the watermarks or the settings in force"
jq -e -s 'any(.[]; .bench == "reclaim" and .case.min_free_kbytes == 131072 and .system.min_free_kbytes == 131072)' "$r" >/dev/null \
  || fail "reclaim did not record min_free_kbytes 128M as set"

# oom: the clear-cut scenarios follow the documented score.
for s in size_decides adj_decides; do
  v=$(jq -s --arg s "$s" '[.[] | select(.bench == "oom" and .case.scenario == $s and .metric == "followed_score")][0] | (.value // "missing")' "$r")
  [ "$v" = 1 ] || { jq -c --arg s "$s" 'select(.bench == "oom" and .case.scenario == $s) | .obtained' "$r" | head -1; fail "oom $s: followed_score is $v"; }
done
k=$(jq -s '[.[] | select(.bench == "oom" and .case.scenario == "adj_decides" and .metric == "oom_kills")][0].value' "$r")
[ "$k" = 1 ] || fail "oom adj_decides: the cgroup counted $k kills, expected 1"

# mlock: a locked file-backed hot set stays resident and takes no major
# faults; the record says what was locked.
v=$(jq -s '[.[] | select(.bench == "mlock" and .case.backing == "file" and .case.lock == "mlock" and .metric == "hot_resident_min")][0].value' "$r")
# Under ASan the worker's shadow memory counts against the small cgroup
# limit, so the lock itself can fall short: the physics holds only for the
# uninstrumented build.
# There a short lock must be reported as untrustworthy, never as locked.
if [ -z "${MEMTUNE_SANITIZE:-}" ]; then
  [ "$v" = 100 ] || fail "mlock: locked hot set resident_min is $v%, expected 100"
  jq -e -s 'any(.[]; .bench == "mlock" and .case.lock == "mlock" and .obtained.lock_bytes_needed == 8388608
    and .obtained.vmlck_bytes >= 8388608 and has("obtained") and (.obtained | has("rlimit_memlock_soft")))' "$r" >/dev/null \
    || fail "mlock: lock size, VmLck or RLIMIT_MEMLOCK not recorded"
else
  jq -e -s 'all(.[] | select(.bench == "mlock" and .case.lock == "mlock" and .status == "ok");
    .obtained.vmlck_bytes >= .obtained.lock_bytes_needed)' "$r" >/dev/null \
    || fail "mlock: a short lock was reported as ok"
fi

# Unprivileged: each is skipped with a reason and the command, run succeeds.
command -v setpriv >/dev/null || exit 0
# The user gets a directory of its own; $T stays root's (a state directory
# under a directory others can write would be refused, rightly).
chmod 711 "$T"
mkdir "$T/u" && chown 65534:65534 "$T/u"
udir="$T/u/unpriv"
expect_exit 0 env MEMTUNE_STATE_DIR="$T/u/ustate" setpriv --reuid=65534 --regid=65534 --clear-groups \
  "$MEMTUNE" run -b reclaim,oom,mlock -o "$udir"
for b in reclaim oom mlock; do
  jq -e -s --arg b "$b" 'any(.[]; .bench == $b and .status == "skipped" and (.reason | test("root")) and (.reason | test("sudo memtune run")))' \
    "$udir/results.jsonl" >/dev/null || fail "$b was not skipped with a reason unprivileged"
done
exit 0
