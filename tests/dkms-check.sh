#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Check that dkms can add, build and remove ipcchan for kernel release $1
# (as a student's VM would with `dkms install`), against the headers in
# $2 when given (a kernel of the matrix unpacked into the cache, not
# installed under /lib/modules).  Needs root and dkms.
# usage: dkms-check.sh KERNEL_RELEASE [KERNEL_SOURCE_DIR]
set -eu
krel=$1 ksrc=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=/usr/src/ipcchan-$ver

cleanup() {
	dkms remove -m ipcchan -v "$ver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
}
trap cleanup EXIT
cleanup
mkdir -p "$src"
cp -r "$top/Kbuild" "$top/dkms.conf" "$top/kmod" "$top/include" "$src/"
find "$src" -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' |
	xargs rm -f
dkms add -m ipcchan -v "$ver"
dkms build -m ipcchan -v "$ver" -k "$krel" \
	${ksrc:+--kernelsourcedir "$ksrc"}
ko=$(find /var/lib/dkms/ipcchan/"$ver"/"$krel" -name 'ipcchan.ko*' | head -n1)
[ -n "$ko" ] || { echo "dkms-check: no module built" >&2; exit 1; }
/sbin/modinfo -F vermagic "$ko" | grep -q "^$krel " ||
	{ echo "dkms-check: wrong vermagic in $ko" >&2; exit 1; }
echo "dkms-check: ok: $ko built for $krel"
