#!/bin/sh
# tools/mkdeb.sh: builds build-deb/memtune_VERSION_ARCH.deb (`make deb`)
# and prints its path on the last line.
#
# memtune is built into build-deb/ with PREFIX=/usr and Debian's build
# flags (dpkg-buildflags, hardening=+all, plus --as-needed: the program
# does not need cmocka, which only the unit tests use), installed into
# build-deb/stage by `make install-files`, stripped, and packed by
# dpkg-deb with root as the owner of every file. Depends comes from
# dpkg-shlibdeps (else from the packages of ldd's libraries); the
# copyright file, the control text and the lintian overrides (each with
# its reason) are packaging/debian/; the Debian
# changelog is one entry for this build. lintian checks the package when
# it is installed (`make deb-deps` installs it); an error or warning fails.
#
# The version is what `memtune --version` prints (git describe): a tag
# v1.2 (or 1.2) with 3 commits on top, 1.2-3-gabc1234, becomes
# 1.2+3+gabc1234-1; no tag, 0.0~gitDATE.TIME+abc1234-1 (the commit's time,
# so later commits sort later). "-dirty" becomes "+dirty".
#
# Environment: DEB_MAINTAINER ("Name <address>", default git's user.name
# and user.email), DEB_BUILD_DIR (default build-deb).
set -eu
cd "$(dirname "$0")/.."
src=$PWD
B=${DEB_BUILD_DIR:-build-deb}
stage=$src/$B/stage

export DEB_BUILD_MAINT_OPTIONS=hardening=+all
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags="$(dpkg-buildflags --get LDFLAGS) -Wl,--as-needed"
mk() {
	make --no-print-directory BUILD="$B" PREFIX=/usr CFLAGS="$cflags" \
		LDFLAGS="$ldflags" "$@"
}

mk check-libs
# The Makefile does not rebuild for a new commit: the objects that hold
# the version are, when the program's differs from git describe's.
want=$(git describe --always --dirty 2>/dev/null || echo 0.1)
if [ -x "$B/memtune" ] && [ "$("$B/memtune" --version)" != "memtune $want" ]
then
	for f in $(grep -rl --include='*.c' MT_VERSION \
		core bench analyzer advisor tune cli); do
		rm -f "$B/${f%.c}.o"
	done
fi
rm -rf "$stage"
umask 022
mk install-files DESTDIR="$stage"

# --- the version -------------------------------------------------------------
upstream=$("$B/memtune" --version | sed 's/^memtune //')
case $upstream in
v[0-9]*.* | [0-9]*.*)
	version=$(printf '%s' "${upstream#v}" | tr '-' '+') ;;
*)
	when=$(git log -1 --format=%cd --date=format-local:%Y%m%d.%H%M%S \
		2>/dev/null || date -u +%Y%m%d.%H%M%S)
	version=0.0~git$when+$(printf '%s' "$upstream" | tr '-' '+') ;;
esac
version=$version-1
arch=$(dpkg --print-architecture)
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$epoch}

maint=${DEB_MAINTAINER:-}
if [ -z "$maint" ]; then
	name=$(git config user.name || true)
	mail=$(git config user.email || true)
	[ -n "$name" ] && [ -n "$mail" ] || {
		echo "mkdeb.sh: set DEB_MAINTAINER='Name <address>'" \
			"(or git's user.name and user.email)" >&2
		exit 1
	}
	maint="$name <$mail>"
fi

# --- the files -------------------------------------------------------------
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
	"$stage/usr/bin/memtune"
gzip -9n "$stage/usr/share/man/man1/memtune.1"
doc=$stage/usr/share/doc/memtune
install -d "$doc"
install -m 644 packaging/debian/copyright "$doc/copyright"
install -d "$stage/usr/share/lintian/overrides"
install -m 644 packaging/debian/lintian-overrides \
	"$stage/usr/share/lintian/overrides/memtune"
{
	printf 'memtune (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Built from %s (git describe).\n\n' "$upstream"
	printf ' -- %s  %s\n' "$maint" \
		"$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.Debian.gz"

# --- Depends ---------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memtune-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
depends=
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
	mkdir "$tmp/debian"
	printf 'Source: memtune\n\nPackage: memtune\nArchitecture: any\n' \
		>"$tmp/debian/control"
	depends=$(cd "$tmp" &&
		dpkg-shlibdeps -O -e"$stage/usr/bin/memtune" |
		sed -n 's/^shlibs:Depends=//p')
fi
if [ -z "$depends" ]; then
	# The packages that hold the libraries ldd finds.
	depends=$(ldd "$stage/usr/bin/memtune" |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 }' |
		while read -r lib; do
			dpkg -S "$lib" 2>/dev/null ||
				dpkg -S "$(readlink -f "$lib")" 2>/dev/null
		done | sed 's/:.*//; s/,.*//' | sort -u | paste -sd, - |
		sed 's/,/, /g')
fi
[ -n "$depends" ] || { echo "mkdeb.sh: cannot work out Depends" >&2; exit 1; }

# --- DEBIAN/ and the package --------------------------------------------------
find "$stage" -type d -exec chmod 755 {} +
find "$stage" -type f -exec chmod 644 {} +
chmod 755 "$stage/usr/bin/memtune"
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
install -d -m 755 "$stage/DEBIAN"
(cd "$stage" && find usr -type f | LC_ALL=C sort | xargs md5sum) \
	>"$stage/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" \
	-e "s|@MAINTAINER@|$maint|" -e "s|@SIZE@|$size|" \
	-e "s|@DEPENDS@|$depends|" packaging/debian/control.in \
	>"$stage/DEBIAN/control"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

deb=$B/memtune_$(printf '%s' "$version" | sed 's/^[0-9]*://')_$arch.deb
rm -f "$B"/memtune_*.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
dpkg-deb --info "$deb" | sed -n '/^ Package:/,/^ Description:/p' >&2

if command -v lintian >/dev/null 2>&1; then
	echo "lintian $deb:" >&2
	lintian --display-info --pedantic --fail-on error,warning \
		"$deb" >&2 || {
		echo "mkdeb.sh: lintian found errors or warnings" >&2
		exit 1
	}
else
	echo "mkdeb.sh: lintian is not installed (make deb-deps);" \
		"the package is not checked" >&2
fi
echo "$deb"
