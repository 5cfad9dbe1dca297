#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs every libipcchan example program once; each exits 0 on success.
# TAP output.  Examples are looked for in $IPCCHAN_EXAMPLES, else in
# ../examples next to this tests directory (the staged layout).

dir=${IPCCHAN_EXAMPLES:-$(dirname "$0")/../examples}

echo "TAP version 13"
if [ ! -e /dev/ipcchan ]; then
	echo "1..0 # SKIP /dev/ipcchan missing: module not loaded"
	exit 4
fi
if [ ! -d "$dir" ]; then
	echo "1..0 # SKIP no examples in $dir"
	exit 4
fi

tmo=
command -v timeout >/dev/null 2>&1 && tmo="timeout 120"

n=0
fails=0
out=$(mktemp /tmp/ipcchan-example.XXXXXX) || exit 1
for ex in "$dir"/*; do
	[ -f "$ex" ] && [ -x "$ex" ] || continue
	n=$((n + 1))
	name=$(basename "$ex")
	$tmo "$ex" >"$out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $n $name"
	else
		echo "# $name exited with $rc:"
		sed 's/^/#   /' "$out"
		echo "not ok $n $name"
		fails=$((fails + 1))
	fi
done
rm -f "$out"
echo "1..$n"
[ $n -gt 0 ] && [ $fails -eq 0 ]
