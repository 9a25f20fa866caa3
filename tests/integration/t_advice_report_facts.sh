#!/usr/bin/env bash
# One source of measured facts (issue 13): every figure the advice cites is
# the analyzer's, printed to the digit as `memtune analyze` and the report
# print it. On the committed quick run of a VM (adv-quick), advised as this
# machine would advise it: each "fact ID: VALUE" evidence line of
# advice.json must match the fact's row in analysis.json (the file advise
# wrote beside the advice), the analyze summary and report's index.html.
# Fixture runs only: nothing is measured.
. "$(dirname "$0")/lib.sh"
fx="$(dirname "$0")/../fixtures/runs"
trees="$(dirname "$0")/../fixtures/machines"
run="$T/adv-quick"
cp -r "$fx/adv-quick" "$run"
rm -f "$run/analysis.json" "$run/advice.json"
profile="$T/p.ini"
printf '[profile]\ngoal = latency\nkeep = redis-server\nsacrifice = batch-*\nlatency_critical = redis-server\n' > "$profile"

MEMTUNE_FSROOT="$trees/small-vm" expect_exit 0 "$MEMTUNE" advise "$run" --profile "$profile"
[ -f "$run/analysis.json" ] || fail "advise did not write the analysis it rests on"
cp "$T/out" "$T/advise.out"
expect_exit 0 "$MEMTUNE" analyze "$run" -o "$T/an"
cp "$T/out" "$T/analyze.out"
expect_exit 0 "$MEMTUNE" report "$run" -o "$T/report"

python3 - "$run/advice.json" "$run/analysis.json" "$T/analyze.out" "$T/report/index.html" "$T/advise.out" <<'PY' || fail "the advice's figures are not the analysis' and the report's"
import html, json, re, sys
advice, analysis, summary, page, printed = sys.argv[1:]
facts = {f["id"]: f for f in json.load(open(analysis))["facts"]}
summary = open(summary).read()
page = open(page).read()
printed = re.sub(r"\s+", " ", open(printed).read())
cited = 0
for it in json.load(open(advice))["items"]:
    for ev in it["evidence"]:
        m = re.match(r"fact (\S+): (.*?): (.*)$", ev)
        if not m:
            continue
        fid, shown, what = m.groups()
        cited += 1
        assert fid in facts, f"{it['id']} cites {fid}, which analysis.json lacks"
        assert fid in it.get("facts", []), f"{it['id']}: {fid} not in its facts list"
        # The same figure in the analyze summary, on the fact's line.
        line = [l for l in summary.splitlines() if l.strip().startswith(fid + " ")]
        assert line and shown in line[0], f"{fid}: advice shows '{shown}', analyze: {line}"
        # And in the report's facts table, as one cell.
        cell = f'<td class="case">{html.escape(fid, quote=False)}</td><td class="num">{html.escape(shown, quote=False)}</td>'
        assert cell in page, f"{fid}: '{shown}' not in the report's facts table"
        # The advice's own printout shows it too.
        assert f"fact {fid}: {shown}" in printed, f"{fid}: not printed by advise"
assert cited >= 8, f"only {cited} facts cited on adv-quick"
print(f"{cited} cited facts agree")
PY
echo "ok: advice, analyze and report print the same facts"
