#!/usr/bin/env bash
# The run history (core/run_history.h) on real tiny tlb runs: the first
# runs teach it and are left alone; from the fifth run on (three changes
# per point known) every latency's interval holds what its point's
# changes between runs predict, where that is wider than the rounds'
# interval, and says so in the record,
# meta.json, analyze and the report; another configuration has a history
# of its own; history = no changes nothing; a corrupt history file is set
# aside, a link in its place is refused, and the run goes on.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to check the JSON"

tiny=(-b tlb --set tlb.sizes=16K,256K,1M,4M --set tlb.backings=4k
  --set tlb.patterns=line --set sample_time=5ms --set min_samples=3
  --set max_samples=5 --set repeat=2)
hist="$MEMTUNE_STATE_DIR/history/tlb.json"

for i in 1 2 3 4 5; do
  expect_exit 0 "$MEMTUNE" run "${tiny[@]}" -o "$T/r$i"
done
[ -f "$hist" ] || fail "no history file at $hist"
[ "$(stat -c %a "$hist")" = 600 ] || fail "history file mode $(stat -c %a "$hist"), expected 600"
[ "$(stat -c %a "$(dirname "$hist")")" = 700 ] || fail "history directory is not 0700"

# meta.json's history of runs 1 and 5, and the records of both.
check() {
  python3 - "$@" <<'EOF' || fail "history check $*"
import json, math, sys
run, want_shifts, want_widened = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "yes"
meta = json.load(open(run + "/meta.json"))
h = meta["benchmarks"][0]["history"]
assert h["kept"] is True, h
assert h["earlier_shifts"] == want_shifts, (h, want_shifts)
assert h["added"] is True, h
recs = [json.loads(l) for l in open(run + "/results.jsonl")]
recs = [r for r in recs if "value" in r]
assert recs, "no records"
for r in recs:
    if not want_widened:
        assert "run_spread" not in r and "ci95_within_run" not in r, r
        continue
    sp = r["run_spread"]
    assert sp["runs"] == want_shifts and sp["half"] > 0, r
    wlo, whi = r["ci95_within_run"]
    v = r["value"]
    assert abs(r["ci95_lo"] - min(wlo, v * math.exp(-sp["half"]))) <= 1e-9 * v, r
    assert abs(r["ci95_hi"] - max(whi, v * math.exp(sp["half"]))) <= 1e-9 * v, r
if want_widened:
    assert h["learnt_records"] == len(recs) == h["timed_records"], h
    assert 0 < h["half_median"] <= h["half_max"], h
print("ok")
EOF
}
check "$T/r1" 0 no
check "$T/r4" 2 no
check "$T/r5" 3 yes
python3 - "$hist" <<'EOF' || fail "history file contents"
import json, sys
h = json.load(open(sys.argv[1]))
(cfg,) = h["configs"].values()
assert len(cfg["shifts"]) == 4, cfg["shifts"]
assert len(cfg["points"]) == 4, cfg["points"]
assert all(len(c) == 4 for c in cfg["changes"].values()), cfg["changes"]
assert all(abs(s["shift"]) < 1 and s["points"] == 4 for s in cfg["shifts"])
EOF

expect_exit 0 "$MEMTUNE" analyze "$T/r5"
grep -q "intervals: 2 rounds and this machine's change between runs (±[0-9.]*% at the median point" "$T/out" ||
  fail "analyze does not say how the intervals were widened: $(cat "$T/out")"
expect_exit 0 "$MEMTUNE" analyze "$T/r1"
grep -q "intervals: 2 rounds; this run alone: 0 changes between earlier runs" "$T/out" ||
  fail "analyze of the first run: $(cat "$T/out")"
expect_exit 0 "$MEMTUNE" report "$T/r5" -o "$T/rep"
grep -q "change between runs (±" "$T/rep/index.html" || fail "the report does not say what the intervals hold"

# Another configuration learns on its own.
expect_exit 0 "$MEMTUNE" run "${tiny[@]}" --set tlb.sizes=16K,1M,4M -o "$T/other"
check "$T/other" 0 no
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))["configs"]) == 2' "$hist" ||
  fail "a second configuration did not get its own history"

# history = no: nothing learnt, nothing widened, the file untouched.
before=$(sha256sum "$hist")
expect_exit 0 "$MEMTUNE" run "${tiny[@]}" --set history=no -o "$T/off"
[ "$(sha256sum "$hist")" = "$before" ] || fail "history = no changed the history"
python3 - "$T/off" <<'EOF' || fail "history = no"
import json, sys
h = json.load(open(sys.argv[1] + "/meta.json"))["benchmarks"][0]["history"]
assert h == {"kept": False, "why": "[global] history = no"}, h
assert not any("run_spread" in l for l in open(sys.argv[1] + "/results.jsonl"))
EOF

# A bad value of the key: exit 2 naming file and line, nothing run.
printf '[global]\nhistory = perhaps\n' >"$T/bad.ini"
expect_exit 2 "$MEMTUNE" run -c "$T/bad.ini" "${tiny[@]}" -o "$T/bad"
expect_err "bad.ini:2: \[global\] key 'history': bad value 'perhaps'" "bad history value"
[ ! -e "$T/bad" ] || fail "a run directory was made for a bad configuration"
[ "$(sha256sum "$hist")" = "$before" ] || fail "a refused run changed the history"

# A corrupt file is set aside, the run goes on and starts again.
printf '{"schema":1,"configs":[' >"$hist"
expect_exit 0 "$MEMTUNE" run "${tiny[@]}" -o "$T/corrupt"
expect_err "set aside as tlb.json.bad" "no warning for a corrupt history"
[ -f "$hist.bad" ] || fail "the corrupt history was not kept as tlb.json.bad"
check "$T/corrupt" 0 no

# A link in its place is not followed: a warning, no history, the target
# untouched.
rm -f "$hist"
echo keep >"$T/target"
ln -s "$T/target" "$hist"
expect_exit 0 "$MEMTUNE" run "${tiny[@]}" -o "$T/link"
expect_err "no run history" "no warning for a link at the history file"
[ "$(cat "$T/target")" = keep ] || fail "the link's target was written"
python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["benchmarks"][0]["history"]; assert h["kept"] is False, h' \
  "$T/link/meta.json" || fail "a refused history file is still said to be kept"
echo "t_history: ok"
