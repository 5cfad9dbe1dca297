#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install test (host): `make install` into a temporary DESTDIR, then build
# programs against the installed files with pkg-config, both with the
# shared and the static library, and check the shared library's soname and
# exported symbols.  TAP output.  Usage: install_test.sh <userspace dir>

src=${1:-$(dirname "$0")/..}
src=$(cd "$src" && pwd) || exit 1
CC=${CC:-cc}
MAKE=${MAKE:-make}
D=$(mktemp -d /tmp/ipcchan-install.XXXXXX) || exit 1
trap 'rm -rf "$D"' EXIT
prefix=/usr/local
n=0
fails=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n $1"; fails=$((fails + 1)); }
check() { name=$1; shift; if "$@" >"$D/log" 2>&1; then ok "$name"; else sed 's/^/#   /' "$D/log"; not_ok "$name"; fi; }

echo "TAP version 13"
check "make install" $MAKE -s -C "$src" install DESTDIR="$D/root" PREFIX=$prefix

R=$D/root$prefix
for f in lib/libipcchan.a lib/libipcchan.so.1.1.0 include/ipcchan.h \
	 include/linux/ipcchan.h lib/pkgconfig/ipcchan.pc bin/ipcchan; do
	check "installed $f" test -f "$R/$f"
done
check "link libipcchan.so.1" test "$(readlink "$R/lib/libipcchan.so.1")" = libipcchan.so.1.1.0
check "link libipcchan.so" test "$(readlink "$R/lib/libipcchan.so")" = libipcchan.so.1
check "soname" sh -c "readelf -d '$R/lib/libipcchan.so.1.1.0' | grep -q 'SONAME.*\[libipcchan.so.1\]'"

# Only ipcchan_* (and the version node) may be exported.
nm -D --defined-only "$R/lib/libipcchan.so.1.1.0" | awk '{ print $3 }' |
	sed 's/@.*//' | grep -v '^LIBIPCCHAN_' >"$D/syms"
if [ -s "$D/syms" ] && ! grep -qv '^ipcchan_' "$D/syms"; then
	ok "exports only ipcchan_* ($(wc -l <"$D/syms") symbols)"
else
	grep -v '^ipcchan_' "$D/syms" | sed 's/^/#   /'
	not_ok "exports only ipcchan_*"
fi
check "ipcchan_strerror in version node 1.1" sh -c \
	"nm -D --defined-only '$R/lib/libipcchan.so.1.1.0' | grep -q 'ipcchan_strerror@@LIBIPCCHAN_1.1'"
check "installed binary runs" "$R/bin/ipcchan" --version

export PKG_CONFIG_PATH="$R/lib/pkgconfig"
export PKG_CONFIG_LIBDIR="$R/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$D/root"
check "pkg-config version" test "$(pkg-config --modversion ipcchan)" = 1.1.0
cflags=$(pkg-config --cflags ipcchan)
libs=$(pkg-config --libs ipcchan)
slibs=$(pkg-config --static --libs ipcchan)
echo "# cflags: $cflags"
echo "# libs: $libs"

# The header stands alone, in C99 and C++.
printf '#include <ipcchan.h>\nint main(void) { return ipcchan_name_valid("x") ? 0 : 1; }\n' >"$D/hdr.c"
check "header alone, C99 pedantic" $CC -std=c99 -Wall -Wextra -Werror -pedantic $cflags -c "$D/hdr.c" -o "$D/hdr.o"
if command -v g++ >/dev/null 2>&1; then
	check "header alone, C++" g++ -x c++ -Wall -Wextra -Werror $cflags -c "$D/hdr.c" -o "$D/hdrxx.o"
fi

cat >"$D/probe.c" <<'PROBE'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <ipcchan.h>
int main(void)
{
	int fd = ipcchan_open("probe", NULL);

	printf("libipcchan %s, open: %s\n", ipcchan_lib_version(),
	       fd >= 0 ? "ok" : strerror(-fd));
	return strcmp(ipcchan_lib_version(), IPCCHAN_LIB_VERSION) ||
	       (fd < 0 && fd != -ENODEV && fd != -ENOENT);
}
PROBE
check "build shared" $CC -Wall -Werror $cflags "$D/probe.c" -o "$D/probe" $libs
check "shared: needs libipcchan.so.1" sh -c "readelf -d '$D/probe' | grep -q 'NEEDED.*libipcchan.so.1'"
check "shared: runs" env LD_LIBRARY_PATH="$R/lib" "$D/probe"
check "build static" $CC -static -Wall -Werror $cflags "$D/probe.c" -o "$D/probe-static" $slibs
check "static: no libipcchan.so" sh -c "! readelf -d '$D/probe-static' 2>/dev/null | grep -q libipcchan"
check "static: runs" "$D/probe-static"

for ex in "$src"/examples/*.c; do
	ex_name=$(basename "$ex" .c)
	check "example $ex_name (shared)" $CC -Wall -Werror $cflags "$ex" -o "$D/$ex_name" $libs
	check "example $ex_name (static)" $CC -static -Wall -Werror $cflags "$ex" -o "$D/$ex_name-static" $slibs
done

echo "1..$n"
[ $fails -eq 0 ]
