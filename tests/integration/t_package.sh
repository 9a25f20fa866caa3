#!/usr/bin/env bash
# The Debian package (issue 17): `make deb`'s package installs with dpkg -i;
# the installed /usr/bin/memtune works without the source tree (a small
# run --quick and a profile from /usr/share/memtune, in a mount namespace
# where the source tree is an empty tmpfs); `man memtune` has a section
# for every command; the bash completion answers; dpkg --purge leaves
# nothing behind. Always purged at exit, also on failure.
#
# Root only (dpkg); skipped when memtune is already installed (from a
# package or by hand), which this test would replace and then remove.
# MEMTUNE_DEB=FILE tests that package instead of building one (the build
# reuses build-deb/ and takes seconds once built; lintian, when installed,
# must pass).
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)

is_root || skip "needs root (dpkg -i)"
command -v dpkg >/dev/null 2>&1 || skip "no dpkg"
memtune_on_system && skip "$why; this test would remove it"
test_deb

installed=0
cleanup() {
  if [ "$installed" = 1 ]; then
    dpkg --purge memtune >"$T/purge.log" 2>&1 || cat "$T/purge.log"
  fi
  cleanup_lib
}
trap cleanup EXIT

# The package's files, for the check that the purge removes them.
deb_files "$deb" >"$T/files"
grep -qx /usr/bin/memtune "$T/files" || fail "the package has no /usr/bin/memtune"

installed=1
dpkg -i "$deb" >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "dpkg -i $deb failed"; }
dpkg-query -W -f='${Status}' memtune | grep -q 'install ok installed' ||
  fail "memtune is not installed after dpkg -i: $(dpkg-query -W -f='${Status}' memtune)"

# --version is the package's (git describe).
ver=$(/usr/bin/memtune --version) || fail "/usr/bin/memtune --version failed"
pkgver=$(dpkg-query -W -f='${Version}' memtune)
case $ver in
  "memtune "?*) ;;
  *) fail "--version printed '$ver'" ;;
esac
upstream=${ver#memtune }
case $pkgver in
  *"$(printf '%s' "$upstream" | tr '-' '+')"*) ;;
  *) fail "package version $pkgver does not hold the program's $upstream" ;;
esac

# Without the source tree: a mount namespace with an empty tmpfs over it,
# from an empty directory, with no MEMTUNE_CONFIGS.
mkdir -p "$T/cwd" "$T/home"
cat >"$T/inside.sh" <<'EOF'
set -u
T=$1 src=$2
[ -z "$(ls -A "$src")" ] || { echo "the source tree is still visible"; exit 1; }
cd "$T/cwd" || exit 1
memtune list >"$T/list.out" 2>&1 || { cat "$T/list.out"; echo "memtune list failed"; exit 1; }
grep -q '^tlb ' "$T/list.out" || { cat "$T/list.out"; echo "memtune list has no tlb"; exit 1; }
# The smallest useful sweep: --quick (configs/quick.ini from
# /usr/share/memtune), one benchmark, one size, few short samples, no
# system changes.
memtune run --quick -b tlb -o "$T/run" --set tlb.sizes=64K \
  --set tlb.backings=4k --set tlb.patterns=line --set tlb.hugetlb_reserve=no \
  --set sample_time=1ms --set min_samples=2 --set max_samples=3 \
  --set warmup_samples=0 --set allow_system_changes=no \
  >"$T/run.out" 2>"$T/run.err" ||
  { cat "$T/run.out" "$T/run.err"; echo "memtune run --quick failed"; exit 1; }
[ "$(tail -n 1 "$T/run.out")" = "$T/run" ] ||
  { cat "$T/run.out"; echo "run did not print its directory"; exit 1; }
grep -q '"bench": *"tlb"' "$T/run/results.jsonl" ||
  { echo "no tlb record in results.jsonl"; exit 1; }
# A shipped profile (/usr/share/memtune/configs/profiles/database.ini).
memtune advise "$T/run" --profile database -o "$T/advice" >"$T/advise.out" 2>&1 ||
  { cat "$T/advise.out"; echo "memtune advise --profile database failed"; exit 1; }
[ -s "$T/advice/advice.json" ] || { echo "advise wrote no advice.json"; exit 1; }
grep -q '"profile": *"database"' "$T/advice/advice.json" ||
  { echo "advice.json is not the database profile's"; exit 1; }
EOF
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$T/home" LANG=C.UTF-8 \
  MEMTUNE_STATE_DIR="$T/state" MEMTUNE_PROGRESS=0 \
  unshare --mount --propagation private \
  sh -c 'mount -t tmpfs memtune-hidden "$2" && exec bash "$1/inside.sh" "$1" "$2"' \
  sh "$T" "$src" >"$T/inside.out" 2>&1 ||
  fail "the installed memtune without the source tree: $(cat "$T/inside.out")"

# The man page: found, and a section for every command of --help.
man -w memtune >"$T/manw" 2>&1 || fail "man -w memtune: $(cat "$T/manw")"
grep -q '^/usr/share/man/man1/memtune\.1\.gz$' "$T/manw" || fail "man -w memtune: $(cat "$T/manw")"
MANWIDTH=100 MANPAGER=cat PAGER=cat man memtune 2>"$T/man.err" >"$T/man.txt" ||
  fail "man memtune: $(cat "$T/man.err")"
cmds=$(/usr/bin/memtune --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9_-]*\) .*/\1/p')
[ "$(printf '%s\n' "$cmds" | grep -c .)" -ge 10 ] || fail "memtune --help lists only: $cmds"
for c in $cmds; do
  grep -q "^ *memtune $c\$" "$T/man.txt" || fail "man memtune has no section for '$c'"
  grep -q "^ *memtune $c" <(/usr/bin/memtune help "$c" | sed 's/^usage: //') ||
    fail "memtune help $c has no usage line"
done

# The completion, in a fresh bash: the installed file, the installed
# program found on PATH.
cat >"$T/complete.sh" <<'EOF'
set -u
. /usr/share/bash-completion/completions/memtune
complete -p memtune | grep -q -- '-F _memtune' || { echo "no complete -F _memtune"; exit 1; }
# answers WORDS...: COMPREPLY for the command line WORDS, the cursor on
# the last word, one per line.
answers() {
  COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
  _memtune
  printf '%s\n' "${COMPREPLY[@]}"
}
expect() { # expect WANT WORDS...
  local want=$1; shift
  answers "$@" | grep -qx -- "$want" || { echo "'$*' completes to: $(answers "$@" | tr '\n' ' '), not '$want'"; exit 1; }
}
expect run memtune ru
expect config-doc memtune con
expect compare memtune help co
expect tlb memtune run -b t
expect tlb,hugepage memtune run --bench tlb,h
expect --quick memtune run --qu
expect --bench memtune run --be
expect --profile memtune advise --pro
expect tlb.sizes= memtune run --set tlb.si
expect sample_time= memtune run --set samp
expect database memtune advise --profile da
expect verified memtune tune x --keep ver
mkdir -p rundir-a
expect rundir-a memtune analyze rundir
expect rundir-a memtune run -o rundir
# Every command of --help is offered.
for c in $(memtune --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9_-]*\) .*/\1/p'); do
  expect "$c" memtune "${c%?}"
done
EOF
(cd "$T/cwd" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$T/home" \
  MEMTUNE_STATE_DIR="$T/state" bash --norc --noprofile "$T/complete.sh") >"$T/complete.out" 2>&1 ||
  fail "bash completion: $(cat "$T/complete.out")"

# dpkg --purge leaves nothing behind.
dpkg --purge memtune >"$T/purge.log" 2>&1 || { cat "$T/purge.log"; fail "dpkg --purge memtune failed"; }
installed=0
deb_purged "$T/files"
echo "ok: $(basename "$deb")"
