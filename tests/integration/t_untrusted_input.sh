#!/usr/bin/env bash
# Root against an unprivileged attacker (uid 65534 through setpriv), issue
# 12: tampered advice.json items, journals planted in a state directory
# someone else controls, and inputs that used to be accepted. Everything
# runs against a copy of a fixture machine under MEMTUNE_FSROOT, so the
# real kernel settings are never touched; the victims are root's files
# outside that tree. Nothing outside memtune's own files may change, and
# each attempt must be refused with a message naming what was refused.
set -u
. "$(dirname "$0")/lib.sh"

is_root || skip "t_untrusted_input: needs root (root is the victim)"
needs t_untrusted_input setpriv jq
M=${MEMTUNE:?}
F=--force-container
here=$(cd "$(dirname "$0")/.." && pwd)
as_attacker() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

chmod 0711 "$T"
R=$T/root
cp -a "$here/fixtures/machines/small-vm" "$R"
mkdir -p "$R/etc/sysctl.d"
export MEMTUNE_FSROOT=$R
printf 'secret\n' >"$T/victim"
chmod 600 "$T/victim"
sum_victims() { sha256sum "$T/victim" "$R/proc/sys/vm/swappiness" | sha256sum; }
tree_before=$(cd "$R" && find . -type f -exec sha256sum {} + | sort | sha256sum)
tree_same() {
	[ "$(cd "$R" && find . -type f -exec sha256sum {} + | sort | sha256sum)" = "$tree_before" ]
}

run=$T/run
cp -a "$here/fixtures/runs/adv-quick" "$run"
"$M" advise "$run" --profile database >/dev/null 2>"$T/adv.err" ||
	fail "advise failed: $(cat "$T/adv.err")"
cp "$run/advice.json" "$T/advice.orig"
edit() {	# edit JQ-FILTER: rewrites advice.json from the original
	jq "$1" "$T/advice.orig" >"$run/advice.json" || fail "jq $1"
}
sw='(.items[] | select(.id == "swappiness"))'
line_of_sw=$(grep -n '"id": "swappiness"' "$T/advice.orig" | cut -d: -f1)

# 1. target.path is never a path to write (nor to read in --dry-run).
edit "$sw |= (.change = true | .target.path = \"$T/victim\" | .target.value = \"10\")"
for dry in "" --dry-run; do
	expect_exit 2 "$M" apply "$run" --only swappiness $dry $F
	grep -q "advice.json:[0-9]*: item 'swappiness': target.path '$T/victim' is not the file of vm.swappiness" "$T/err" ||
		fail "tampered target.path: $(cat "$T/err")"
	grep -q secret "$T/out" "$T/err" && fail "the victim's content was printed"
done
[ "$(cat "$T/victim")" = secret ] || fail "the victim was written"

# 2. A knob memtune does not manage, a value out of range, a sysctl key
# that is not the knob's: refused before anything changes.
edit "$sw |= (.change = true | .knob = \"kernel.core_pattern\" | .target.path = \"/proc/sys/kernel/core_pattern\" | .target.value = \"|/tmp/x\")"
expect_exit 2 "$M" apply "$run" --only swappiness $F
grep -q "knob 'kernel.core_pattern' is not one memtune applies" "$T/err" || fail "unknown knob: $(cat "$T/err")"
for v in 250 -5 10x ""; do
	edit "$sw |= (.change = true | .target.value = \"$v\")"
	expect_exit 2 "$M" apply "$run" --only swappiness --dry-run $F
	grep -q "vm.swappiness: " "$T/err" || fail "value '$v': $(cat "$T/err")"
done
grep -q "advice.json:$((line_of_sw - 1)):\|advice.json:$line_of_sw:" "$T/err" ||
	fail "the message does not name the item's line ($line_of_sw): $(cat "$T/err")"
edit "$sw |= (.change = true | .target.value = \"10\" | .target.sysctl = \"kernel.modprobe\")"
expect_exit 2 "$M" apply "$run" --only swappiness $F
grep -q "target.sysctl 'kernel.modprobe' is not vm.swappiness's" "$T/err" || fail "sysctl: $(cat "$T/err")"
tree_same || fail "a refused apply changed the tree"

# 3. Names: an empty --only, an unknown id or rule.
edit '.'
for args in "--only=" "--only=," "--only nosuchid" "--force nosuchrule"; do
	expect_exit 2 "$M" apply "$run" $args --dry-run $F
	grep -q "apply: --" "$T/err" || fail "$args: $(cat "$T/err")"
done

# 4. --persist installs exactly what was applied: a guarded value that was
# refused is not in it, --only is honoured, and a newline smuggled into a
# text field cannot start a setting of its own.
edit "$sw |= (.change = true | .confidence = \"high\" | .target.value = \"0\" | .current = \"60\nkernel.core_pattern = |/tmp/evil\")"
expect_exit 1 "$M" apply "$run" --only swappiness --persist $F
grep -q "refused  vm.swappiness=0" "$T/out" || fail "guard: $(cat "$T/out")"
grep -q "nothing to persist" "$T/out" || fail "persisted a refused value: $(cat "$T/out")"
[ -e "$R/etc/sysctl.d/99-memtune.conf" ] && fail "installed a file of refused values"
edit "$sw |= (.change = true | .confidence = \"high\" | .target.value = \"7\" | .current = \"60\nkernel.core_pattern = |/tmp/evil\")"
expect_exit 0 "$M" apply "$run" --only swappiness --persist $F
conf=$R/etc/sysctl.d/99-memtune.conf
[ "$(grep -v '^#' "$conf" | grep -c .)" = 1 ] || fail "persisted more than applied: $(cat "$conf")"
grep -q '^vm.swappiness = 7$' "$conf" || fail "not persisted: $(cat "$conf")"
grep -q '^kernel' "$conf" && fail "a smuggled line reached sysctl.d"
[ "$(cat "$R/proc/sys/vm/swappiness")" = 7 ] || fail "swappiness not applied"
expect_exit 0 "$M" rollback $F
[ -e "$conf" ] && fail "rollback left the sysctl.d file"
tree_same || fail "rollback did not put the tree back"
# THP has no sysctl.d line: apply says so and how.
edit '(.items[] | select(.id == "thp_enabled")) |= (.change = true | .confidence = "high" | .recommended = "never" | .target.value = "never")'
expect_exit 0 "$M" apply "$run" --only thp_enabled --persist --dry-run $F
grep -q "not persisted transparent_hugepage.enabled = never: .*transparent_hugepage=VALUE" "$T/out" ||
	fail "THP persistence not explained: $(cat "$T/out")"

# 5. Journals planted by the attacker.
att=$T/att
mkdir "$att" && chown 65534:65534 "$att"
as_attacker sh -c "mkdir -m 700 '$att/state' && printf '%s\n' \
	'{\"op\":\"write\",\"path\":\"$T/victim\",\"value\":\"pwned\"}' \
	'{\"op\":\"unlink\",\"path\":\"$T/victim\"}' > '$att/state/run.journal' &&
	cp '$att/state/run.journal' '$att/state/apply.journal'" || fail "attacker setup"
for cmd in restore "rollback $F"; do
	MEMTUNE_STATE_DIR=$att/state expect_exit 1 "$M" $cmd
	grep -q "belongs to uid 65534" "$T/err" || fail "$cmd played an attacker's journal: $(cat "$T/err")"
done
# A root-owned state directory inside the attacker's directory: they could
# swap it, so it is refused too.
mkdir -m 700 "$att/rootstate"
MEMTUNE_STATE_DIR=$att/rootstate expect_exit 1 "$M" restore
grep -q "$att belongs to uid 65534" "$T/err" || fail "parent not checked: $(cat "$T/err")"
# Group/world-writable state directory.
mkdir -m 777 "$T/open"
MEMTUNE_STATE_DIR=$T/open expect_exit 1 "$M" restore
grep -q "can be written by others" "$T/err" || fail "0777 state dir: $(cat "$T/err")"
# The attacker's link planted where root's journal goes (state directory
# in a sticky world-writable place, as /var/tmp).
mkdir -m 1777 "$T/pub"
mkdir -m 700 "$T/pub/st"
ln -s "$T/victim" "$T/pub/st/run.journal"
MEMTUNE_STATE_DIR=$T/pub/st expect_exit 1 "$M" restore
grep -q "symbolic link" "$T/err" || fail "journal link followed: $(cat "$T/err")"
rm "$T/pub/st/run.journal"
# In root's own state directory, a journal with entries memtune never
# writes (as a copied or edited journal would have): each is refused and
# named, the good entry is played back.
mkdir -m 700 "$T/st"
echo 60 >"$R/proc/sys/vm/swappiness"
printf '%s\n' \
	"{\"op\":\"write\",\"path\":\"$R/proc/sys/vm/swappiness\",\"value\":\"33\"}" \
	"{\"op\":\"write\",\"path\":\"$T/victim\",\"value\":\"pwned\"}" \
	"{\"op\":\"unlink\",\"path\":\"$T/victim\"}" \
	"{\"op\":\"restore_file\",\"path\":\"$R/etc/sysctl.d/99-memtune.conf\",\"existed\":true,\"content\":\"vm.swappiness=1\\n\",\"mode\":2541}" \
	"{\"op\":\"restore_file\",\"path\":\"$R/etc/sysctl.d/99-memtune.conf\",\"existed\":true,\"content\":\"kernel.core_pattern=|/x\\n\",\"mode\":420}" \
	"{\"op\":\"write\",\"path\":\"$R/proc/sys/vm/../../../etc/passwd\",\"value\":\"1\"}" \
	"{\"op\":\"rmdir\",\"path\":\"$R/sys/fs/cgroup\"}" >"$T/st/run.journal"
chmod 600 "$T/st/run.journal"
MEMTUNE_STATE_DIR=$T/st expect_exit 2 "$M" restore
for what in "2: skipped: $T/victim is not under MEMTUNE_FSROOT" \
	"3: skipped: $T/victim is not under MEMTUNE_FSROOT" \
	"4: skipped: a restore_file mode other than read and write bits" \
	"5: skipped: its sysctl.d content sets kernel.core_pattern" \
	"6: skipped: a \"path\" with empty, \".\" or \"..\" components" \
	"7: skipped: /sys/fs/cgroup is not a cgroup memtune creates"; do
	grep -q -- "$what" "$T/out" || fail "not named: $what: $(cat "$T/out")"
done
[ "$(cat "$R/proc/sys/vm/swappiness")" = 33 ] || fail "the good entry was not played back"
[ "$(cat "$T/victim")" = secret ] || fail "the victim changed"
[ -e "$R/etc/sysctl.d/99-memtune.conf" ] && fail "a sysctl.d file was written"

# 6. One run, apply, rollback or restore at a time per state directory.
mkdir -m 700 "$T/one"
unset MEMTUNE_FSROOT
MEMTUNE_STATE_DIR=$T/one "$M" run -b tlb -o "$T/r1" --set tlb.sizes=16K,1M,4M \
	>/dev/null 2>"$T/r1.err" &
first=$!
for _ in $(seq 50); do [ -s "$T/one/lock" ] && break; sleep 0.1; done
MEMTUNE_STATE_DIR=$T/one expect_exit 1 "$M" run -b tlb -o "$T/r2" --set tlb.sizes=16K
grep -q "another memtune is working with $T/one (memtune run, pid $first)" "$T/err" ||
	fail "second run: $(cat "$T/err")"
[ -e "$T/r2" ] && fail "the second run made a run directory"
MEMTUNE_STATE_DIR=$T/one expect_exit 1 "$M" restore
grep -q "memtune run, pid $first" "$T/err" || fail "restore during a run: $(cat "$T/err")"
wait "$first" || fail "the first run failed: $(tail -3 "$T/r1.err")"
MEMTUNE_STATE_DIR=$T/one expect_exit 0 "$M" restore
exit 0
