#!/usr/bin/env bash
# Every script under tests/ and .ci/ is executable in git (mode 100755), so
# a fresh clone runs `make bench-analyzer` and each test directly. Skipped
# outside a git checkout.
. "$(dirname "$0")/lib.sh"

top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel 2>/dev/null) ||
	skip "not a git checkout"
bad=""
while read -r mode _ _ path; do
	case $path in
	*.sh | .ci/*) ;;
	*) continue ;;
	esac
	[ "$mode" = 100755 ] || bad="$bad $path(mode $mode)"
done < <(git -C "$top" ls-files -s -- tests .ci)
[ -z "$bad" ] || fail "scripts not executable in git (git update-index --chmod=+x):$bad"
exit 0
