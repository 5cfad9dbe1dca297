#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make lint`: checkpatch --strict over the module's sources, then the
# module built with W=1 and sparse (C=2) against KDIR; any compiler or
# sparse warning fails it.  The build's output is kept in BUILD/lint.log.
#
# usage: scripts/lint.sh CHECKPATCH KDIR KREL BUILD FILE...
#   CHECKPATCH  checkpatch.pl (make ksft-headers unpacks it)
#   KDIR        the kernel build tree; KREL its release (for the message)
#   BUILD       where lint.log goes
#   FILE...     the sources checkpatch reads
set -eu
[ $# -ge 5 ] || { echo "usage: $0 CHECKPATCH KDIR KREL BUILD FILE..." >&2; exit 2; }
checkpatch=$1 kdir=$2 krel=$3 build=$4
shift 4
top=$(cd "$(dirname "$0")/.." && pwd)
echo "$checkpatch --strict --no-tree --terse --show-types -f $*"
"$checkpatch" --strict --no-tree --terse --show-types -f "$@"
mkdir -p "$build"
echo "lint: W=1 + sparse (C=2) against $krel"
make -s -C "$kdir" M="$top" W=1 C=2 modules 2>&1 |
	tee "$build/lint.log" | grep -v -e '^Skipping BTF' || true
if grep -E 'warning|error' "$build/lint.log"; then
	echo "lint: compiler or sparse warnings above" >&2
	exit 1
fi
echo "lint: clean"
