#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Start the tree the VM gets under /opt/ipcchan (`make stage`): the module,
# the kselftest runners' wrapper, the tests as the kernel's own runners see
# them (ksft/: installed with run_kselftest.sh; ksft-tree/: the selftests
# tree, for `make run_tests`) and make itself.  The Makefile then installs
# the tests and the tools into it.
#
# usage: tests/vm/stage.sh STAGE MODULE INTREE
#   STAGE   the tree to (re)create
#   MODULE  ipcchan.ko
#   INTREE  what `make ksft-intree` left (its install/ and tree/)
set -eu
[ $# -eq 3 ] || { echo "usage: $0 STAGE MODULE INTREE" >&2; exit 2; }
stage=$1 kmod=$2 intree=$3
rm -rf "$stage"
mkdir -p "$stage/tests" "$stage/bin"
cp "$kmod" "$(dirname "$0")/ksft-runners.sh" "$stage/"
cp -a "$intree/install" "$stage/ksft"
cp -a "$intree/tree" "$stage/ksft-tree"
cp "$(command -v make)" "$stage/bin/"
# strace, for counting system calls in the guest (labs/1-baselines).
if command -v strace >/dev/null; then
	cp "$(command -v strace)" "$stage/bin/"
fi
