# Helpers for integration tests; sourced. Each test gets a private state
# directory (journal) and output directory, removed at exit.
set -u
T=$(mktemp -d /var/tmp/memtune-test.XXXXXX)
export MEMTUNE_STATE_DIR="$T/state"
cleanup_lib() { rm -rf "$T"; }
trap cleanup_lib EXIT

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }

# expect_exit CODE CMD...: runs CMD, checks its exit status, keeps its
# stderr in $T/err and stdout in $T/out.
expect_exit() {
  local want=$1; shift
  "$@" >"$T/out" 2>"$T/err"; local rc=$?
  [ "$rc" -eq "$want" ] || { echo "stdout:"; cat "$T/out"; echo "stderr:"; cat "$T/err"; fail "'$*' exited $rc, expected $want"; }
}

# expect_err PATTERN WHAT: the stderr kept by expect_exit matches PATTERN
# (grep), else the test fails with WHAT and that stderr.
expect_err() {
  grep -q -- "$1" "$T/err" || fail "$2: $(cat "$T/err")"
}

# The value of a record: record_value DIR BENCH METRIC JQ-LIKE-FILTER via
# memtune's own query command.
is_root() { [ "$(id -u)" = 0 ]; }

# need_hugetlb_pool: skips the test unless root can write the 2 MiB
# hugetlb pool, whose nr_hugepages file is then $pool.
need_hugetlb_pool() {
  is_root || skip "needs root to reserve hugetlb pages"
  pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
  [ -w "$pool" ] || skip "no 2 MiB hugetlb pool"
}

# hugetlb_run OUT SIZES: starts `memtune run -b tlb` on 2 MiB pages of
# the working-set sizes SIZES into OUT in the background (its pid in $pid,
# stdout in $T/out, stderr in $T/err), then waits up to 10 s for $pool to
# move off $before (the journal entry precedes the raise).
hugetlb_run() {
  "$MEMTUNE" run -b tlb -o "$1" --set tlb.backings=2m --set tlb.patterns=line \
    --set tlb.sizes="$2" --set sample_time=200ms --set min_samples=30 \
    --set max_samples=30 --set ci_fraction=0.0001 >"$T/out" 2>"$T/err" &
  pid=$!
  local i
  for i in $(seq 1 100); do
    [ "$(cat "$pool")" != "$before" ] && break
    sleep 0.1
  done
}
