#!/usr/bin/env bash
# analyze and advise on run directories that others wrote (issue 12 item
# 6): running out of memory is an error that keeps the old analysis.json;
# JSON that jansson refuses is reported in its words at path:line:column.
# Fixture runs only: nothing is measured.
. "$(dirname "$0")/lib.sh"
fx="$(dirname "$0")/../fixtures/runs"

# Out of memory: exit 1, the old analysis.json left as it was (it printed
# "no usable records", exited 0 and overwrote it). The address-space limit
# steps up from where the program starts at all, so that memory runs out
# at each stage in turn (SQLite's way): every run either analyzes exactly
# what an unlimited one does, or fails with exit 1 and writes nothing.
if [ -z "${MEMTUNE_SANITIZE:-}" ]; then
	oom="$T/oom"
	cp -r "$fx/tlb-hugepage" "$oom"
	expect_exit 0 "$MEMTUNE" analyze "$oom"
	cp "$T/out" "$T/ref.out"
	cp "$oom/analysis.json" "$T/ref.json"
	lo=2000
	while [ $lo -lt 200000 ] && ! (ulimit -v $lo; "$MEMTUNE" --version >/dev/null 2>&1); do
		lo=$((lo + 250))
	done
	failed=0 analyzed=0
	for kb in $(seq $((lo - 250)) 50 $((lo + 4000))); do
		echo '{"old":true}' > "$oom/analysis.json"
		(ulimit -v $kb; "$MEMTUNE" analyze "$oom" >"$T/out" 2>"$T/err"); rc=$?
		case $rc in
		127) ;;	# the loader could not map the program
		0) cmp -s "$T/out" "$T/ref.out" && cmp -s "$oom/analysis.json" "$T/ref.json" ||
			fail "at $kb KB analyze exited 0 with another analysis: $(head -c 300 "$T/out"; cat "$T/err")"
		   analyzed=$((analyzed + 1)) ;;
		1) [ "$(cat "$oom/analysis.json")" = '{"old":true}' ] ||
			fail "at $kb KB analysis.json was overwritten: $(cat "$T/err")"
		   ! grep -q "no usable records" "$T/out" || fail "at $kb KB: out of memory read as no usable records"
		   failed=$((failed + 1)) ;;
		*) fail "at $kb KB analyze exited $rc: $(cat "$T/err")" ;;
		esac
		ls "$oom" | grep -q tmp && fail "at $kb KB a temporary file was left: $(ls "$oom")"
	done
	[ $failed -gt 0 ] && [ $analyzed -gt 0 ] || fail "the limits never ran out of memory ($failed) or never sufficed ($analyzed)"
fi

# Valid JSON that jansson refuses is no truncated line: say what jansson
# said, with path:line:column.
run="$T/refused"
cp -r "$fx/tlb-hugepage" "$run"
printf '%s\n' '{"schema_version":1,"bench":"tlb","value":1e999}' \
	'{"schema_version":1,"bench":"tlb","n":12345678901234567890123}' >> "$run/results.jsonl"
n=$(wc -l < "$run/results.jsonl")
expect_exit 0 "$MEMTUNE" analyze "$run"
grep -q "results.jsonl:$((n - 1)):[0-9]*: invalid JSON: real number overflow" "$T/err" ||
	fail "1e999: $(cat "$T/err")"
grep -q "results.jsonl:$n:[0-9]*: invalid JSON: too big integer" "$T/err" ||
	fail "23-digit integer: $(cat "$T/err")"
! grep -q "truncated" "$T/err" || fail "called truncated: $(cat "$T/err")"

# Escape sequences in run files reach no terminal raw: ESC, BEL and the C1
# CSI in meta.json's host, a record's reason and a bad line are shown as
# \u00XX on stdout and stderr, by analyze, compare and advise; --json
# output stays valid JSON.
esc="$T/esc"
cp -r "$fx/tlb-hugepage" "$esc"
jq -c '.host = "evil\u001b]0;pwned\u0007\u001b[2J"' "$esc/meta.json" > "$T/meta" && mv "$T/meta" "$esc/meta.json"
printf '%s\n' '{"schema_version":1,"bench":"swap","case":{},"status":"skipped","reason":"no swap \u001b[31mRED \u009b2J"}' >> "$esc/results.jsonl"
printf '\033[2Jjunk\n' >> "$esc/results.jsonl"
for cmd in "analyze $esc" "compare $esc $esc" "advise $esc"; do
	expect_exit 0 "$MEMTUNE" $cmd
	! grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/out" "$T/err" || fail "$cmd: a control character reached the terminal"
	! grep -q $'\xc2\x9b' "$T/out" "$T/err" || fail "$cmd: a C1 CSI reached the terminal"
done
expect_exit 0 "$MEMTUNE" analyze "$esc"
grep -q 'evil\\u001b\]0;pwned\\u0007\\u001b\[2J' "$T/out" || fail "host not shown escaped: $(cat "$T/out")"
grep -q 'no swap \\u001b\[31mRED \\u009b2J' "$T/out" || fail "reason not shown escaped: $(cat "$T/out")"
grep -q "near '\\\\u001b'" "$T/err" || fail "bad line not shown escaped: $(cat "$T/err")"
for cmd in "analyze --json $esc" "compare --json $esc $esc" "advise --json $esc"; do
	expect_exit 0 "$MEMTUNE" $cmd
	jq -e . "$T/out" >/dev/null || fail "$cmd: stdout is no longer JSON"
	! grep -q $'\xc2\x9b' "$T/out" || fail "$cmd: a C1 CSI reached the terminal"
done
expect_exit 0 "$MEMTUNE" analyze --json "$esc"
[ "$(jq -r .host "$T/out")" = $'evil\e]0;pwned\a\e[2J' ] || fail "the host changed in JSON: $(jq .host "$T/out")"

# A run directory one may not write (root reads others' runs; here another
# user reads root's): analyze and advise still print, say that nothing was
# written and exit 0; -o OUT writes there. As root the reader is nobody.
as_reader=()
if is_root; then
	command -v setpriv >/dev/null || skip "setpriv is missing"
	as_reader=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	chmod o+x "$T"
fi
ro="$T/ro"
cp -r "$fx/adv-quick" "$ro"
rm -f "$ro/analysis.json" "$ro/advice.json"
chmod -R a+rX,a-w "$ro"
mkdir -m 777 "$T/w"
expect_exit 0 "${as_reader[@]}" "$MEMTUNE" analyze "$ro"
grep -q "^tlb  *analyzed" "$T/out" || fail "analyze printed nothing: $(cat "$T/out")"
grep -q "not writing $ro/analysis.json: .*belongs to uid 0.*-o DIR" "$T/err" || fail "analyze did not say why: $(cat "$T/err")"
expect_exit 0 "${as_reader[@]}" "$MEMTUNE" advise "$ro"
grep -q "^vm.swappiness" "$T/out" || fail "advise printed nothing: $(cat "$T/out")"
grep -q "not writing advice.json into $ro: .*belongs to uid 0.*-o DIR" "$T/err" || fail "advise did not say why: $(cat "$T/err")"
expect_exit 0 "${as_reader[@]}" "$MEMTUNE" analyze "$ro" -o "$T/w/an"
[ -s "$T/w/an/analysis.json" ] || fail "analyze -o wrote nothing"
expect_exit 0 "${as_reader[@]}" "$MEMTUNE" advise "$ro" --output "$T/w/adv"
[ -s "$T/w/adv/advice.json" ] && [ -s "$T/w/adv/99-memtune.conf" ] || fail "advise -o wrote nothing"
grep -q "wrote $T/w/adv/advice.json" "$T/out" || fail "advise -o did not say where it wrote"
[ ! -e "$ro/analysis.json" ] && [ ! -e "$ro/advice.json" ] || fail "the read-only run was written"
expect_exit 2 "$MEMTUNE" analyze "$ro" "$ro" -o "$T/w/x"
chmod -R u+w "$ro"	# so that the cleanup can remove it
exit 0
