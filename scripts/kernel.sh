#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Resolve the kernel the module is built against and the VM boots, and
# print "KDIR VMLINUZ" (the headers tree and the bzImage) on one line.
#
#   kernel.sh [KERNEL]
#
# KERNEL empty (or "host"): the running kernel when its headers are
# installed, else the host release's own Debian kernel, which `make deps`
# installs (linux-image-amd64, linux-headers-amd64).
# KERNEL SERIES or SERIES-rt (6.1, 6.12, 6.12-rt, ...): Debian's kernel of
# that series (the PREEMPT_RT flavour with -rt), taken from the first
# archive that has it: the host's release, its backports, then the other
# supported releases (so 6.12 comes from bookworm-backports on Debian 12,
# 6.1 from bookworm on Debian 13).  When that is the host's own kernel the
# installed one is used; otherwise the image and the headers are downloaded
# with a private apt configuration (apt-get download; the host's sources,
# lists and installed kernels are not touched) and unpacked into
# $IPCCHAN_CACHE/kernels/KERNEL (default: <repo>/.cache), once.  The
# headers' compiler (gcc-NN) must be installed: as root this installs it
# from the host's own archive, otherwise it prints the command.
#
# Messages go to stderr; exit status 0 when the headers tree exists.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${IPCCHAN_CACHE:-$top/.cache}/kernels
want=${1:-host}
releases="bookworm trixie"

say() { echo "kernel: $*" >&2; }
die() { say "$*"; exit 1; }

# The host's own kernel: the running one when its build tree is there (a
# lab VM that boots Debian's kernel), else what linux-headers-amd64 points
# to (make deps installs it with linux-image-amd64).  The image need not be
# readable for a plain build; run.sh says so when a VM needs it.
host_kernel() {	# host_kernel [running]
	rel=$(uname -r)
	if [ "${1:-}" != running ] || [ ! -d "/lib/modules/$rel/build" ]; then
		rel=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		      sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
		[ -n "$rel" ] ||
			die "no headers for $(uname -r) and linux-headers-amd64 is not installed (make deps installs it)"
	fi
	for kdir in "/lib/modules/$rel/build" "/usr/src/linux-headers-$rel"; do
		[ -d "$kdir" ] && break
	done
	[ -d "$kdir" ] || die "no headers tree for $rel (/usr/src/linux-headers-$rel)"
	echo "$kdir /boot/vmlinuz-$rel"
}

host_series() {
	dpkg-query -W -f='${Version}' linux-headers-amd64 2>/dev/null |
		cut -d. -f1,2
}

case $want in
host|"") host_kernel running; exit ;;
*-rt) series=${want%-rt} flavour=rt-amd64 ;;
*) series=$want flavour=amd64 ;;
esac
case $series in
[0-9]*.[0-9]*) ;;
*) die "KERNEL='$want': expected host, SERIES or SERIES-rt (e.g. 6.1, 6.12, 6.12-rt)" ;;
esac
if [ $flavour = amd64 ] && [ "$(host_series)" = "$series" ]; then
	host_kernel
	exit
fi

# The headers build with the compiler Debian built the kernel with
# (CC = ... gcc-NN in .kernelvariables): install it when it is missing.
need_cc() {
	cc=$(sed -n 's/^CC = .*\(gcc-[0-9][0-9]*\).*/\1/p' "$1/.kernelvariables" 2>/dev/null)
	[ -z "$cc" ] || command -v "$cc" >/dev/null && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "these headers build with $cc: run as root: apt-get install $cc"
	say "installing $cc, the compiler of these headers"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$cc" >&2 ||
		die "cannot install $cc from the host's archive"
}

# The image package's modules `make vm` needs for its shared directory (9p
# over virtio, see tests/vm/run.sh --share), and their modules.dep (which
# the package leaves to depmod); the rest of the modules stays out of the
# cache.
vm_modules() {	# vm_modules DEB ROOT
	dpkg-deb --fsys-tarfile "$1" >"$2/image.tar"
	tar -tf "$2/image.tar" | grep -E \
		'^\./lib/modules/[^/]*/(modules\.(order|builtin|builtin\.modinfo)$|kernel/(net/9p|fs/9p|fs/netfs|fs/fscache|drivers/virtio)/)' \
		>"$2/image.list" || true
	tar -x -f "$2/image.tar" -C "$2" --no-recursion -T "$2/image.list"
	rm -f "$2/image.tar" "$2/image.list"
	for m in "$2"/lib/modules/*/kernel; do
		m=${m%/kernel}
		/sbin/depmod -b "$2" "${m##*/}" || die "depmod for ${m##*/} failed"
	done
}

dir=$cache/$want
modules_only=0
if [ -f "$dir/paths" ]; then
	read -r kdir img <"$dir/paths"
	if [ -d "$kdir" ] && [ -r "$img" ] &&
		[ -n "$(ls "$dir"/root/lib/modules/*/modules.dep 2>/dev/null)" ]; then
		need_cc "$kdir"
		echo "$kdir $img"
		exit 0
	fi
	# A cache from before the VM modules were kept: add them only, the
	# headers tree may be in use.
	[ -d "$kdir" ] && [ -r "$img" ] && modules_only=1
fi

# --- find the series in Debian's archive ------------------------------------
. /etc/os-release
mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' \
	/etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \([^ ]*\/debian\) .*/\1/p' \
	/etc/apt/sources.list 2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

suites="$VERSION_CODENAME $VERSION_CODENAME-backports"
for r in $releases; do
	[ "$r" = "$VERSION_CODENAME" ] || suites="$suites $r"
done

aptdir= pkgver=
for suite in $suites; do
	a=$cache/apt/$suite
	mkdir -p "$a/lists/partial" "$a/archives/partial"
	echo "deb [signed-by=$keyring] $mirror $suite main" >"$a/sources.list"
	: >"$a/status"
	set -- -o Dir::Etc::SourceList="$a/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$a/lists" -o Dir::State::status="$a/status" \
		-o Dir::Cache="$a" -o Dir::Cache::archives="$a/archives" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root
	if [ -z "$(find "$a/lists" -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
		say "reading the package list of $suite"
		apt-get -q "$@" update >"$a/update.log" 2>&1 ||
			{ say "apt-get update for $suite failed (see $a/update.log)"; continue; }
	fi
	v=$(apt-cache "$@" show "linux-image-$flavour" 2>/dev/null |
	    sed -n 's/^Version: //p' | sort -V | tail -n1)
	case $v in
	"$series".*) aptdir=$a pkgver=$v; break ;;
	esac
done
[ -n "$aptdir" ] || die "no Debian kernel $want (linux-image-$flavour $series.*) in: $suites"

adep() {	# adep PKG PREFIX APT-OPTIONS...: PKG's dependencies named PREFIX*
	p=$1 pre=$2
	shift 2
	apt-cache "$@" show "$p" 2>/dev/null | sed -n 's/^Depends: //p' |
		head -n1 | tr ',|' '\n\n' | sed 's/^ *//; s/ .*//' | grep "^$pre" || true
}

img_pkg=$(adep "linux-image-$flavour" linux-image- "$@" | head -n1)
hdr_pkg=$(adep "linux-headers-$flavour" linux-headers- "$@" | head -n1)
[ -n "$img_pkg" ] && [ -n "$hdr_pkg" ] || die "cannot resolve linux-image/headers-$flavour $pkgver"
more=$(adep "$hdr_pkg" linux-headers- "$@"; adep "$hdr_pkg" linux-kbuild- "$@")
rel=${hdr_pkg#linux-headers-}

if [ $modules_only = 1 ]; then
	say "fetching the VM's modules of $pkgver ($rel) into $dir"
	dl=$(mktemp -d "$dir/download.XXXXXX")
	(cd "$dl" && apt-get -q "$@" download "$img_pkg" >"$dir/download.log" 2>&1) ||
		{ rm -rf "$dl"; die "apt-get download failed (see $dir/download.log)"; }
	vm_modules "$dl"/*.deb "$dir/root"
	rm -rf "$dl"
	need_cc "$kdir"
	echo "$kdir $img"
	exit 0
fi

say "fetching Debian $pkgver ($rel) from ${aptdir##*/} into $dir"
rm -rf "$dir" && mkdir -p "$dir/root"
(cd "$aptdir/archives" && rm -f ./*.deb &&
	apt-get -q "$@" download "$img_pkg" "$hdr_pkg" $more >"$dir/download.log" 2>&1) ||
	die "apt-get download failed (see $dir/download.log)"
for deb in "$aptdir"/archives/*.deb; do
	case ${deb##*/} in
	linux-image-*)	# the bzImage and the VM's few modules
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/root" ./boot
		vm_modules "$deb" "$dir/root" ;;
	*)	dpkg-deb -x "$deb" "$dir/root" ;;
	esac
done
rm -f "$aptdir"/archives/*.deb

kdir=$dir/root/usr/src/linux-headers-$rel
img=$dir/root/boot/vmlinuz-$rel
[ -d "$kdir" ] && [ -r "$img" ] || die "unpacked packages lack $kdir or $img"
# The flavour's Makefile includes the common tree by its /usr/src path.
sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$kdir/Makefile"

need_cc "$kdir"
echo "$kdir $img" >"$dir/paths"
echo "$kdir $img"
