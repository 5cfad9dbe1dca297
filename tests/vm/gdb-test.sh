#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make gdb, end to end: boot the VM with its gdb stub (run.sh --gdb), attach
# tests/vm/gdb.sh in batch mode, break on ipcchan_open, let the guest open
# /dev/ipcchan, and check that the breakpoint is hit in the module's
# source; then detach, and the VM must finish its command normally.
#
# usage: tests/vm/gdb-test.sh RUN...   (RUN: tests/vm/run.sh and its
#                                       options, with --stage DIR)
set -u
[ $# -gt 0 ] || { echo "usage: $0 RUN..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
stage= kernel=
args=("$@")
for ((i = 0; i < ${#args[@]} - 1; i++)); do
	case ${args[i]} in
	--stage) stage=${args[i + 1]} ;;
	--kernel) kernel=${args[i + 1]} ;;
	esac
done
[ -n "$stage" ] || { echo "gdb-test: RUN has no --stage" >&2; exit 2; }
port=$((20000 + RANDOM % 10000))
dir=${IPCCHAN_CACHE:-$here/../../.cache}/vm/gdb-$port
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The guest opens /dev/ipcchan once gdb says its breakpoint is set.
"$@" --gdb "$port" --timeout 600 -- '
	i=0
	while [ ! -e /run/ipcchan-gdb/go ] && [ $i -lt 3000 ]; do
		sleep 0.2; i=$((i + 1))
	done
	: </dev/ipcchan && echo GDB-TEST-OPENED' >"$tmp/vm.log" 2>&1 &
vm=$!

cat >"$tmp/test.gdb" <<GDB
break ipcchan_open
shell touch $dir/go
continue
bt 1
delete
detach
GDB
timeout 500 "$here/gdb.sh" --port "$port" --stage "$stage" --wait 400 \
	${kernel:+--kernel "$kernel"} -batch -x "$tmp/test.gdb" >"$tmp/gdb.log" 2>&1
grc=$?
wait "$vm"
vrc=$?
rm -rf "$dir"
cat "$tmp/gdb.log"
echo "gdb-test: gdb status $grc, VM status $vrc"
tail -n 5 "$tmp/vm.log"
grep -qE 'Breakpoint 1, ipcchan_open \(.*\) at .*kmod/main\.c:[0-9]+' "$tmp/gdb.log" ||
	{ echo "gdb-test: FAIL: the breakpoint on ipcchan_open was not hit"; exit 1; }
[ "$vrc" -eq 0 ] && grep -q GDB-TEST-OPENED "$tmp/vm.log" ||
	{ echo "gdb-test: FAIL: the VM did not finish after gdb detached"; exit 1; }
echo "gdb-test: PASS"
