#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Check that tests/ also builds as a kernel selftest: copy it into
# tools/testing/selftests/ipcchan/ of an extracted linux-source-6.1 tree
# (the UAPI header as headers_install would provide it) and build it with
#   make -C tools/testing/selftests TARGETS=ipcchan
# usage: ksft-intree.sh LINUX_SOURCE_TARBALL WORKDIR
set -eu
tarball=$1 work=$2
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$work/linux-source-6.1

if [ ! -f "$tree/.stamp" ]; then
	mkdir -p "$work"
	tar -xJf "$tarball" -C "$work" \
		linux-source-6.1/scripts/subarch.include \
		linux-source-6.1/tools/testing/selftests/Makefile \
		linux-source-6.1/tools/testing/selftests/lib.mk \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest \
		linux-source-6.1/tools/testing/selftests/run_kselftest.sh \
		linux-source-6.1/tools/testing/selftests/gen_kselftest_tar.sh
	touch "$tree/.stamp"
fi
rm -rf "$tree/tools/testing/selftests/ipcchan"
mkdir -p "$tree/tools/testing/selftests/ipcchan"
cp "$top"/tests/Makefile "$top"/tests/*.c "$top"/tests/*.h \
	"$top"/tests/config "$top"/tests/settings \
	"$tree/tools/testing/selftests/ipcchan/"
# What `make headers_install` would put in usr/include for this header.
mkdir -p "$work/uapi/linux"
cp "$top/include/uapi/linux/ipcchan.h" "$work/uapi/linux/"
out=$work/out
rm -rf "$out"
make -C "$tree/tools/testing/selftests" TARGETS=ipcchan O="$out" \
	IPCCHAN_UAPI="$work/uapi"
n=$(find "$out" -type f -name 'ipcchan_*_test' | wc -l)
echo "ksft-intree: $n test programs built in $out"
[ "$n" -gt 0 ]
