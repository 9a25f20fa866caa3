#!/usr/bin/env bash
# Unprivileged, `memtune run -b swap` skips swap with a reason that says
# what is missing and how to get it, and the run succeeds.
. "$(dirname "$0")/lib.sh"
# A directory the unprivileged user can reach: the binary (mode 755), its
# state directory and its output.
U=$(mktemp -d /var/tmp/memtune-unpriv.XXXXXX)
trap 'rm -rf "$U"; cleanup_lib' EXIT
chmod 755 "$U"
cp "$MEMTUNE" "$U/memtune"
chmod 755 "$U/memtune"
mkdir "$U/state" "$U/out"
if is_root; then
  command -v setpriv >/dev/null || skip "setpriv is not installed"
  chown 65534:65534 "$U/state" "$U/out"
  as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
  as_user() { "$@"; }
fi
cd "$U" || fail "cannot enter $U"
expect_exit 0 as_user env MEMTUNE_STATE_DIR="$U/state" "$U/memtune" run -b swap -o "$U/out/run"
rec=$(jq -c 'select(.bench == "swap")' "$U/out/run/results.jsonl")
[ "$(jq -r .status <<<"$rec")" = skipped ] || fail "swap was not skipped: $rec"
reason=$(jq -r .reason <<<"$rec")
grep -q root <<<"$reason" || fail "the reason does not say root is needed: $reason"
grep -q "sudo memtune run" <<<"$reason" || fail "the reason does not give the command: $reason"
status=$(jq -r '.benchmarks[] | select(.bench == "swap") | .status' "$U/out/run/meta.json")
[ "$status" = skipped ] || fail "meta.json says swap is '$status', expected skipped"
[ ! -s "$U/state/run.journal" ] || fail "an unprivileged run left a journal"
exit 0
