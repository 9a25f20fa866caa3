#!/usr/bin/env bash
# Runs every cmocka unit test binary in BUILD/tests and closes with
# "LABEL: N passed, N failed" counting individual tests (LABEL is "unit",
# or "unit-sanitized" for the ASan/UBSan build). Exit status 1 if any
# failed.
set -u
build=${1:-build}
label=unit
[ "$build" = build-san ] && label=unit-sanitized
pass=0 fail=0 failed=()
export MEMTUNE_PROGRESS=0
for t in "$build"/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  out=$("$t" 2>&1); rc=$?
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
  if [ "$rc" -ne 0 ]; then
    # A crash before cmocka's summary still counts as a failure.
    [ -n "$f" ] || fail=$((fail + 1))
    failed+=("$name")
    printf '%s\n' "$out" | tail -n 40 | sed "s/^/    $name: /"
  else
    echo "ok   $name (${p:-0} tests)"
  fi
done
[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
echo "$label: $pass passed, $fail failed"
[ ${#failed[@]} -eq 0 ]
