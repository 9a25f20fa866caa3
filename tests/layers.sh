#!/usr/bin/env bash
# The layer rules of DESIGN.md section 1, checked from the #include lines
# of every .c and .h in the source layers (core, bench, observe, analyzer,
# advisor, tune, cli) under ROOT (default: the checkout this script is in):
#
#   core/      includes only core/
#   bench/     includes only bench/ and core/
#   observe/   (memtune observe's collector) includes only observe/ and
#              core/
#   analyzer/  includes only analyzer/ and core/
#   advisor/   includes only advisor/, core/ and, of the analyzer, its
#              loading interface: analyzer/run.h (a run directory),
#              analyzer/analysis.h (analysis.json) and analyzer/facts.h
#              (the facts the advice cites)
#   tune/      (memtune tune: runs benchmark cases under advised settings)
#              includes tune/, bench/, analyzer/, advisor/ and core/
#   cli/       includes cli/, tune/, bench/, observe/, analyzer/, advisor/
#              and core/
#   nothing outside cli/ includes cli/; no layer includes tests/
#   only core/ includes <hwloc.h> (or <hwloc/...>), <numa.h>, <numaif.h>
#
# A quoted include is resolved against the including file's directory (as
# the compiler does first), so "../core/x.h" and "x.h" both work; one that
# resolves to no file is a violation too (it would be found elsewhere).
# Prints each violation as FILE:LINE: the include and the rule; exits 1 if
# there is one, 0 otherwise.
#
# tests/layers.sh --self-test: the test of the test. Copies the layers to a
# temporary directory, checks the copy passes, then plants one violation of
# each rule in turn and checks each is reported, with its line, and fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = --self-test ]; then
	src=$(cd "$here/.." && pwd)
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/memtune-layers.XXXXXX") || exit 2
	trap 'rm -rf "$tmp"' EXIT
	fails=0
	# FILE|LINE TO PLANT|WHAT THE REPORT MUST SAY
	mkdir "$tmp/t" && (cd "$src" && cp -r core bench observe analyzer advisor tune cli "$tmp/t/") ||
		exit 2
	prev=""
	while IFS='|' read -r file line expect; do
		if [ -n "$prev" ]; then
			cp "$src/$prev" "$tmp/t/$prev" || exit 2
		fi
		prev=$file
		if [ -n "$file" ]; then
			# Planted after the first line, so the report's line is 2.
			sed -i "1a $line" "$tmp/t/$file" || exit 2
		fi
		out=$("$here/layers.sh" "$tmp/t"); rc=$?
		if [ -z "$file" ]; then
			[ $rc = 0 ] || { echo "self-test: the clean copy fails:"; echo "$out"; fails=$((fails + 1)); }
			continue
		fi
		if [ $rc != 1 ] || ! grep -qF "$file:2: " <<<"$out" ||
			! grep -qF "$expect" <<<"$out"; then
			echo "self-test: $file: '$line' not reported as '$expect' (exit $rc):"
			echo "$out" | sed 's/^/    /'
			fails=$((fails + 1))
		fi
	done <<'EOF_CASES'
||
core/stats.c|#include "../bench/bench.h"|core/ includes only core/
core/units.h|#  include "../analyzer/run.h"|core/ includes only core/
bench/tlb.c|#include "../analyzer/run.h"|bench/ includes only bench/ and core/
bench/tlb.c|#include "../observe/observe.h"|bench/ includes only bench/ and core/
observe/observe.c|#include "../bench/bench.h"|observe/ includes only observe/ and core/
observe/target.c|#include "../analyzer/run.h"|observe/ includes only observe/ and core/
observe/live.c|#include "../advisor/advisor.h"|observe/ includes only observe/ and core/
observe/emit.c|#include "../cli/cli.h"|nothing outside cli/ includes cli/
bench/runner/worker.h|#include "../../core/../advisor/./advisor.h"|bench/ includes only bench/ and core/
analyzer/report.c|#include "../advisor/advisor.h"|analyzer/ includes only analyzer/ and core/
analyzer/an_tlb.c|#include "../bench/bench.h"|analyzer/ includes only analyzer/ and core/
advisor/advice.c|#include "../analyzer/report.h"|advisor/ may include of the analyzer only
advisor/rule_thp.c|#include "../bench/runner/runner.h"|advisor/ includes only advisor/, core/
advisor/rule_thp.c|#include "../cli/cli.h"|nothing outside cli/ includes cli/
advisor/rule_thp.c|#include "../tune/tune.h"|advisor/ includes only advisor/, core/
bench/runner/runner.c|#include "../../tune/tune.h"|bench/ includes only bench/ and core/
tune/tune.c|#include "../cli/cli.h"|nothing outside cli/ includes cli/
core/log.c|#include "../cli/cli.h"|nothing outside cli/ includes cli/
advisor/evidence.c|#include "facts.h"|resolves to no file
bench/numa.c|#include <hwloc.h>|only core/ includes hwloc or libnuma
analyzer/an_numa.c|#include <hwloc/bitmap.h>|only core/ includes hwloc or libnuma
cli/cmd_run.c|#include <numaif.h>|only core/ includes hwloc or libnuma
advisor/apply.c|#include <numa.h>|only core/ includes hwloc or libnuma
EOF_CASES
	if [ $fails -gt 0 ]; then
		echo "layers self-test: $fails case(s) failed"
		exit 1
	fi
	echo "layers self-test: every planted violation is reported"
	exit 0
fi

root=${1:-$(cd "$here/.." && pwd)}
cd "$root" || exit 2
layers="core bench observe analyzer advisor tune cli"
advisor_analyzer="analyzer/run.h analyzer/analysis.h analyzer/facts.h"

# allowed LAYER TARGET: 0 if a file in LAYER may include TARGET (a path
# relative to ROOT); sets why to the rule otherwise.
allowed() {
	local from=$1 to=$2 tl=${2%%/*}
	if [ "$tl" = cli ] && [ "$from" != cli ]; then
		why="nothing outside cli/ includes cli/"
		return 1
	fi
	case $from/$tl in
	core/core | bench/bench | bench/core | observe/observe | \
	observe/core | analyzer/analyzer | analyzer/core | advisor/advisor | advisor/core | tune/tune | \
	tune/bench | tune/analyzer | tune/advisor | tune/core | cli/*)
		;;
	advisor/analyzer)
		case " $advisor_analyzer " in *" $to "*) return 0 ;; esac
		why="advisor/ may include of the analyzer only its loading interface ($advisor_analyzer)"
		return 1 ;;
	*)
		case $from in
		core) why="core/ includes only core/" ;;
		bench) why="bench/ includes only bench/ and core/" ;;
		observe) why="observe/ includes only observe/ and core/" ;;
		analyzer) why="analyzer/ includes only analyzer/ and core/" ;;
		advisor) why="advisor/ includes only advisor/, core/ and the analyzer's loading interface" ;;
		esac
		return 1 ;;
	esac
	case " $layers " in
	*" $tl "*) return 0 ;;
	esac
	why="a source layer includes only the layers (not $tl/)"
	return 1
}

# normalize PATH: sets target to PATH without "." and with ".." resolved
# textually (no subshell: this runs once per include).
normalize() {
	local IFS=/ part out=()
	for part in $1; do
		case $part in
		'' | .) ;;
		..) [ ${#out[@]} -gt 0 ] && unset 'out[${#out[@]}-1]' ;;
		*) out+=("$part") ;;
		esac
	done
	target="${out[*]}"
}

bad=0
files=$(for l in $layers; do
	[ -d "$l" ] && find "$l" -type f \( -name '*.c' -o -name '*.h' \)
done | sort)
nfiles=$(printf '%s\n' $files | grep -c .)
# FILE:LINE:TEXT of every #include line (one grep, not a read per line).
while IFS=: read -r f n text; do
	[[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*([\"\<])([^\"\>]*)[\"\>] ]] || continue
	kind=${BASH_REMATCH[1]} inc=${BASH_REMATCH[2]}
	layer=${f%%/*}
	why=""
	if [ "$kind" = '<' ]; then
		case $inc in
		hwloc.h | hwloc/* | numa.h | numaif.h)
			[ "$layer" = core ] ||
				why="only core/ includes hwloc or libnuma headers" ;;
		esac
	else
		normalize "${f%/*}/$inc"
		if [ ! -f "$target" ]; then
			why="the include resolves to no file next to the includer ($target)"
		else
			allowed "$layer" "$target" || true
		fi
		case $why in ?*) why="$why: $inc -> $target" ;; esac
	fi
	if [ -n "$why" ]; then
		text=${text#"${text%%[![:space:]]*}"}
		printf '%s:%s: %s: %s\n' "$f" "$n" "$text" "$why"
		bad=$((bad + 1))
	fi
done < <([ -n "$files" ] && grep -Hn -E '^[[:space:]]*#[[:space:]]*include' $files)
if [ "$bad" -gt 0 ]; then
	echo "layers: $bad include(s) break the layer rules of DESIGN.md section 1 ($nfiles files)"
	exit 1
fi
echo "layers: $nfiles files keep the layer rules"
