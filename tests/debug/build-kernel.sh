#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) a kernel for the test VM from a Debian linux-source tarball:
# tinyconfig + fragments,
#
#   tests/vm/vm.config        what the VM needs to boot and run its /init
#   tests/config              what the tests need
#   tests/debug/debug.config  the checkers (KASAN, UBSAN, lockdep, kmemleak, ...)
#   tests/debug/kcsan.config  with --kcsan: KCSAN instead of KASAN
#
# or, with --no-checkers, only the first two: the smallest kernel the suite
# should pass in, which shows that tests/config is complete.  Every line of
# the fragments must survive olddefconfig, unless a later fragment names
# the same option.  The tree and its bzImage are cached outside the
# repository, keyed on the fragments and the tarball, so later runs reuse
# them.  Prints the tree's path.
#
# usage: build-kernel.sh [--no-checkers|--kcsan] CACHE_ROOT [TARBALL]
#   TARBALL defaults to the newest /usr/src/linux-source-*.tar.xz; its top
#   directory is the tarball's name without the .tar.* suffix.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tests=$(dirname "$here")
kind=debug
case ${1:-} in
--no-checkers) kind=tiny; shift ;;
--kcsan) kind=kcsan; shift ;;
esac
[ $# -ge 1 ] && [ $# -le 2 ] ||
	{ echo "usage: $0 [--no-checkers|--kcsan] CACHE_ROOT [TARBALL]" >&2; exit 2; }
root=$1
tarball=${2:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)}
[ -r "$tarball" ] ||
	{ echo "debug-kernel: no kernel source tarball (make deps installs linux-source)" >&2; exit 1; }
top=$(basename "$tarball")
top=${top%.tar.*}

fragments="$tests/vm/vm.config $tests/config"
[ $kind = tiny ] || fragments="$fragments $here/debug.config"
[ $kind != kcsan ] || fragments="$fragments $here/kcsan.config"
# The key is what the fragments ask for together, not how they word or
# split it: comments and moved lines do not cost a rebuild.
# shellcheck disable=SC2086
key=$( (grep -h -e '^CONFIG_' -e '^# CONFIG_.* is not set$' $fragments | sort -u
	echo "$tarball"; stat -c '%s %Y' "$tarball") | sha256sum | cut -c1-16)
dir=$root/$kind-$key
tree=$dir/$top

if [ -f "$dir/.built" ]; then
	echo "$tree"
	exit 0
fi
mkdir -p "$dir"
start=$(date +%s)
if [ ! -f "$dir/.extracted" ]; then
	rm -rf "$tree"
	echo "debug-kernel: extracting $tarball" >&2
	tar -xf "$tarball" -C "$dir"
	[ -d "$tree" ] ||
		{ echo "debug-kernel: $tarball has no $top/ directory" >&2; exit 1; }
	touch "$dir/.extracted"
fi
cd "$tree"
{
	make -s ARCH=x86_64 tinyconfig
	# shellcheck disable=SC2086
	scripts/kconfig/merge_config.sh -m .config $fragments
	make -s ARCH=x86_64 olddefconfig
	# Every line of every fragment must have survived olddefconfig, but
	# for the options a later fragment sets again.
	missing=0 later='' seen=''
	for frag in $fragments; do
		later="$frag $later"
	done
	for frag in $later; do
		while read -r line; do
			case $line in
			CONFIG_*)
				sym=${line%%=*} ;;
			"# CONFIG_"*" is not set")
				sym=${line#\# }
				sym=${sym%% *} ;;
			*)
				continue ;;
			esac
			case " $seen " in *" $sym "*) continue ;; esac
			seen="$seen $sym"
			case $line in
			CONFIG_*)
				grep -qx "$line" .config && continue ;;
			*)
				grep -q "^$sym=" .config || continue ;;
			esac
			echo "debug-kernel: ${frag#"$tests"/}: not set: $line"
			missing=1
		done <"$frag"
	done
	[ $missing -eq 0 ]
	echo "debug-kernel: building in $tree (on 2 cores: 5-10 minutes, 3 without the checkers)"
	make -s ARCH=x86_64 -j"$(nproc)" bzImage modules
} >&2
touch "$dir/.built"
echo "debug-kernel: built in $(( $(date +%s) - start )) s" >&2
echo "$tree"
