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
