#!/bin/sh
# completion_test.sh: checks contrib/larder.bash-completion by sourcing it
# in bash, setting COMP_WORDS, COMP_CWORD and COMP_LINE as bash would for
# a command line, calling the completion function and comparing the
# words it offers.
#
# usage: completion_test.sh SOURCE_DIR
# Exits 0 when every case passes, 1 otherwise, 77 (skipped) without bash.

if [ $# -ne 1 ]; then
	echo "usage: $0 SOURCE_DIR" >&2
	exit 2
fi
if ! command -v bash >/dev/null 2>&1; then
	echo "skipped: bash is not installed"
	exit 77
fi
completion="$1/contrib/larder.bash-completion"
if [ ! -r "$completion" ]; then
	echo "FAIL: $completion: missing"
	exit 1
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/files" && : >"$tmp/files/alpha.html" &&
    : >"$tmp/files/alps.csv" && : >"$tmp/files/beta.jsonl" || exit 1

script=$(cat <<'END'
set -u
. "$1" || exit 1
cd "$2" || exit 1
failed=0

# check PROGRAM 'EXPECTED WORDS' WORD...: the last WORD is the one being
# completed; bash's own splitting at ':' and '=' is given as separate
# words, with the line they came from in COMP_LINE.
check()
{
	local program=$1 want=$2 line=$3 fn got
	shift 3
	fn=$(complete -p "$program" | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	"$fn" "$program" "${COMP_WORDS[COMP_CWORD]}" \
	    "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort |
	    tr '\n' ' ')
	# shellcheck disable=SC2086
	want=$(printf '%s\n' $want | sed '/^$/d' | sort | tr '\n' ' ')
	if [[ $got == "$want" ]]; then
		echo "ok: $line<TAB>"
	else
		echo "FAIL: $line<TAB>: want [$want], got [$got]"
		failed=1
	fi
}

# c 'EXPECTED' WORD...: a larder command line split only at spaces.
c()
{
	local want=$1
	shift
	check larder "$want" "$*" "$@"
}

c 'offer' larder of
c 'post list show withdraw' larder offer ''
c 'text json csv html' larder report --format ''
c 'csv' larder report --month 2026-11 --format c
c 'add list show token suspend reinstate propose' larder member ''
c 'rotate revoke' larder member token ''
c 'advance set' larder clock ''
c 'offer' larder --token ldr_x --as humdum of
c 'compost' larder offer post --fallback co
c '--indivisible' larder offer post --ind
c 'past_date' larder waste record --kg 2 --cause pa
c 'anaerobic_digestion animal_feed' larder waste record --destination an
c 'yes no abstain' larder vote 3 ''
c 'weight quality noshow other' larder dispute raise 2 --reason ''
c '' larder match decline 4 --reason ''
c 'reverse_noshow correct_grams no_change' \
    larder dispute resolve 2 --outcome ''
c 'fairshare fcfs' larder simulate --month 2026-11 --policy f
c 'ambient,chilled' larder request post --storage ambient,ch
c 'chilled' larder offer post --storage ch
c 'ambient,chilled ambient,frozen' larder member add x --storage ambient,
c '--people --week' larder fed report ''
c '--why --closes' larder member suspend riverside ''
c '--name --hub --people --storage --catchment --why --closes' \
    larder member propose golf ''
c 'ambient,chilled ambient,frozen' larder member propose x --storage ambient,
c 'policy' larder rules propose po
c 'fcfs' larder rules propose policy fc
c 'beta=' larder simulate --month 2026-11 --set be
c 'alpha.html alps.csv' larder report --month 2026-11 -o al
c 'alpha.html alps.csv beta.jsonl' larder log export --output ''
c 'beta.jsonl' larder simulate --month 2026-11 --from-log b
c 'alpha.html' larder --config alph
c '--addr --as --ca --config --help --json --socket --tls --token --version' \
    larder --
c '--db --help' larder backup --
c '--all --open --help' larder match list --

# What bash splits at ':' and '=' is joined back.
check larder 'post list show withdraw' \
    'larder --addr 127.0.0.1:7411 offer ' \
    larder --addr 127.0.0.1 : 7411 offer ''
check larder '--month --policy --set --from-log --db' \
    'larder simulate --set beta=0.3 ' \
    larder simulate --set beta = 0.3 ''
check larder '' 'larder simulate --set beta=' \
    larder simulate --set beta =

check larderd 'real manual' 'larderd --clock ' larderd --clock ''
check larderd '--restore' 'larderd --res' larderd --res

exit "$failed"
END
)
bash -c "$script" completion_test "$completion" "$tmp/files"
