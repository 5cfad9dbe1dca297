#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The instructor's self-check of every lab (make labs-check, part of
# make check).  For each labs/N-name/ with a rubric:
#  1. the reference (this tree) gets full marks from make grade;
#  2. the student repository (labs/tools/handout.sh into build/labs/N)
#     holds no marker and no solution line, builds without a warning,
#     loads and unloads with a clean kernel log, and scores exactly the
#     starting score its rubric states ("# start: N/M").
# Exits non-zero on the first lab that fails.  Extra arguments (KERNEL=...)
# are passed to make.
#
# usage: selfcheck.sh [MAKE-VARIABLE=VALUE...]
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/labs
mkdir -p "$out"
fail() { echo "labs-check: $*" >&2; exit 1; }

score_of() { sed -n 's/^Score: //p' "$1" | tail -n1; }

for rubric in "$top"/labs/[0-9]*-*/rubric; do
	dir=$(dirname "$rubric") name=$(basename "$(dirname "$rubric")")
	lab=${name%%-*}
	# A student repository has the lab's regions stripped: nothing to check.
	if ! git -C "$top" grep -qE "LAB$lab BEGIN " -- \
		':!labs/tools/strip.awk' ':!labs/README.md'; then
		echo "labs-check: $name: no LAB$lab regions (a student repository): skipped"
		continue
	fi
	start=$(sed -n 's|^# start: *\([0-9]*/[0-9]*\).*|\1|p' "$rubric")
	[ -n "$start" ] || fail "$name: the rubric states no '# start: N/M'"

	echo "labs-check: $name: the reference"
	t0=$SECONDS
	make -s --no-print-directory -C "$dir" grade "$@" \
		>"$out/$name-reference.log" 2>&1 || true
	tref=$((SECONDS - t0))
	ref=$(score_of "$out/$name-reference.log")
	max=${ref#*/}
	[ -n "$ref" ] && [ "${ref%/*}" = "$max" ] ||
		{ cat "$out/$name-reference.log"; fail "$name: reference scored '$ref'"; }

	echo "labs-check: $name: the handout"
	h=$out/handout-$lab
	rm -rf "$h"
	"$top/labs/tools/handout.sh" "$lab" "$h" >/dev/null
	# The caches the reference built (headers, kernels, VM images).
	mkdir -p "$h/.cache"
	for c in ksft kernels vm; do
		[ -e "$top/.cache/$c" ] && ln -s "$top/.cache/$c" "$h/.cache/$c"
	done
	make --no-print-directory -C "$h" all "$@" >"$out/$name-build.log" 2>&1 ||
		{ tail -n 30 "$out/$name-build.log"; fail "$name: the handout does not build"; }
	if grep -n 'warning:' "$out/$name-build.log"; then
		fail "$name: the handout builds with warnings ($out/$name-build.log)"
	fi
	t0=$SECONDS
	make -s --no-print-directory -C "$h/labs/$name" grade "$@" \
		>"$out/$name-handout.log" 2>&1 || true
	got=$(score_of "$out/$name-handout.log")
	grep -q '^kernel log: clean' "$out/$name-handout.log" ||
		{ cat "$out/$name-handout.log"; fail "$name: the handout's kernel log is not clean"; }
	grep -q '^kernel: OK' "$out/$name-handout.log" ||
		{ cat "$out/$name-handout.log"; fail "$name: the handout does not load and unload cleanly"; }
	[ "$got" = "$start" ] ||
		{ cat "$out/$name-handout.log"; fail "$name: the handout scored '$got', the rubric says $start"; }
	echo "labs-check: $name: reference $ref (graded in $tref s), handout $got (as documented, graded in $((SECONDS - t0)) s)"
done
