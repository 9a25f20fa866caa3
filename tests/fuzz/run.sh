#!/usr/bin/env bash
# Runs every libFuzzer target BUILD/fuzz_NAME for SECONDS each, one process
# at a time, and prints per target the executions, the edges covered (cov:
# of libFuzzer's last status line) and the crashes.
#
#   tests/fuzz/run.sh [--short] BUILD SECONDS [NAME...]
#
# Before fuzzing, each target replays the inputs kept in
# tests/fuzz/regress/NAME/ (crashes found and fixed before). The corpus
# grows in BUILD/corpus/NAME; seeds are made afresh in BUILD/seeds/NAME
# from tests/fixtures, configs/, the live /proc (copies, read only) and the
# small hand seeds in tests/fuzz/seeds/NAME/. A crash, leak, timeout or
# sanitizer report writes its input to BUILD/crashes/NAME/ and is named at
# the end; the exit status is 1 if any target crashed or a replay failed.
# --short only changes the label (make fuzz-short passes fewer seconds).
set -u
label=fuzz
if [ "${1:-}" = --short ]; then label=fuzz-short; shift; fi
build=${1:?usage: run.sh [--short] BUILD SECONDS [NAME...]}
secs=${2:?usage: run.sh [--short] BUILD SECONDS [NAME...]}
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$build" && pwd)

# A private scratch directory for the harnesses (fixture trees, journals):
# in memory when /dev/shm is there, since the journal fsyncs.
scratch=$(mktemp -d /dev/shm/memtune-fuzz.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export TMPDIR=$scratch MEMTUNE_SRCDIR=$src MEMTUNE_PROGRESS=0
export MEMTUNE_STATE_DIR=$scratch/state
# Leaks are findings too; the fuzzer stops at the first report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# seeds NAME DIR: fills DIR with the starting inputs of target NAME.
seeds() {
  local name=$1 dir=$2 f i
  case $name in
  units)
    # Every value of the shipped configurations, one file each.
    i=0
    cat "$src"/configs/*.ini "$src"/configs/profiles/*.ini |
      sed -n 's/^[^;#[]*=[[:space:]]*\(.*\)$/\1/p' | sort -u |
      while IFS= read -r v; do
        i=$((i + 1)); printf '%s' "$v" > "$dir/value-$i"
      done ;;
  config)
    for f in "$src"/configs/*.ini "$src"/configs/profiles/*.ini; do
      cp "$f" "$dir/$(basename "$(dirname "$f")")-$(basename "$f")"
    done ;;
  results)
    # Fixture runs in pieces of 8 records: small inputs fuzz faster.
    for f in "$src"/tests/fixtures/runs/*/results.jsonl; do
      split -l 8 "$f" "$dir/$(basename "$(dirname "$f")")-"
    done ;;
  meta)
    for f in "$src"/tests/fixtures/runs/*/meta.json; do
      cp "$f" "$dir/$(basename "$(dirname "$f")").json"
    done ;;
  meminfo|cpuinfo|zoneinfo|vmstat)
    for f in "$src"/tests/fixtures/machines/*/proc/$name; do
      [ -f "$f" ] && cp "$f" "$dir/$(basename "$(dirname "$(dirname "$f")")")"
    done
    [ -r /proc/$name ] && head -c 65536 /proc/$name > "$dir/live" ;;
  swaps)
    for f in "$src"/tests/fixtures/machines/*/proc/swaps \
             "$src"/tests/fixtures/machines/*/proc/mounts; do
      cp "$f" "$dir/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")"
    done
    head -c 65536 /proc/swaps > "$dir/live-swaps"
    head -c 65536 /proc/mounts > "$dir/live-mounts" ;;
  pressure)
    for f in /proc/pressure/memory /sys/fs/cgroup/memory.stat \
             /sys/fs/cgroup/memory.events \
             /sys/fs/cgroup/memory/memory.stat \
             /sys/fs/cgroup/memory/memory.oom_control; do
      [ -r "$f" ] && head -c 65536 "$f" > "$dir/live-$(echo "${f#/}" | tr / _)" 2>/dev/null
    done ;;
  sysctl_d)
    for f in /etc/sysctl.conf /etc/sysctl.d/*.conf /usr/lib/sysctl.d/*.conf; do
      [ -f "$f" ] && head -c 16384 "$f" > "$dir/live-$(basename "$f")"
    done ;;
  smaps)
    # 16 bytes of range (0 .. 2^64-1, so every VMA counts), then smaps.
    { printf '\0\0\0\0\0\0\0\0\377\377\377\377\377\377\377\377'
      head -c 8192 /proc/self/smaps; } > "$dir/live" ;;
  esac
  if [ -d "$src/tests/fuzz/seeds/$name" ]; then
    cp "$src/tests/fuzz/seeds/$name"/* "$dir/" 2>/dev/null
  fi
  return 0
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for b in "$build"/fuzz_*; do
    [ -x "$b" ] && targets+=("${b##*/fuzz_}")
  done
fi

failed=() crashes=()
printf '%-10s %12s %8s %8s  %s\n' target executions edges crashes notes
for name in "${targets[@]}"; do
  bin=$build/fuzz_$name
  corpus=$build/corpus/$name seeddir=$build/seeds/$name
  crashdir=$build/crashes/$name log=$build/logs/$name.log
  mkdir -p "$corpus" "$crashdir" "$(dirname "$log")"
  rm -rf "$seeddir"; mkdir -p "$seeddir"
  seeds "$name" "$seeddir"
  note=""

  # The kept crash inputs must stay fixed.
  regress=$src/tests/fuzz/regress/$name
  if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
    if ! "$bin" "$regress"/* > "$build/logs/$name.regress.log" 2>&1 \
        </dev/null; then
      failed+=("$name")
      crashes+=("$name: a kept input crashes again: see $build/logs/$name.regress.log")
      printf '%-10s %12s %8s %8s  %s\n' "$name" - - 1 "regression replay failed"
      continue
    fi
    note="replayed $(ls "$regress" | wc -l) kept input(s)"
  fi

  dict=()
  case $name in
  results|meta|advice|journal) dict=(-dict="$src/tests/fuzz/json.dict") ;;
  config|units) dict=(-dict="$src/tests/fuzz/ini.dict") ;;
  esac
  "$bin" -max_total_time="$secs" -print_final_stats=1 -close_fd_mask=3 \
    -timeout=25 -rss_limit_mb=2560 -artifact_prefix="$crashdir/" \
    "${dict[@]}" "$corpus" "$seeddir" > "$log" 2>&1 </dev/null
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  edges=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  ncrash=0
  if [ -n "$artifact" ]; then
    ncrash=1
    what=$(grep -m1 -oE 'ERROR: [A-Za-z]+: [a-z-]+[^()]*|runtime error: .*' "$log")
    crashes+=("$name: ${what:-crash}: $artifact (reproduce: $bin $artifact; log $log)")
    failed+=("$name")
  elif [ "$rc" -ne 0 ]; then
    ncrash=1
    crashes+=("$name: exit status $rc without an input (see $log)")
    failed+=("$name")
  fi
  printf '%-10s %12s %8s %8s  %s\n' "$name" "${execs:-?}" "${edges:-?}" \
    "$ncrash" "$note"
done

for c in "${crashes[@]}"; do echo "crash: $c"; done
echo "$label: ${#targets[@]} targets, ${secs}s each, ${#failed[@]} crashed"
[ ${#failed[@]} -eq 0 ]
