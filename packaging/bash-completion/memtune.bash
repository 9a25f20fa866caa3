# bash completion for memtune(1)                             -*- shell-script -*-
#
# Everything is asked of the memtune being completed, when TAB is pressed,
# so the completion follows the program it is installed with: commands
# from `memtune --help`, each command's options and what they take from
# `memtune help COMMAND` (the synopsis and the option lines), benchmark
# names from `memtune list --json`, configuration keys from
# `memtune config-doc`, profiles from the profiles directory memtune reads
# (MEMTUNE_CONFIGS, or beside the program, or PREFIX/share/memtune).
# Arguments named DIR or OUT complete directories (run directories), FILE
# or PATH files, a|b the words a and b. Needs bash only (not the bash-completion package).

# The memtune being completed: the command word as typed, if it runs.
_memtune_bin()
{
	local b=${COMP_WORDS[0]}

	[[ $b == "~/"* ]] && b=$HOME/${b#"~/"}
	if [[ $b == */* ]]; then
		[[ -x $b ]] && { printf '%s\n' "$b"; return; }
	elif type -P "$b" >/dev/null 2>&1; then
		printf '%s\n' "$b"
		return
	fi
	printf 'memtune\n'
}

_memtune_commands()
{
	"$1" --help 2>/dev/null |
		sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9_-]*\) .*/\1/p'
}

# Lines "OPTION<TAB>ARG" (ARG empty: the option takes none) and
# "@<TAB>PLACEHOLDER" for each positional argument, from the usage text of
# command $2: its synopsis (up to the first blank line) and its option
# lines ("  -c, --config FILE   text"); the synopsis's ARG first
# ("--keep verified|none" there, "--keep verified" in the option lines).
_memtune_usage()
{
	"$1" help "$2" 2>/dev/null | awk '
	function opt(o, a) {
		if (!(o in seen)) { seen[o] = 1; print o "\t" a }
	}
	NR == 1 { syn = 1 }
	syn && /^$/ { syn = 0; next }
	syn {
		line = $0
		sub(/^usage: memtune [^ ]+/, "", line)
		n = split(line, w, " ")
		for (i = 1; i <= n; i++) {
			t = w[i]; gsub(/[][]/, "", t)
			if (t == "" || t == "...") continue
			if (t ~ /^-/) {
				a = ""
				if (w[i] !~ /\]$/ && i < n && w[i + 1] !~ /^[[-]/) {
					a = w[++i]; gsub(/[][]/, "", a)
				}
				opt(t, a)
			} else {
				sub(/\.\.\.$/, "", t); print "@\t" t
			}
		}
		next
	}
	/^  -/ {
		tag = substr($0, 3)
		if (match(tag, /  /)) tag = substr(tag, 1, RSTART - 1)
		m = split(tag, w, " ")
		a = (w[m] !~ /^-/) ? w[m] : ""
		for (i = 1; i <= m; i++)
			if (w[i] ~ /^-/) { o = w[i]; sub(/,$/, "", o); opt(o, a) }
	}
	END { opt("--help", "") }'
}

_memtune_benchmarks()
{
	"$1" list --json 2>/dev/null |
		sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p'
}

# KEY for [global], SECTION.KEY for the others, as --set takes them.
_memtune_config_keys()
{
	"$1" config-doc 2>/dev/null | awk '
	/^### \[/ { s = $2; gsub(/[][]/, "", s); next }
	/^\| `/ {
		k = $2; gsub(/`/, "", k)
		print (s == "global" ? k : s "." k)
	}'
}

_memtune_profiles()
{
	local bin d real
	local -a dirs=()

	bin=$(type -P "$1" 2>/dev/null) || bin=$1
	real=$(readlink -f "$bin" 2>/dev/null) && bin=$real
	[[ -n ${MEMTUNE_CONFIGS:-} ]] && dirs+=("$MEMTUNE_CONFIGS")
	dirs+=("${bin%/*}/../configs" "${bin%/*}/../share/memtune/configs"
		/usr/share/memtune/configs /usr/local/share/memtune/configs)
	for d in "${dirs[@]}"; do
		if [[ -r $d/quick.ini && -d $d/profiles ]]; then
			for d in "$d"/profiles/*.ini; do
				[[ -e $d ]] && { d=${d##*/}; printf '%s\n' "${d%.ini}"; }
			done
			return
		fi
	done
}

# The ids of DIR/advice.json (apply and tune --only).
_memtune_advice_ids()
{
	[[ -r $1/advice.json ]] &&
		sed -n 's/^ *"id": *"\([^"]*\)".*/\1/p' "$1/advice.json"
}

# COMPREPLY from the words on stdin that start with $1 (not a pipe: it
# sets COMPREPLY in this shell); with "list", a comma list completes its
# last element.
_memtune_reply()
{
	local cur=$1 pre= w
	local -a words

	if [[ ${2:-} == list && $cur == *,* ]]; then
		pre=${cur%,*},
		cur=${cur##*,}
	fi
	mapfile -t words
	COMPREPLY=()
	for w in "${words[@]}"; do
		[[ -n $w && $w == "$cur"* ]] && COMPREPLY+=("$pre$w")
	done
}

_memtune_files()
{
	local IFS=$'\n'

	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen "$1" -- "$2"))
}

# Completes the argument ARG of option OPT of command CMD.
_memtune_optarg()
{
	local bin=$1 cmd=$2 opt=$3 arg=$4 cur=$5 w dir=

	case $opt in
	-b | --bench | --benchmarks)
		_memtune_reply "$cur" list < <(_memtune_benchmarks "$bin")
		return ;;
	--set)
		_memtune_reply "$cur" < <(_memtune_config_keys "$bin" |
			sed 's/$/=/')
		compopt -o nospace 2>/dev/null
		return ;;
	--profile)
		_memtune_reply "$cur" < <(_memtune_profiles "$bin")
		local -a names=("${COMPREPLY[@]}")
		_memtune_files -f "$cur"
		COMPREPLY=("${names[@]}" "${COMPREPLY[@]}")
		return ;;
	--pid)
		# observe: the running processes.
		_memtune_reply "$cur" < <(cd /proc 2>/dev/null &&
			printf '%s\n' [0-9]*)
		return ;;
	--unit)
		# observe: the units with a cgroup under system.slice.
		_memtune_reply "$cur" < <(for w in /sys/fs/cgroup/system.slice/*.* \
			/sys/fs/cgroup/*/system.slice/*.*; do
			[[ -d $w ]] && printf '%s\n' "${w##*/}"; done | sort -u)
		return ;;
	--only)
		if [[ $arg == ID* ]]; then
			# The DIR given to this command, if any.
			for w in "${COMP_WORDS[@]:2:COMP_CWORD-2}"; do
				[[ $w != -* && -d $w ]] && { dir=$w; break; }
			done
			[[ -n $dir ]] && _memtune_reply "$cur" list \
				< <(_memtune_advice_ids "$dir")
		else
			_memtune_reply "$cur" list < <(_memtune_benchmarks "$bin")
		fi
		return ;;
	esac
	case $arg in
	*FILE* | *PATH*) _memtune_files -f "$cur" ;;
	DIR* | OUT*) _memtune_files -d "$cur" ;;
	# A literal value, or the choices a|b|c ("--keep verified|none").
	[a-z]*) _memtune_reply "$cur" < <(tr '|' '\n' <<<"$arg") ;;
	*) COMPREPLY=() ;;
	esac
}

_memtune()
{
	local bin cur prev cmd i line o a
	local -a opts=() args=() pos=()

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	bin=$(_memtune_bin)
	# --opt=VALUE: bash splits it at '='.
	if [[ $cur == = && $prev == -* ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
		[[ $prev == -* ]] || return 0 # the VALUE of --set KEY=VALUE
	fi

	if ((COMP_CWORD == 1)); then
		_memtune_reply "$cur" < <(_memtune_commands "$bin"
			printf '%s\n' help --help --version)
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	if [[ $cmd == help ]]; then
		((COMP_CWORD == 2)) &&
			_memtune_reply "$cur" < <(_memtune_commands "$bin")
		return 0
	fi
	[[ $cmd == -* ]] && return 0

	while IFS=$'\t' read -r o a; do
		if [[ $o == @ ]]; then
			pos+=("$a")
		else
			opts+=("$o")
			args+=("$a")
		fi
	done < <(_memtune_usage "$bin" "$cmd")

	# The argument of the option before the cursor.
	if [[ $prev == -* ]]; then
		for i in "${!opts[@]}"; do
			if [[ ${opts[i]} == "$prev" ]]; then
				[[ -n ${args[i]} ]] || break
				_memtune_optarg "$bin" "$cmd" "$prev" "${args[i]}" "$cur"
				return 0
			fi
		done
	fi
	if [[ $cur == -* || ${#pos[@]} -eq 0 ]]; then
		_memtune_reply "$cur" < <(printf '%s\n' "${opts[@]}")
		return 0
	fi
	# A positional argument: DIR (run directories) or FILE.
	case ${pos[0]} in
	DIR* | OUT*) _memtune_files -d "$cur" ;;
	*) _memtune_files -f "$cur" ;;
	esac
	return 0
}

complete -F _memtune memtune
