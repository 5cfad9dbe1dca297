#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make gdb`: attach gdb to the kernel of a VM started with make vm GDB=1
# (run.sh --gdb PORT: QEMU's gdb stub, KASLR off), with the module's
# symbols at the addresses the guest loaded it to.  The guest's /init and
# `reload` write those (/sys/module/ipcchan/sections/*) into
# CACHE/vm/gdb-PORT/module through a 9p share; this waits for that file.
#
# Symbols: the module's come from the ipcchan.ko that was loaded (the
# staged copy, or the shared tree's after a reload), with its debug
# information: break on ipcchan functions, list their source, print their
# variables.  The kernel's own need Debian's vmlinux with debug information
# (linux-image-<release>-dbg, about 1 GB, not installed by make deps): when
# /usr/lib/debug/boot/vmlinux-<release> or VMLINUX=file is there it is
# loaded too, otherwise kernel frames show as bare addresses.
# In gdb, `ipcchan-symbols` reloads the module's symbols after a reload.
#
# usage: gdb.sh --port N --stage DIR [--share DIR] [--kernel VMLINUZ]
#               [--wait S] [GDB-ARGUMENTS...]
#   GDB-ARGUMENTS  e.g. -batch -x script.gdb (make gdb GDB_ARGS='...')
set -u
port= stage= share= kernel= wait=600
while [ $# -gt 0 ]; do
	case $1 in
	--port) port=$2; shift 2 ;;
	--stage) stage=$2; shift 2 ;;
	--share) share=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--wait) wait=$2; shift 2 ;;
	--syms) syms=1; shift ;;
	*) break ;;
	esac
done
[ -n "$port" ] && [ -n "$stage" ] ||
	{ echo "usage: $0 --port N --stage DIR [--share DIR] [GDB-ARGS...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
dir=${IPCCHAN_CACHE:-$here/../../.cache}/vm/gdb-$port
command -v gdb >/dev/null || { echo "gdb.sh: gdb missing (make deps installs it)" >&2; exit 2; }

# symbols: write $dir/symbols.gdb from $dir/module
symbols() {
	local ko guest
	guest=$(sed -n 's/^ko //p' "$dir/module")
	case $guest in
	/opt/ipcchan/*) ko=$stage/${guest#/opt/ipcchan/} ;;
	/src/*) ko=${share:-.}/${guest#/src/} ;;
	*) ko=$guest ;;
	esac
	[ -r "$ko" ] || { echo "gdb.sh: the guest loaded $guest: no $ko here" >&2; return 1; }
	{
		echo "symbol-file"
		[ -z "$vmlinux" ] || echo "symbol-file $vmlinux"
		awk -v ko="$ko" '
		$1 == ".text" { text = $2 }
		$1 ~ /^\.(data|bss|rodata|exit\.text|text\.|data\.|rodata\.)/ && $1 !~ /^\.init/ {
			more = more " -s " $1 " " $2
		}
		END { print "add-symbol-file " ko " " text more }' "$dir/module"
	} >"$dir/symbols.gdb"
	echo "gdb.sh: the module's symbols from $ko at .text $(awk '$1 == ".text" { print $2 }' "$dir/module")" >&2
}

vmlinux=${VMLINUX:-}
if [ -z "$vmlinux" ] && [ -n "$kernel" ]; then
	rel=$("$here/kernel-release.sh" "$kernel" 2>/dev/null)
	[ -r "/usr/lib/debug/boot/vmlinux-$rel" ] && vmlinux=/usr/lib/debug/boot/vmlinux-$rel
fi

if [ "${syms:-0}" = 1 ]; then
	symbols
	exit
fi

if [ ! -f "$dir/module" ]; then
	echo "gdb.sh: waiting for a VM with its gdb stub on port $port (make vm GDB=1 in another terminal)" >&2
	i=0
	while [ ! -f "$dir/module" ] && [ $i -lt $((wait * 5)) ]; do
		sleep 0.2
		i=$((i + 1))
	done
	[ -f "$dir/module" ] || { echo "gdb.sh: no VM reported its module within ${wait}s" >&2; exit 1; }
fi
symbols || exit 1
[ -n "$vmlinux" ] ||
	echo "gdb.sh: no vmlinux with debug information (linux-image-$rel-dbg): the kernel's own frames are bare addresses" >&2

shargs=(--port "$port" --stage "$stage")
[ -z "$share" ] || shargs+=(--share "$share")
[ -z "$kernel" ] || shargs+=(--kernel "$kernel")
cat >"$dir/init.gdb" <<GDB
set pagination off
set confirm off
set architecture i386:x86-64
target remote 127.0.0.1:$port
source $dir/symbols.gdb
define ipcchan-symbols
  shell $here/gdb.sh ${shargs[*]} --syms
  source $dir/symbols.gdb
end
document ipcchan-symbols
Load the ipcchan module's symbols again, where the guest's last reload put it.
end
GDB
exec gdb -q -x "$dir/init.gdb" "$@"
