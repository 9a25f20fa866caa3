#!/usr/bin/env bash
# Runs every cmocka unit test binary in BUILD/tests and prints a summary
# line "N passed, N failed". Exit status 1 if any failed.
set -u
build=${1:-build}
pass=0 fail=0 failed=()
export MEMTUNE_PROGRESS=0
for t in "$build"/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  if out=$("$t" 2>&1); then
    pass=$((pass + 1))
    printf '%s\n' "$out" | grep -E '^\[  (PASSED|FAILED|SKIPPED) ' | sed "s/^/$name: /"
  else
    fail=$((fail + 1)); failed+=("$name")
    printf '%s\n' "$out" | tail -n 40 | sed "s/^/$name: /"
  fi
done
echo "unit ($build): $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
