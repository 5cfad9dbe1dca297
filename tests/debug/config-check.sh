#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show that tests/config names everything the tests need: build (once) the
# smallest kernel, tinyconfig + tests/vm/vm.config + tests/config
# (build-kernel.sh --no-checkers), build the module against it, and run the
# whole VM suite in it.  Nothing may fail; what a missing option would
# break skips and says which option.  The exit status is run.sh's.
#
# usage: config-check.sh CACHE_ROOT STAGE LOG [TARBALL]
#   STAGE  the staged tree of `make stage` (its ipcchan.ko is replaced in a
#          copy, STAGE-tiny)
#   LOG    the VM console
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ $# -ge 3 ] && [ $# -le 4 ] ||
	{ echo "usage: $0 CACHE_ROOT STAGE LOG [TARBALL]" >&2; exit 2; }
cache=$1 stage=$2 log=$3
[ -f "$stage/ipcchan.ko" ] || { echo "config-check: no stage in $stage (make stage)" >&2; exit 2; }

tree=$("$here/build-kernel.sh" --no-checkers "$cache" ${4:+"$4"})
mod=$(mktemp -d)
trap 'rm -rf "$mod"' EXIT
cp -r "$top/Kbuild" "$top/kmod" "$top/include" "$mod/"
make -s -C "$tree" M="$mod" modules >&2
rm -rf "$stage-tiny"
cp -r "$stage" "$stage-tiny"
cp "$mod/kmod/ipcchan.ko" "$stage-tiny/"
"$top/tests/vm/run.sh" --kernel "$tree/arch/x86/boot/bzImage" \
	--stage "$stage-tiny" --loader cli --timeout 1500 --log "$log" \
	-- /opt/ipcchan/run-tests.sh
