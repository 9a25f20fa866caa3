#!/usr/bin/env bash
# Root against an unprivileged attacker (uid 65534, through setpriv): links
# planted where memtune writes its outputs (report -o, the run directory
# before analyze and advise, any temporary name, a directory the attacker
# owns for run -o) must change nothing outside memtune's own files, and
# every refusal must name the path it refused (issue 12, item 3).
. "$(dirname "$0")/lib.sh"
is_root || skip "needs root (plants files as root and attacks as uid 65534)"
command -v setpriv >/dev/null 2>&1 || skip "needs setpriv (util-linux)"
here=$(cd "$(dirname "$0")" && pwd)
fixture="$here/../fixtures/runs/adv-quick"
NOBODY=65534
as_nobody() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$@"; }

# The attacker may pass through $T (to reach its own directory) but not
# write it; the victims live in a directory only root can enter.
chmod 711 "$T"
mkdir -m 700 "$T/private"
victim="$T/private/victim"
echo precious > "$victim"
check_victim() {
  [ "$(cat "$victim")" = precious ] || fail "$1: the victim file was written"
  [ "$(stat -c %U "$victim")" = root ] || fail "$1: the victim changed owner"
}
# refused WHAT PATH: the last command's stderr names PATH.
refused() {
  grep -qF -- "$2" "$T/err" || fail "$1: the refusal does not name '$2': $(cat "$T/err")"
}
tiny_run() {
  "$MEMTUNE" run -b alloc -o "$1" --set alloc.sizes=64,4K \
    --set alloc.kept_sizes=32K --set alloc.mmap_thresholds=128K \
    --set alloc.trim_thresholds=128K --set alloc.threshold_sizes=64K \
    --set sample_time=2ms --set max_samples=3
}

# --- report -o DIR ---------------------------------------------------------
run="$T/run"
cp -r "$fixture" "$run"
expect_exit 0 "$MEMTUNE" analyze "$run"
out="$T/report"
expect_exit 0 "$MEMTUNE" report "$run" -o "$out"
[ -f "$out/alloc-cost.gp" ] || fail "report: no alloc-cost.gp in a clean run"
for f in index.html alloc-cost.gp alloc-cost.dat alloc-cost.svg \
         alloc-cost.png gnuplot.log; do
  rm -f "$out/$f"
  ln -s "$victim" "$out/$f"
  expect_exit 1 "$MEMTUNE" report "$run" -o "$out"
  refused "report, $f a link" "$out/$f"
  check_victim "report, $f a link"
  rm -f "$out/$f"
done
# A .gp that someone else owns is neither rewritten nor run.
printf 'system "touch %s/pwned"\n' "$T/private" > "$out/alloc-cost.gp"
chown $NOBODY:$NOBODY "$out/alloc-cost.gp"
expect_exit 1 "$MEMTUNE" report "$run" -o "$out"
refused "report, a foreign .gp" "$out/alloc-cost.gp"
grep -q "uid $NOBODY" "$T/err" || fail "report: the owner is not named: $(cat "$T/err")"
[ ! -e "$T/private/pwned" ] || fail "report: gnuplot ran a script memtune did not write"
rm -f "$out/alloc-cost.gp"
expect_exit 0 "$MEMTUNE" report "$run" -o "$out"

# The output directory itself: a link, someone else's, or open to all is
# the user's bad -o (exit 2), named.
ln -s "$T/private" "$T/outlink"
expect_exit 2 "$MEMTUNE" report "$run" -o "$T/outlink"
refused "report -o a link" "$T/outlink"
[ ! -e "$T/private/index.html" ] || fail "report: wrote through the -o link"
mkdir -m 755 "$T/theirs"
chown $NOBODY:$NOBODY "$T/theirs"
expect_exit 2 "$MEMTUNE" report "$run" -o "$T/theirs"
refused "report -o someone else's" "$T/theirs"
expect_exit 2 "$MEMTUNE" report "$run" -o "$T/theirs/report"
refused "report -o under someone else's" "$T/theirs/report"
as_nobody ln -s "$T/private" "$T/theirs/planted"
expect_exit 2 "$MEMTUNE" report "$run" -o "$T/theirs/planted/report"
refused "report -o through a planted link" "$T/theirs/planted"
[ ! -e "$T/private/report" ] || fail "report: followed a link the attacker planted"
mkdir -m 755 "$T/open" && chmod 777 "$T/open"
expect_exit 2 "$MEMTUNE" report "$run" -o "$T/open"
refused "report -o mode 0777" "$T/open"
check_victim "report -o"

# --- analyze and advise in a run directory ---------------------------------
run2="$T/run2"
cp -r "$fixture" "$run2"
# The names the old code used, NAME.tmp.PID, for the next few hundred
# pids: whichever pid analyze and advise get, the name is taken. One perl
# process plants them all (a fork per link would use up the pids).
perl -e '($v, $d, @n) = @ARGV; for $i (1 .. 400) { for $n (@n) {
  symlink($v, "$d/$n.tmp." . ($$ + $i)) or die "$n: $!" } }' \
  "$victim" "$run2" analysis.json advice.json 99-memtune.conf ||
  fail "cannot plant the temporary names"
for n in analysis.json advice.json 99-memtune.conf; do
  ln -s "$victim" "$run2/$n.tmp"
done
expect_exit 0 "$MEMTUNE" analyze "$run2"
check_victim "analyze with planted temporary names"
[ -f "$run2/analysis.json" ] && [ ! -L "$run2/analysis.json" ] ||
  fail "analyze: analysis.json is not a new regular file"
expect_exit 0 "$MEMTUNE" advise "$run2"
check_victim "advise with planted temporary names"
for n in advice.json 99-memtune.conf; do
  [ -f "$run2/$n" ] && [ ! -L "$run2/$n" ] || fail "advise: $n is not a new regular file"
done

for n in analysis.json advice.json 99-memtune.conf; do
  rm -f "$run2/$n"
  ln -s "$victim" "$run2/$n"
  cmd=advise; [ "$n" = analysis.json ] && cmd=analyze
  expect_exit 1 "$MEMTUNE" $cmd "$run2"
  refused "$cmd, $n a link" "$run2/$n"
  check_victim "$cmd, $n a link"
  rm -f "$run2/$n"
  echo theirs > "$run2/$n"
  chown $NOBODY:$NOBODY "$run2/$n"
  expect_exit 1 "$MEMTUNE" $cmd "$run2"
  refused "$cmd, $n someone else's" "$run2/$n"
  [ "$(cat "$run2/$n")" = theirs ] || fail "$cmd: replaced someone else's $n"
  rm -f "$run2/$n"
done
# A run directory the attacker owns is analyzed (printed, with a warning
# naming why) but not written.
run3="$T/run3"
cp -r "$fixture" "$run3"
chown -R $NOBODY:$NOBODY "$run3"
expect_exit 0 "$MEMTUNE" analyze "$run3"
refused "analyze in someone else's run directory" "$run3"
grep -q "uid $NOBODY" "$T/err" || fail "analyze: the owner is not named: $(cat "$T/err")"
[ ! -e "$run3/analysis.json" ] || fail "analyze: wrote into someone else's run directory"

# --- run -o under a directory the attacker owns ----------------------------
nob="$T/nob"
mkdir -m 755 "$nob"
chown $NOBODY:$NOBODY "$nob"
# The attacker waits for the run directory, moves it away and puts its own
# in its place, full of links to the victim.
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups bash -c '
  while [ "$SECONDS" -lt 30 ]; do
    if [ -d "$1/run1" ] && [ ! -L "$1/run1" ]; then
      mv "$1/run1" "$1/moved" && mkdir "$1/run1" "$1/run1/snapshots" || exit 0
      for n in meta.json meta.json.tmp results.jsonl topology.xml; do
        ln -s "$2" "$1/run1/$n"
      done
      for w in before after; do
        for f in meminfo vmstat zoneinfo buddyinfo pressure-memory missing; do
          ln -s "$2" "$1/run1/snapshots/alloc.$w.$f"
        done
      done
      exit 0
    fi
  done' attacker "$nob" "$victim" &
attacker=$!
expect_exit 2 tiny_run "$nob/run1"
refused "run -o under someone else's directory" "$nob/run1"
kill "$attacker" 2>/dev/null; wait "$attacker" 2>/dev/null
check_victim "run -o under someone else's directory"

as_nobody ln -s "$T/private" "$nob/link"
expect_exit 2 tiny_run "$nob/link/run2"
refused "run -o through a planted link" "$nob/link"
[ ! -e "$T/private/run2" ] || fail "run: followed a link the attacker planted"
check_victim "run -o through a planted link"

# A directory of root's own is fine, and the run is complete.
mkdir -m 755 "$T/mine"
expect_exit 0 tiny_run "$T/mine/run1"
for f in meta.json results.jsonl topology.xml snapshots/alloc.after.meminfo; do
  [ -f "$T/mine/run1/$f" ] || fail "run: no $f in a clean run"
done
ls -A "$T/mine/run1" | grep -q '^\.' && fail "run: a temporary file was left behind"
check_victim "the end"
exit 0
