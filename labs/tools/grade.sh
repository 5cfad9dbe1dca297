#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make grade` of a lab: boot the VM, run the checks the lab's rubric
# names (labs/tools/grade-vm.sh in the guest), and print one line per
# rubric group with its points, a hint for every failed check, the kernel
# log's verdict and "Score: N/M".  Exits 0 on full marks, 1 below, 2 on a
# usage error.  The top-level Makefile's lab-grade target builds first and
# passes the build's status and log.
#
# usage: grade.sh --lab DIR --stage DIR --build-status N --build-log F
#                 [--group G] [--json FILE] [--work DIR] -- RUN-COMMAND...
#   --lab DIR       the lab's folder (holds rubric)
#   --build-status  exit status of the build (non-zero: score 0, errors shown)
#   --build-log F   the build's output
#   --group G       grade only this rubric group
#   --json FILE     also write a Gradescope-style results file
#   --work DIR      where the VM's log and results go (default build/grade)
#   --stage DIR     the staged tree RUN-COMMAND boots (gets the rubric)
#   RUN-COMMAND     tests/vm/run.sh and its options, as make check runs it
#
# Rubric format (one check per line, '#' comments):
#   GROUP POINTS PROGRAM TEST | HINT
# PROGRAM TEST is a kselftest program and a test's full name
# (fixture.test); PROGRAM "-" with TEST "kernel-log" or "rmmod" is judged
# from the VM's console: no oops/WARN/BUG/KASAN/lockdep line, a clean unload;
# "- answers" from the lab's answers.md: every "## " question has an answer
# (a line of at least three words).  PROGRAM "host" with TEST NAME runs the
# lab's host-check.sh NAME on the host, in the repository's top directory
# (a check of the source, say): ok when it exits 0, its output is shown
# under the hint.  A grade with host checks only boots no VM.
set -uo pipefail

lab= stage= bstatus=0 blog= group= json= work=
while [ $# -gt 0 ]; do
	case $1 in
	--lab) lab=$2; shift 2 ;;
	--stage) stage=$2; shift 2 ;;
	--build-status) bstatus=$2; shift 2 ;;
	--build-log) blog=$2; shift 2 ;;
	--group) group=$2; shift 2 ;;
	--json) json=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "grade.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
rubric=$lab/rubric
[ -r "$rubric" ] || { echo "grade.sh: no rubric in '$lab'" >&2; exit 2; }
[ -n "$stage" ] || { echo "grade.sh: --stage is required" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
work=${work:-$here/../../build/grade}
mkdir -p "$work"
rm -f "$work/grade.txt" "$work/vm.log" "$work"/host-*.log

checks=$(sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$rubric" |
	 awk -v g="$group" 'g == "" || $1 == g')
[ -n "$checks" ] || { echo "grade.sh: no check in group '$group'" >&2; exit 2; }

# Host checks: run on the tree before the VM, each once, results in host.txt.
top=$(cd "$here/../.." && pwd)
: >"$work/host.txt"
for t in $(echo "$checks" | sed 's/|.*//' | awk '$3 == "host" && !seen[$4]++ { print $4 }'); do
	if (cd "$top" && "$lab/host-check.sh" "$t") >"$work/host-$t.log" 2>&1; then
		echo "$t ok" >>"$work/host.txt"
	else
		echo "$t fail" >>"$work/host.txt"
	fi
done

# Only host-side checks (T=answers, say): no VM to boot.
need_vm=$(echo "$checks" | awk '$3 != "host" && !($3 == "-" && $4 == "answers")')
vmrc=0
if [ "$bstatus" -eq 0 ] && [ -z "$need_vm" ]; then
	echo "grade: host checks only, no VM"
elif [ "$bstatus" -eq 0 ]; then
	mkdir -p "$stage/labs"
	cp "$rubric" "$stage/labs/rubric"
	cp "$here/grade-vm.sh" "$stage/labs/"
	echo "grade: booting the VM (the log is $work/vm.log)"
	"$@" --xfer "$work" --log "$work/vm.log" -- \
		"sh /opt/ipcchan/labs/grade-vm.sh /opt/ipcchan/labs/rubric '$group'" \
		>/dev/null 2>"$work/run.err"
	vmrc=$?
fi

# result PROGRAM TEST: ok, fail, skip or none (not run)
result() {
	local r
	if [ "$1" = host ]; then
		r=$(awk -v t="$2" '$1 == t { print $2 }' "$work/host.txt")
		echo "${r:-none}"
		return
	fi
	local prog=$1
	shift
	case $1 in
	answers)
		awk '/^## / { q++; a[q] = 0; next }
		     q && NF >= 3 { a[q] = 1 }
		     END { for (i = 1; i <= q; i++) if (!a[i]) exit 1; exit q == 0 }' \
			"$lab/answers.md" 2>/dev/null && echo ok || echo fail ;;
	kernel-log)
		if [ "$bstatus" -ne 0 ] || [ "$vmrc" -eq 3 ] || [ "$vmrc" -ge 124 ] ||
		   [ -z "$need_vm" ]; then
			echo none
		elif grep -q IPCCHAN-DMESG-BAD "$work/vm.log"; then
			echo fail
		else
			echo ok
		fi ;;
	rmmod)
		if [ "$bstatus" -ne 0 ] || [ "$vmrc" -eq 3 ] || [ "$vmrc" -ge 124 ] ||
		   [ -z "$need_vm" ]; then
			echo none
		elif grep -qE 'IPCCHAN-VM: (rmmod ipcchan failed|/dev/ipcchan still)' \
			"$work/vm.log"; then
			echo fail
		else
			echo ok
		fi ;;
	*)
		r=$(awk -v p="$prog" -v t="$1" '$2 == p && $3 == t { print $4; exit }' \
			"$work/grade.txt" 2>/dev/null)
		echo "${r:-none}" ;;
	esac
}

if [ "$bstatus" -ne 0 ]; then
	echo "build: FAILED (the compiler's messages, from $blog):"
	grep -E 'error|warning' "$blog" | head -n 20 | sed 's/^/    /'
elif [ "$vmrc" -eq 3 ]; then
	echo "load: FAILED: the module did not load (insmod's message is in $work/vm.log)"
elif [ "$vmrc" -ge 124 ]; then
	echo "vm: FAILED: the VM hung or died (status $vmrc): a kernel panic or a test"
	echo "    that never returned; the console is in $work/vm.log, its end:"
	grep -h '^run.sh:' "$work/run.err" 2>/dev/null | sed 's/^/    /'
	tail -n 30 "$work/vm.log" 2>/dev/null | tr -d '\r' | sed 's/^/    | /'
fi

score=0 max=0 tests_json=
for g in $(echo "$checks" | awk '!seen[$1]++ { print $1 }'); do
	gs=0 gm=0 hints=
	while IFS= read -r line; do
		pts=$(echo "$line" | awk '{ print $2 }')
		prog=$(echo "$line" | awk '{ print $3 }')
		test=$(echo "$line" | sed 's/|.*//' | awk '{ print $4 }')
		hint=$(echo "$line" | sed -n 's/^[^|]*|[[:space:]]*//p')
		gm=$((gm + pts))
		r=$(result "$prog" "$test")
		if [ "$r" = ok ]; then
			gs=$((gs + pts))
		else
			hints+="    - $test ($r): $hint"$'\n'
			if [ "$prog" = host ] && [ -s "$work/host-$test.log" ]; then
				hints+=$(sed 's/^/        /' "$work/host-$test.log")$'\n'
			fi
		fi
	done < <(echo "$checks" | awk -v g="$g" '$1 == g')
	score=$((score + gs)) max=$((max + gm))
	if [ "$gs" -eq "$gm" ]; then v=OK; else v=FAIL; fi
	printf '%s: %s (%d/%d)\n' "$g" "$v" "$gs" "$gm"
	printf '%s' "$hints"
	out=$(printf '%s' "$hints" | sed 's/\\/\\\\/g; s/"/\\"/g' | awk '{ printf "%s\\n", $0 }')
	tests_json+="${tests_json:+,}"$'\n'"    {\"name\": \"$g\", \"score\": $gs, \"max_score\": $gm, \"output\": \"$out\"}"
done

case $(result - kernel-log) in
ok) echo "kernel log: clean" ;;
fail) echo "kernel log: PROBLEM (lines after IPCCHAN-DMESG-BAD in $work/vm.log)" ;;
*) echo "kernel log: not checked (nothing ran)" ;;
esac
# An oops, BUG or WARN in the module: its frames as file:line.
[ -f "$work/vm.log" ] &&
	"$here/../../tests/vm/decode-oops.sh" "$work/vm.log" "$stage/ipcchan.ko"
echo "Score: $score/$max"
if [ -n "$json" ]; then
	printf '{\n  "score": %d,\n  "max_score": %d,\n  "tests": [%s\n  ]\n}\n' \
		"$score" "$max" "$tests_json" >"$json"
fi
[ "$score" -eq "$max" ]
