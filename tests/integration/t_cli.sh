#!/usr/bin/env bash
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
grep -q "unknown option '--bogus'" "$T/err" || fail "run --bogus: $(cat "$T/err")"

# An option error is one message that says what is wrong (getopt's own
# "option requires an argument" was followed by "unknown option").
expect_exit 2 "$MEMTUNE" run -c
[ "$(grep -c . "$T/err")" -le 2 ] && grep -q "option '-c' requires an argument" "$T/err" &&
	! grep -q "unknown option" "$T/err" || fail "run -c: $(cat "$T/err")"
expect_exit 2 "$MEMTUNE" run --config
grep -q "option '--config' requires an argument" "$T/err" || fail "run --config: $(cat "$T/err")"
expect_exit 2 "$MEMTUNE" analyze --json=yes x
grep -q "option '--json' takes no argument" "$T/err" || fail "analyze --json=yes: $(cat "$T/err")"
expect_exit 2 "$MEMTUNE" restore -x
grep -q "unknown option '-x'" "$T/err" || fail "restore -x: $(cat "$T/err")"
expect_exit 2 "$MEMTUNE" run --quick -xq
grep -q "unknown option '-x'" "$T/err" || fail "run --quick -xq: $(cat "$T/err")"

# --help is help only where getopt sees an option: after -c it is the name
# of the job file, after -- an argument.
expect_exit 2 "$MEMTUNE" run -c --help
grep -q "cannot read config '--help'" "$T/err" || fail "run -c --help: $(cat "$T/err")"
expect_exit 2 "$MEMTUNE" run -- --help
grep -q "unexpected argument '--help'" "$T/err" || fail "run -- --help: $(cat "$T/err")"
expect_exit 0 "$MEMTUNE" run -c x.ini --help
grep -q "usage: memtune run" "$T/out" || fail "run -c x.ini --help printed no usage"

# A repeated -c (or -o) is refused rather than the last one silently
# winning; repeated -b lists add up.
expect_exit 2 "$MEMTUNE" run -c a.ini -c b.ini
grep -q -- "-c given twice ('a.ini' and 'b.ini')" "$T/err" || fail "run -c -c: $(cat "$T/err")"
expect_exit 2 "$MEMTUNE" run -o "$T/a" -o "$T/b"
grep -q -- "-o given twice" "$T/err" || fail "run -o -o: $(cat "$T/err")"
expect_exit 2 "$MEMTUNE" run -b tlb -b nosuchbench2 --set output="$T/res"
grep -q "unknown benchmark 'nosuchbench2'" "$T/err" || fail "the second -b was not read: $(cat "$T/err")"

# An option before the command is an unknown option, not a command.
expect_exit 2 "$MEMTUNE" --foo
grep -q "unknown option '--foo'" "$T/err" && grep -q "usage: memtune COMMAND" "$T/err" ||
	fail "memtune --foo: $(cat "$T/err")"
for v in --version -V version; do
	expect_exit 0 "$MEMTUNE" $v
	grep -q "^memtune " "$T/out" || fail "memtune $v printed no version"
done

# An unprivileged user whose state directory cannot be created is told
# about MEMTUNE_STATE_DIR / XDG_STATE_HOME, not to run as root.
if is_root && command -v setpriv >/dev/null; then
	chmod o+x "$T" && mkdir -m 777 "$T/unpriv"
	expect_exit 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
		env -u MEMTUNE_STATE_DIR HOME=/nonexistent/memtune-home XDG_STATE_HOME= \
		"$MEMTUNE" run -b alloc -o "$T/unpriv/run" --set alloc.sizes=4K
	grep -q "MEMTUNE_STATE_DIR" "$T/err" && ! grep -q "run as root" "$T/err" ||
		fail "state directory message: $(cat "$T/err")"
fi
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

# Which benchmarks run: a section sets parameters and does not limit the
# run; [global] benchmarks (or -b, which replaces it) does. run prints the
# plan, and why, before anything runs, and keeps it in meta.json.
printf '[global]\nallow_system_changes = no\n[tlb]\nsizes = 16K..64M*2\nbackings = 4k\n' >"$T/sec.ini"
MEMTUNE_PROGRESS=1 "$MEMTUNE" run -c "$T/sec.ini" -o "$T/sec" >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 300); do grep -q 'tlb \[1/' "$T/err" && break; sleep 0.1; done
kill -TERM "$pid" 2>/dev/null
wait "$pid"
expect_err "plan: every benchmark runs" "a section limited the run"
expect_err "  tlb: runs: section \[tlb\] at $T/sec.ini:3" "no reason for tlb"
expect_err "  alloc: runs: no \[alloc\] section" "alloc left out of a run with a [tlb] section"
expect_exit 0 env MEMTUNE_PROGRESS=1 "$MEMTUNE" run -c "$T/sec.ini" -o "$T/only" \
	--set benchmarks=alloc --set alloc.sizes=4K --set alloc.ops=malloc
expect_err "plan: the benchmarks in \[global\] benchmarks (--set #1) run" "no rule for benchmarks ="
expect_err "  tlb: skipped: not in \[global\] benchmarks (--set #1)" "tlb not left out by benchmarks ="
jq -e '[.selection[] | select(.runs)] | map(.bench) == ["alloc"]' "$T/only/meta.json" >/dev/null ||
	fail "meta.json selection: $(jq -c .selection "$T/only/meta.json")"
expect_exit 0 env MEMTUNE_PROGRESS=1 "$MEMTUNE" run -c "$T/sec.ini" -o "$T/b" -b alloc \
	--set benchmarks=tlb --set alloc.sizes=4K --set alloc.ops=malloc
expect_err "  alloc: runs: section \[alloc\] at --set #2" "-b did not replace benchmarks ="
expect_err "  tlb: skipped: not named by -b" "tlb not left out by -b"
expect_exit 2 "$MEMTUNE" run --set benchmarks=tlb,frob --set output="$T/res"
expect_err "'frob'" "benchmarks = frob accepted"

# config-doc documents every benchmark section.
expect_exit 0 "$MEMTUNE" config-doc
for b in global tlb hugepage alloc pagecache odirect swap reclaim oom mlock numa; do grep -q "^### \[$b\]" "$T/out" || fail "config-doc lacks [$b]"; done
# configs/README.md documents every key: its generated part is up to date.
readme="$(dirname "$0")/../../configs/README.md"
head="$(dirname "$0")/../../configs/README.head.md"
{ cat "$head"; cat "$T/out"; } | diff -q - "$readme" >/dev/null \
  || fail "configs/README.md is out of date: run 'make configs-doc'"
exit 0
