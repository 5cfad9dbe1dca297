#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the student repository of one lab: every file git tracks, minus
# the instructor's guide and the other labs' folders, with the lab's
# regions replaced by their TODO and starting code (labs/tools/strip.awk)
# and every other lab marker removed, and the lab's answers.md cut to its
# questions (the repository's copy holds the model answers); then a fresh
# git repository with one commit, so no history holds a solution.  Fails if a marker or a
# solution line is left in the result (the same checks
# labs/tools/selfcheck.sh makes).
#
# The bug zoo (LAB "zoo", labs/zoo/) is the whole working tree with one
# bug's ZOO regions replaced by their broken code (labs/tools/zoo.awk);
# every other handout gets the correct code of every bug.  The zoo's
# answer key (labs/zoo/KEY.md, labs/zoo/bugs) is never handed out.
#
# usage: handout.sh LAB OUTDIR        (LAB: the lab's number, e.g. 4)
#        handout.sh zoo OUTDIR BUG    (BUG: a name of labs/zoo/bugs)
set -euo pipefail

lab=${1:?usage: handout.sh LAB OUTDIR [BUG]}
out=${2:?usage: handout.sh LAB OUTDIR [BUG]}
bug=${3:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$lab" = zoo ]; then
	labdir=zoo
	[ -n "$bug" ] && awk -v b="$bug" '$1 == b { f = 1 } END { exit !f }' \
		"$top/labs/zoo/bugs" ||
		{ echo "handout.sh: zoo: BUG= one of:" \
			"$(awk '/^[^#]/ { printf " %s", $1 }' "$top/labs/zoo/bugs")" >&2
		  exit 2; }
else
	labdir=$(cd "$top/labs" && ls -d "$lab"-* 2>/dev/null | head -n1)
	[ -n "$labdir" ] || { echo "handout.sh: no labs/$lab-* folder" >&2; exit 2; }
	[ -z "$bug" ] || { echo "handout.sh: BUG is for the zoo only" >&2; exit 2; }
fi
[ ! -e "$out" ] || [ -z "$(ls -A "$out")" ] ||
	{ echo "handout.sh: $out exists and is not empty" >&2; exit 2; }
mkdir -p "$out"

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cd "$top"
git ls-files | while IFS= read -r f; do
	case $f in
	labs/README.md | labs/zoo/KEY.md | labs/zoo/bugs) continue ;;
	labs/[0-9]*-*/* | labs/zoo/*)
		[ "${f#labs/"$labdir"/}" != "$f" ] || continue ;;
	esac
	mkdir -p "$out/$(dirname "$f")"
	# The tools name the markers they handle: copied as they are.
	case $f in labs/tools/*)
		cp -p "$f" "$out/$f"; continue ;;
	esac
	if [ "$f" = "labs/$labdir/answers.md" ]; then
		# The model answers stay here: the student gets the headings.
		awk '/^## / { h = 1; print; print ""; next } !h' "$f" >"$out/$f"
		continue
	fi
	zoo=no lab_=no
	grep -qE 'ZOO BEGIN ' "$f" 2>/dev/null && zoo=yes
	grep -qE 'LAB[0-9]+ BEGIN ' "$f" 2>/dev/null && lab_=yes
	if [ $zoo = no ] && [ $lab_ = no ]; then
		cp -p "$f" "$out/$f"
		continue
	fi
	# The zoo's regions first: they may sit inside a lab's solution.
	if [ $zoo = yes ]; then
		awk -v bug="$bug" -f labs/tools/zoo.awk "$f" >"$tmp"
	else
		cp "$f" "$tmp"
	fi
	awk -v lab="$lab" -f labs/tools/strip.awk "$tmp" >"$out/$f"
	chmod --reference="$f" "$out/$f"
done

"$top/labs/tools/leftovers.sh" "$lab" "$top" "$out" "$bug"

cd "$out"
git init -q
git add -A
if [ "$lab" = zoo ]; then what="Bug zoo"; else what="Lab $lab starter"; fi
git -c user.name="ipcchan labs" -c user.email=labs@ipcchan.invalid \
	commit -q -m "$what"
echo "handout.sh: ${bug:+zoo (}${bug:-lab $lab}${bug:+)} in $out ($(git ls-files | wc -l) files, one commit)"
