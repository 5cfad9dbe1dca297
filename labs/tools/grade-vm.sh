#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make grade` (labs/tools/grade.sh boots the VM with it):
# run the kselftest cases a lab's rubric names, one program at a time, and
# write one line per check to /xfer/grade.txt:
#
#	<group> <test> ok|fail|skip
#
# Busybox sh compatible.  The kernel log and the unload are judged by the
# VM's /init after this script (run.sh's exit status), not here.
#
# usage: grade-vm.sh RUBRIC [GROUP] [SECONDS]
#   RUBRIC   the lab's rubric file (see labs/README.md for its format)
#   GROUP    only this group's checks
#   SECONDS  each program's timeout (default 90 s under TCG, 30 s under
#            KVM: TCG runs the guest several times slower)
case ${IPCCHAN_VM_ACCEL:-tcg} in kvm) dflt=30 ;; *) dflt=90 ;; esac
rubric=$1 only=$2 limit=${3:-$dflt}
tests=/opt/ipcchan/tests
out=/xfer/grade.txt
: >"$out"

# The programs to run, in rubric order, each once with all its tests.
progs=$(sed -e 's/|.*//' -e '/^[[:space:]]*#/d' "$rubric" |
	awk -v g="$only" 'NF >= 4 && $3 != "-" && $3 != "host" && (g == "" || $1 == g) \
		{ if (!seen[$3]++) print $3 }')
for prog in $progs; do
	args=$(sed -e 's/|.*//' -e '/^[[:space:]]*#/d' "$rubric" |
		awk -v p="$prog" -v g="$only" \
			'$3 == p && (g == "" || $1 == g) { printf " -r %s", $4 }')
	echo "# grade: $prog$args"
	# shellcheck disable=SC2086
	(cd "$tests" && timeout "$limit" "./$prog" $args) >/tmp/grade.log 2>&1
	cat /tmp/grade.log
	sed -e 's/|.*//' -e '/^[[:space:]]*#/d' "$rubric" |
	awk -v p="$prog" -v g="$only" '$3 == p && (g == "" || $1 == g) \
		{ print $1, $4 }' |
	while read -r group test; do
		if grep -qE "^ok [0-9]+ $test( |$).*# *[Ss][Kk][Ii][Pp]" /tmp/grade.log; then
			r=skip
		elif grep -qE "^ok [0-9]+ $test( |$)" /tmp/grade.log; then
			r=ok
		else
			r=fail
		fi
		echo "$group $test $r" >>"$out"
	done
done
echo "# grade: $(grep -c ' ok$' "$out") of $(wc -l <"$out") checks passed"
exit 0
