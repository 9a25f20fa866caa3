#!/usr/bin/env bash
# Runs every tests/integration/t_*.sh with $MEMTUNE set to the binary under
# test. A script exits 0 on pass, 77 on skip (with its reason on stdout),
# anything else on failure. Prints "N passed, N failed, N skipped".
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${MEMTUNE:?set MEMTUNE to the memtune binary}"
export MEMTUNE MEMTUNE_PROGRESS=0
export MEMTUNE_CONFIGS="$here/../configs"
pass=0 fail=0 skip=0 failed=()
only=${MEMTUNE_TESTS:-}
for t in "$here"/integration/t_*.sh; do
  name=$(basename "$t" .sh)
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
  start=$(date +%s)
  out=$(bash "$t" 2>&1); rc=$?
  secs=$(( $(date +%s) - start ))
  case $rc in
    0) pass=$((pass + 1)); echo "ok   $name (${secs}s)";;
    77) skip=$((skip + 1)); echo "skip $name: $(printf '%s' "$out" | tail -n 1)";;
    *) fail=$((fail + 1)); failed+=("$name"); echo "FAIL $name (exit $rc, ${secs}s)"
       printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /';;
  esac
done
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
