#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Add up the host-side TAP log and the VM's run-tests.sh summary and print
# the closing line "N passed, N failed, N skipped"; exit non-zero when
# anything failed, including a VM that did not report (status $3 != 0).
# usage: summary.sh HOST_TAP_LOG VM_CONSOLE_LOG VM_STATUS
host=$1 vm=$2 rc=$3

hp=$(grep -cE '^ok [0-9]+' "$host" 2>/dev/null)
hs=$(grep -cE '^ok [0-9]+.*# *SKIP' "$host" 2>/dev/null)
hf=$(grep -cE '^not ok [0-9]+' "$host" 2>/dev/null)
# (an absent log counts as empty: grep -c prints nothing for it)
: "${hp:=0}" "${hs:=0}" "${hf:=0}"
hp=$((hp - hs))

line=$(grep -a 'IPCCHAN-SUMMARY:' "$vm" 2>/dev/null | tail -n1 | tr -d '\r')
vp=$(echo "$line" | sed -n 's/.*SUMMARY: \([0-9]*\) passed.*/\1/p')
vf=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
vs=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
: "${vp:=0}" "${vf:=0}" "${vs:=0}"
if [ -z "$line" ] && [ "$vf" -eq 0 ]; then
	echo "check: the VM printed no test summary (status $rc, console: $vm)"
	vf=1
elif [ "$rc" -ne 0 ] && [ "$vf" -eq 0 ]; then
	# The VM failed without a failing test: dmesg, rmmod, panic or timeout.
	echo "check: the VM run failed with status $rc (console: $vm)"
	vf=1
fi
echo "check: host $hp passed, $hf failed, $hs skipped; VM $vp passed, $vf failed, $vs skipped"
[ "$hf" -ne 0 ] || [ "$vf" -ne 0 ] && status=1 || status=0
[ "$status" -ne 0 ] && echo "check: FAILED"
echo "$((hp + vp)) passed, $((hf + vf)) failed, $((hs + vs)) skipped"
exit $status
