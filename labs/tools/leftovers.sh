#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check a lab's student repository for what must not be in it: any lab or
# bug-zoo marker, any line of the lab's solutions (a line inside one of its
# regions that appears nowhere else in the original file), and any line of
# the model answers in the lab's answers.md.  For the zoo (LAB "zoo" and a
# BUG), the solution is the bug's correct code: none of its lines may be
# left unless the broken code has it too.  Prints each
# leftover; exits 1 if there is any.
#
# usage: leftovers.sh LAB TOP HANDOUT [BUG]
set -euo pipefail
lab=$1 top=$2 out=$3 bug=${4:-}
bad=0

# The tools (labs/tools/) name the markers they handle.
if (cd "$out" && grep -rnE 'LAB[0-9]+ (BEGIN|STUB|END) |ZOO (BEGIN|BROKEN|END) ' \
	. --exclude-dir=.git | grep -v '^\./labs/tools/'); then
	echo "leftovers: lab or zoo markers above are in the handout" >&2
	bad=1
fi

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cd "$top"
for f in $(git grep -lE "LAB$lab BEGIN " -- ':!labs/tools/'); do
	[ -e "$out/$f" ] || continue	# not handed out (this guide's example)
	# Solution lines: inside the lab's regions, before STUB or END, and
	# not also a line of the starting code (a STUB line) or of the rest.
	awk -v lab="$lab" '
		$0 ~ ("LAB" lab " BEGIN ") { in_ = 1; next }
		in_ && $0 ~ ("LAB" lab " STUB ") { in_ = 0; stub = 1; next }
		$0 ~ ("LAB" lab " END ") { in_ = 0; stub = 0; next }
		stub { sub(/^[ \t]*\*?\t?/, ""); sub(/^[ \t]+/, ""); other[$0] = 1; next }
		{ sub(/^[ \t]+/, ""); if (in_) sol[$0] = 1; else other[$0] = 1 }
		END { for (l in sol) if (!(l in other) && length(l) > 3) print l }
	' "$f" >"$tmp"
	while IFS= read -r line; do
		if grep -qxF -- "$line" <(sed 's/^[ \t]*//' "$out/$f"); then
			echo "leftovers: $f still has the solution line: $line" >&2
			bad=1
		fi
	done <"$tmp"
done
# The model answers: no line of them may be in the student's answers.md.
for f in labs/"$lab"-*/answers.md; do
	[ -e "$f" ] && [ -e "$out/$f" ] || continue
	awk '/^## / { h = 1; next } h && length($0) > 3' "$f" >"$tmp"
	while IFS= read -r line; do
		if grep -qxF -- "$line" "$out/$f"; then
			echo "leftovers: $f still has the model answer line: $line" >&2
			bad=1
		fi
	done <"$tmp"
done

[ -n "$bug" ] || exit $bad
for f in $(git grep -lE "ZOO BEGIN $bug:" -- ':!labs/tools/'); do
	[ -e "$out/$f" ] || continue
	# The bug's correct lines: in its regions, before BROKEN or END.
	awk -v bug="$bug" '
		$0 ~ ("ZOO BEGIN " bug ":") { st = "ok"; next }
		st == "ok" && $0 ~ ("ZOO BROKEN " bug "($|[^A-Za-z0-9_.-])") { st = "br"; next }
		st != "" && $0 ~ ("ZOO END " bug "($|[^A-Za-z0-9_.-])") { st = ""; next }
		{
			l = $0
			if (st == "br") sub(/^[ \t]*\*\t/, "", l)
			sub(/^[ \t]+/, "", l)
			if (st == "ok") sol[l] = 1; else other[l] = 1
		}
		END { for (l in sol) if (!(l in other) && length(l) > 3 && l != "/*") print l }
	' "$f" >"$tmp"
	while IFS= read -r line; do
		if grep -qxF -- "$line" <(sed 's/^[ \t]*//' "$out/$f"); then
			echo "leftovers: $f still has the correct line: $line" >&2
			bad=1
		fi
	done <"$tmp"
done
exit $bad
