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
# Then the bug zoo (labs/zoo/, when its key labs/zoo/bugs is there):
#  3. the reference gets full marks from the zoo's rubric;
#  4. each bug's student repository (handout.sh zoo) holds no marker and
#     none of the bug's correct lines, builds without a warning, and fails
#     the rubric group labs/zoo/bugs names for it (make grade T=GROUP: one
#     VM boot with that group's tests only, none for a host check): a test
#     that fails or a VM that dies (a use-after-free may take the guest
#     down; the zoo's VM_TIMEOUT bounds a hang) is a caught bug.  The
#     variants share one build tree (build/labs/zoo): only the module is
#     rebuilt from one to the next.
# Exits non-zero on the first lab that fails.  Extra arguments (KERNEL=...)
# are passed to make.  LABS="4-driver zoo" (folder names) checks only those.
#
# usage: [LABS=...] selfcheck.sh [MAKE-VARIABLE=VALUE...]
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/labs
mkdir -p "$out"
fail() { echo "labs-check: $*" >&2; exit 1; }

score_of() { sed -n 's/^Score: //p' "$1" | tail -n1; }
want() { [ -z "${LABS:-}" ] || [[ " $LABS " == *" $1 "* ]]; }
# The caches the reference built (headers, kernels, VM images) in $1.
link_caches() {
	mkdir -p "$1/.cache"
	for c in ksft kernels vm; do
		[ -e "$top/.cache/$c" ] && ln -sfn "$top/.cache/$c" "$1/.cache/$c"
	done
	return 0
}

for rubric in "$top"/labs/[0-9]*-*/rubric; do
	dir=$(dirname "$rubric") name=$(basename "$(dirname "$rubric")")
	lab=${name%%-*}
	want "$name" || continue
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
	link_caches "$h"
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

# --- The bug zoo -----------------------------------------------------------
zoo=$top/labs/zoo
if [ -r "$zoo/bugs" ] && want zoo; then
	zstart=$(date +%s)
	echo "labs-check: zoo: the reference"
	make -s --no-print-directory -C "$zoo" grade "$@" \
		>"$out/zoo-reference.log" 2>&1 || true
	ref=$(score_of "$out/zoo-reference.log")
	[ -n "$ref" ] && [ "${ref%/*}" = "${ref#*/}" ] ||
		{ cat "$out/zoo-reference.log"; fail "zoo: reference scored '$ref'"; }
	echo "labs-check: zoo: reference $ref ($(( $(date +%s) - zstart )) s)"

	w=$out/zoo
	rm -rf "$w"
	grep -v '^#' "$zoo/bugs" | while read -r bug group how; do
		[ -n "$bug" ] || continue
		bstart=$(date +%s)
		h=$out/zoo-handout
		rm -rf "$h"
		"$top/labs/tools/handout.sh" zoo "$h" "$bug" >/dev/null ||
			fail "zoo: $bug: the handout failed"
		if [ ! -d "$w" ]; then
			cp -a "$h" "$w"
			link_caches "$w"
		else
			# Only the files that differ: make rebuilds the module only.
			(cd "$h" && git ls-files) | while IFS= read -r f; do
				cmp -s "$h/$f" "$w/$f" || cp -p "$h/$f" "$w/$f"
			done
		fi
		make --no-print-directory -C "$w" all "$@" \
			>"$out/zoo-$bug-build.log" 2>&1 ||
			{ tail -n 30 "$out/zoo-$bug-build.log"; fail "zoo: $bug does not build"; }
		if grep -n 'warning:' "$out/zoo-$bug-build.log"; then
			fail "zoo: $bug builds with warnings ($out/zoo-$bug-build.log)"
		fi
		make -s --no-print-directory -C "$w/labs/zoo" grade T="$group" "$@" \
			>"$out/zoo-$bug.log" 2>&1 || true
		if grep -q '^vm: FAILED' "$out/zoo-$bug.log"; then
			how="the VM died"
		elif grep -q "^$group: FAIL" "$out/zoo-$bug.log"; then
			how=$(sed -n 's/^    - \([^ ]*\) (.*/\1/p' "$out/zoo-$bug.log" |
			      paste -sd, -)" failed"
		else
			cat "$out/zoo-$bug.log"
			fail "zoo: $bug: group $group passes: the bug is not caught"
		fi
		echo "labs-check: zoo: $bug caught by $group ($how; $(( $(date +%s) - bstart )) s)"
	done
	echo "labs-check: zoo: every bug caught ($(( $(date +%s) - zstart )) s in all)"
fi
