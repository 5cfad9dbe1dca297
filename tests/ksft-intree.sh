#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build tests/ as a kernel selftest and install it the kernel's way.
#
# Copies tests/ into tools/testing/selftests/ipcchan/ of a tree extracted
# from Debian's linux-source-* tarball (only the kselftest framework and
# what its Makefile includes; the UAPI header as headers_install would
# provide it), then
#   make -C tools/testing/selftests TARGETS=ipcchan O=OUT
#   make -C tools/testing/selftests TARGETS=ipcchan O=OUT install
# WORKDIR/tree holds linux/ (the selftests tree), out/ and uapi/, so the VM
# can run `make ... run_tests` there; WORKDIR/install is the installed
# suite with run_kselftest.sh and kselftest-list.txt.
# usage: ksft-intree.sh LINUX_SOURCE_TARBALL WORKDIR
set -eu
tarball=$1 work=$2
top=$(cd "$(dirname "$0")/.." && pwd)
name=$(basename "$tarball" .tar.xz)
tree=$work/tree/linux
sel=$tree/tools/testing/selftests

if [ "$(cat "$work/tree/.source" 2>/dev/null)" != "$name" ]; then
	rm -rf "$work/tree"
	mkdir -p "$tree"
	tar -xJf "$tarball" -C "$tree" --strip-components=1 \
		"$name/scripts/subarch.include" \
		"$name/tools/testing/selftests/Makefile" \
		"$name/tools/testing/selftests/lib.mk" \
		"$name/tools/testing/selftests/kselftest_harness.h" \
		"$name/tools/testing/selftests/kselftest.h" \
		"$name/tools/testing/selftests/kselftest" \
		"$name/tools/testing/selftests/run_kselftest.sh" \
		"$name/tools/testing/selftests/gen_kselftest_tar.sh"
	echo "$name" >"$work/tree/.source"
fi
rm -rf "$sel/ipcchan"
mkdir -p "$sel/ipcchan"
cp "$top"/tests/Makefile "$top"/tests/*.c "$top"/tests/*.h \
	"$top"/tests/config "$top"/tests/settings "$sel/ipcchan/"
for f in "$top"/tests/ipcchan_*.sh; do	# test scripts (TEST_PROGS), if any
	[ ! -f "$f" ] || cp "$f" "$sel/ipcchan/"
done
# What `make headers_install` would put in usr/include for this header.
mkdir -p "$work/tree/uapi/linux"
cp "$top/include/uapi/linux/ipcchan.h" "$work/tree/uapi/linux/"
out=$work/tree/out
rm -rf "$out" "$work/install"
make -C "$sel" TARGETS=ipcchan O="$out" IPCCHAN_UAPI="$work/tree/uapi"
make -s -C "$sel" TARGETS=ipcchan O="$out" IPCCHAN_UAPI="$work/tree/uapi" \
	KSFT_INSTALL_PATH="$work/install" install >/dev/null
n=$(find "$out" -type f -name 'ipcchan_*_test' | wc -l)
echo "ksft-intree: $n test programs built from $name in $out"
[ "$n" -gt 0 ]
[ -x "$work/install/run_kselftest.sh" ] &&
	grep -q '^ipcchan:' "$work/install/kselftest-list.txt" ||
	{ echo "ksft-intree: install made no run_kselftest.sh/list" >&2; exit 1; }
echo "ksft-intree: installed $(grep -c '^ipcchan:' "$work/install/kselftest-list.txt") tests with run_kselftest.sh in $work/install"
