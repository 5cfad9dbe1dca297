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
# usage: handout.sh LAB OUTDIR     (LAB: the lab's number, e.g. 4)
set -euo pipefail

lab=${1:?usage: handout.sh LAB OUTDIR}
out=${2:?usage: handout.sh LAB OUTDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
labdir=$(cd "$top/labs" && ls -d "$lab"-* 2>/dev/null | head -n1)
[ -n "$labdir" ] || { echo "handout.sh: no labs/$lab-* folder" >&2; exit 2; }
[ ! -e "$out" ] || [ -z "$(ls -A "$out")" ] ||
	{ echo "handout.sh: $out exists and is not empty" >&2; exit 2; }
mkdir -p "$out"

cd "$top"
git ls-files | while IFS= read -r f; do
	case $f in
	labs/README.md) continue ;;
	labs/[0-9]*-*/*) [ "${f#labs/"$labdir"/}" != "$f" ] || continue ;;
	esac
	mkdir -p "$out/$(dirname "$f")"
	if [ "$f" = "labs/$labdir/answers.md" ]; then
		# The model answers stay here: the student gets the headings.
		awk '/^## / { h = 1; print; print ""; next } !h' "$f" >"$out/$f"
	elif grep -qE 'LAB[0-9]+ BEGIN ' "$f" 2>/dev/null &&
	   [ "$f" != labs/tools/strip.awk ]; then
		awk -v lab="$lab" -f labs/tools/strip.awk "$f" >"$out/$f"
		chmod --reference="$f" "$out/$f"
	else
		cp -p "$f" "$out/$f"
	fi
done

"$top/labs/tools/leftovers.sh" "$lab" "$top" "$out"

cd "$out"
git init -q
git add -A
git -c user.name="ipcchan labs" -c user.email=labs@ipcchan.invalid \
	commit -q -m "Lab $lab starter"
echo "handout.sh: lab $lab in $out ($(git ls-files | wc -l) files, one commit)"
