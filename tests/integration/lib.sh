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

# needs NAME WHAT...: skips test NAME unless it runs as root (WHAT root)
# and finds every other WHAT as a command.
needs() {
  local name=$1 w; shift
  for w in "$@"; do
    if [ "$w" = root ]; then
      is_root || skip "$name: needs root"
    else
      command -v "$w" >/dev/null || skip "$name: needs $w"
    fi
  done
}

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

# one_item_advice DIR ID RULE SYSCTL PATH CURRENT RECOMMENDED: writes
# DIR/advice.json with one changed item, as memtune advise would (tune and
# apply check it against the knob table like any other advice file).
one_item_advice() {
  mkdir -p "$1"
  cat >"$1/advice.json" <<JSON
{"schema_version": 1, "profile": "test", "basis": "system", "items": [
 {"id": "$2", "knob": "$4", "current": "$6", "recommended": "$7",
  "change": true, "confidence": "medium", "evidence": [], "reason": "test",
  "source": "test", "apply": "sysctl -w $4=$7", "rule": "$3",
  "target": {"path": "$5", "value": "$7", "sysctl": "$4"}}]}
JSON
}

# memory_state: what a tune must leave as it found it: swap areas and
# memtune's cgroups (callers add their knob).
memory_state() {
  swapon --show=NAME --noheadings | sort
  find /sys/fs/cgroup -maxdepth 3 -name 'memtune*' 2>/dev/null | sort
}

# swappiness_knob: sets K, the swappiness file; orig, its value now; B, the
# value the tune tests move it to (10, or 20 when it is 10 already).
swappiness_knob() {
  K=/proc/sys/vm/swappiness
  orig=$(cat "$K")
  B=$(( orig == 10 ? 20 : 10 ))
}

# swappiness_state: memory_state with the swappiness of swappiness_knob.
swappiness_state() {
  echo "swappiness=$(cat "$K")"
  memory_state
}

# --- the Debian package (t_package, t_ansible) ------------------------------

# memtune_on_system: true when memtune is installed on this machine already
# (a package, or /usr/bin/memtune or /usr/share/memtune put there by hand),
# which a test that installs the package would replace and then remove;
# the reason in $why.
memtune_on_system() {
  local f
  why=""
  if dpkg-query -W -f='${Status}' memtune 2>/dev/null | grep -q installed; then
    why="memtune is installed already"
    return 0
  fi
  for f in /usr/bin/memtune /usr/share/memtune; do
    [ -e "$f" ] && { why="$f exists already"; return 0; }
  done
  return 1
}

# test_deb: sets deb to the package under test: MEMTUNE_DEB, else the one
# tools/mkdeb.sh (`make deb`) builds in the source tree's build-deb/
# (reused: seconds once built, about 40 s from scratch; lintian, when
# installed, must pass); mkdeb.sh's messages go to $T/mkdeb.err.
test_deb() {
  local src out
  if [ -n "${MEMTUNE_DEB:-}" ]; then
    deb=$MEMTUNE_DEB
  else
    src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    out=$(set -o pipefail; "$src/tools/mkdeb.sh" 2>"$T/mkdeb.err" | tail -n 1) ||
      { cat "$T/mkdeb.err"; fail "tools/mkdeb.sh failed"; }
    deb=$src/$out
  fi
  [ -f "$deb" ] || fail "no package: '$deb'"
}

# deb_files DEB: the files (not directories) the package DEB installs, one
# absolute path a line.
deb_files() {
  dpkg-deb -c "$1" | awk '{ print $NF }' | sed 's,^\./,/,' | grep -v '/$'
}

# deb_purged FILES: fails unless dpkg has memtune as not installed (or
# not at all) and every file listed in FILES (deb_files) and memtune's directories are gone.
deb_purged() {
  local f st
  st=$(dpkg-query -W -f='${Status}' memtune 2>/dev/null)
  case $st in
    "" | *" not-installed") ;;
    *) fail "memtune is still in dpkg's database after the purge: $st" ;;
  esac
  while read -r f; do
    [ -e "$f" ] && fail "$f is left after dpkg --purge"
  done <"$1"
  for f in /usr/share/memtune /usr/share/doc/memtune; do
    [ -e "$f" ] && fail "$f is left after dpkg --purge"
  done
  return 0
}
