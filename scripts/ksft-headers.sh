#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unpack what the tests and `make lint` take from Debian's kernel source
# package (linux-source-6.1 or -6.12): the kselftest harness, lib.mk and
# runner, checkpatch with its data files, and faddr2line (for the oops
# decoder, tests/vm/decode-oops.sh) into DEST (as the kernel tree lays them
# out), then write DEST/.stamp with the tarball's name.
#
# usage: scripts/ksft-headers.sh TARBALL DEST
#   TARBALL  /usr/src/linux-source-*.tar.xz (`make deps` installs it)
#   DEST     where to unpack (the Makefile's $(CACHE)/ksft)
set -eu
[ $# -eq 2 ] || { echo "usage: $0 TARBALL DEST" >&2; exit 2; }
tar=$1 dest=$2
if [ ! -r "$tar" ]; then
	echo "no /usr/src/linux-source-*.tar.xz: make deps installs linux-source" >&2
	exit 1
fi
name=$(basename "$tar" .tar.xz)
files="tools/testing/selftests/lib.mk tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h tools/testing/selftests/kselftest
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	scripts/faddr2line"
mkdir -p "$dest"
echo "tar -xJf $tar -C $dest: $(echo $files)"
# shellcheck disable=SC2086 # one word per file
tar -xJf "$tar" -C "$dest" --strip-components=1 $(printf "$name/%s " $files)
echo "$name" >"$dest/.stamp"
