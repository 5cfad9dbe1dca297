#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the debug kernel for `make check-debug` from Debian's
# linux-source-6.1: tinyconfig + tests/debug/debug.config.  The tree and its
# bzImage are cached outside the repository, keyed on the config fragment
# and the source tarball, so later runs reuse them.  Prints the tree path.
#
# usage: build-kernel.sh CACHE_ROOT [TARBALL]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$1
tarball=${2:-/usr/src/linux-source-6.1.tar.xz}
key=$( (cat "$here/debug.config"; stat -c '%s %Y' "$tarball") |
	sha256sum | cut -c1-16)
dir=$root/debug-$key
tree=$dir/linux-source-6.1

if [ -f "$dir/.built" ]; then
	echo "$tree"
	exit 0
fi
mkdir -p "$dir"
start=$(date +%s)
if [ ! -f "$dir/.extracted" ]; then
	rm -rf "$tree"
	echo "debug-kernel: extracting $tarball" >&2
	tar -xJf "$tarball" -C "$dir"
	touch "$dir/.extracted"
fi
cd "$tree"
{
	make -s ARCH=x86_64 tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$here/debug.config"
	make -s ARCH=x86_64 olddefconfig
	# Every line of the fragment must have survived olddefconfig.
	missing=0
	while read -r line; do
		case $line in CONFIG_*) ;; *) continue ;; esac
		grep -qx "$line" .config || { echo "debug-kernel: not set: $line"; missing=1; }
	done <"$here/debug.config"
	[ $missing -eq 0 ]
	echo "debug-kernel: building in $tree (takes 10-25 minutes on 2 cores)"
	make -s ARCH=x86_64 -j"$(nproc)" bzImage modules
} >&2
touch "$dir/.built"
echo "debug-kernel: built in $(( $(date +%s) - start )) s" >&2
echo "$tree"
