#!/bin/sh
# man_lint.sh: lints Larder's manual pages, and checks that larder.1
# covers every command of larder --help and larderd.conf.5 every setting
# of config/larderd.conf.
#
# usage: man_lint.sh LARDER_BINARY SOURCE_DIR
# Exits 0 when all is well, 1 on any warning or gap, 77 (skipped) when
# neither mandoc nor groff is installed to lint with.

if [ $# -ne 2 ]; then
	echo "usage: $0 LARDER_BINARY SOURCE_DIR" >&2
	exit 2
fi
larder=$1
src=$2
pages="$src/docs/larder.1 $src/docs/larderd.8 $src/docs/larderd.conf.5"
failed=0

fail()
{
	echo "FAIL: $*"
	failed=1
}

# Prints a page's lint messages; returns non-zero when there are any.
lint()
{
	if [ "$tool" = mandoc ]; then
		out=$(mandoc -T lint -W warning "$1" 2>&1)
	else
		out=$(groff -man -ww -z "$1" 2>&1)
	fi
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	[ "$rc" -eq 0 ] && [ -z "$out" ]
}

for page in $pages; do
	[ -r "$page" ] || fail "$page: missing"
done
[ "$failed" -eq 0 ] || exit 1

# Every command of larder --help has an entry: a line .B WORDS (or .BR,
# .BI, the words perhaps quoted) in larder.1.
if ! help=$("$larder" --help); then
	fail "$larder --help did not run"
	exit 1
fi
commands=$(printf '%s\n' "$help" | sed -n '/^commands:$/,/^$/p' |
    sed -e '1d' -e '/^$/d' | cut -c3-18 | sed 's/ *$//')
[ -n "$commands" ] || fail "no commands found in larder --help"
n=0
while IFS= read -r words; do
	[ -n "$words" ] || continue
	n=$((n + 1))
	grep -Eq "^\.B[RI]? \"?$words(\"| |$)" "$src/docs/larder.1" ||
	    fail "larder.1: no entry for the command \"$words\""
done <<END
$commands
END
echo "larder.1: checked $n commands"

# Every section and every ;key = line of larderd.conf has an entry in
# larderd.conf.5: .SH "[section]" and .BI "key = " (or .B, .BR).
conf="$src/config/larderd.conf"
n=0
# Sections and keys are single words, so splitting on white space is safe.
# shellcheck disable=SC2013
for section in $(sed -n 's/^\[\([a-z]*\)\]$/\1/p' "$conf"); do
	grep -Eq "^\.SH \"?\[$section\]" "$src/docs/larderd.conf.5" ||
	    fail "larderd.conf.5: no section [$section]"
done
# shellcheck disable=SC2013
for key in $(sed -n 's/^;\([a-z_][a-z_0-9]*\) *=.*/\1/p' "$conf"); do
	n=$((n + 1))
	grep -Eq "^\.(B[RI]?|TQ) \"?$key( |\"|$)" \
	    "$src/docs/larderd.conf.5" ||
	    fail "larderd.conf.5: no entry for the key $key"
done
[ "$n" -gt 0 ] || fail "no ;key = lines found in $conf"
echo "larderd.conf.5: checked $n keys"

if command -v mandoc >/dev/null 2>&1; then
	tool=mandoc
elif command -v groff >/dev/null 2>&1; then
	tool=groff
else
	[ "$failed" -eq 0 ] || exit 1
	echo "skipped: neither mandoc nor groff is installed to lint with"
	exit 77
fi
for page in $pages; do
	if lint "$page"; then
		echo "$page: no $tool warnings"
	else
		fail "$page: $tool warnings above"
	fi
done
exit "$failed"
