#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build ipcchan.ko and the kselftests against YOUR kernel and run the suite
# in a virtme-ng (vng) VM that boots that kernel with the module loaded.
# vng shares the host's root filesystem read-only (copy-on-write) with the
# guest, so nothing is packed into an image; KVM is used when /dev/kvm is
# usable, TCG otherwise (about 1 min to boot and 1.5 min for the suite on
# 2 cores).  Needs virtme-ng, qemu-system-x86, make and a C compiler (plus
# busybox-static to boot a distribution kernel); not root (the tests run as
# root inside the guest).
#
# usage: tests/vm/vng.sh [options] [KERNEL_TREE] [-- VNG_ARGS...]
#
#   KERNEL_TREE  a built kernel tree (`vng --build`, or make; with O= give
#                the build directory): the module is built with KDIR=tree,
#                the tests with tree/tools/testing/selftests, and vng boots
#                tree/arch/x86/boot/bzImage.  `vng --build --config
#                tests/config` (run in the tree) adds what the tests need.
#   -k IMAGE     boot this kernel image instead (e.g. /boot/vmlinuz-VER);
#                with neither a tree nor -k: the running kernel's image
#   -H KDIR      the headers/build tree of IMAGE (default
#                /lib/modules/VER/build, VER read from the image)
#   -K DIR       tools/testing/selftests with lib.mk and the kselftest
#                harness (default: the tree's, else extracted once from
#                /usr/src/linux-source-X.Y.tar.xz of the image's series)
#   -o DIR       build directory (default .cache/vng/VER in the repo)
#   -f FILTER    run only the test programs whose name contains FILTER
#   -t SECONDS   per-program timeout (default: tests/settings)
#   -T SECONDS   whole-run limit for the VM (default 1800)
#   -m MEM       guest memory (default 2G)      -p N  guest vCPUs (default 2)
#   VNG_ARGS     passed to vng as they are, e.g. -- --verbose
#                KVM is used when QEMU can use /dev/kvm with -cpu host, else
#                TCG; IPCCHAN_ACCEL=tcg (or -- --disable-kvm) forces TCG,
#                IPCCHAN_ACCEL=kvm skips the check
#
# Examples:
#   tests/vm/vng.sh ~/src/linux
#   tests/vm/vng.sh -k /boot/vmlinuz-6.12.118+deb13-amd64
#
# Prints the runner's output and, last, "N passed, N failed, N skipped";
# exits 0 only when nothing failed.  A kernel log with a BUG, WARNING,
# lockdep or KASAN report (the patterns of tests/vm/init), or a module that
# does not unload, counts as one more failed test.  Pipe the output rather
# than redirecting vng's stdout to a file: vng's QEMU reopens it and
# overwrites the start.

# --- in the guest: load, run, check the kernel log, unload ---------------
if [ "${1:-}" = --guest ]; then
	stage=$2 filter=$3 tmo=$4
	BAD=$(cat "$stage/dmesg-bad.ere")
	log=/tmp/ipcchan-vng.log
	extra=0
	echo "vng-guest: $(uname -r), $(nproc) CPUs, up $(cut -d' ' -f1 /proc/uptime) s"
	n0=$(dmesg | wc -l)
	if ! insmod "$stage/ipcchan.ko"; then
		echo "vng-guest: cannot load $stage/ipcchan.ko"
		dmesg | tail -n 20
		exit 3
	fi
	set --
	[ "$filter" = - ] || set -- "$@" -f "$filter"
	[ "$tmo" = - ] || set -- "$@" -t "$tmo"
	IPCCHAN_KO=$stage/ipcchan.ko IPCCHAN_VM=1 \
		sh "$stage/run-tests.sh" -d "$stage/tests" "$@" 2>&1 | tee "$log"
	if grep -q '^ipcchan ' /proc/modules; then
		if ! rmmod ipcchan; then
			echo "not ok - rmmod ipcchan failed after the tests"
			extra=$((extra + 1))
		elif [ -e /dev/ipcchan ]; then
			echo "not ok - /dev/ipcchan still present after unload"
			extra=$((extra + 1))
		fi
	fi
	if dmesg | tail -n +$((n0 + 1)) | grep -E "$BAD" >/tmp/dmesg.bad; then
		echo "not ok - the kernel log shows a problem:"
		head -n 40 /tmp/dmesg.bad
		echo "# end of the kernel log:"
		dmesg | tail -n 60
		extra=$((extra + 1))
	fi
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n1)
	if [ -z "$line" ]; then
		echo "vng-guest: the runner printed no summary"
		exit 1
	fi
	# shellcheck disable=SC2086 # "P passed, F failed, S skipped"
	set -- $line
	f=$(($3 + extra))
	echo "IPCCHAN-VNG-RESULT: $1 passed, $f failed, $5 skipped"
	[ "$f" -eq 0 ]
	exit
fi

# --- on the host ----------------------------------------------------------
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
self=$here/$(basename "$0")

die() { echo "vng.sh: $*" >&2; exit 2; }
say() { echo "vng.sh: $*" >&2; }
usage() {
	sed -n '/^# usage:/,/^# Prints/{/^# Prints/d;s/^# \{0,1\}//;p;}' "$self" >&2
	exit 2
}

image='' kdir='' ksft='' out='' filter=- tmo=- limit=1800 mem=2G cpus=2
while getopts k:H:K:o:f:t:T:m:p:h opt; do
	case $opt in
	k) image=$OPTARG ;;
	H) kdir=$OPTARG ;;
	K) ksft=$OPTARG ;;
	o) out=$OPTARG ;;
	f) filter=$OPTARG ;;
	t) tmo=$OPTARG ;;
	T) limit=$OPTARG ;;
	m) mem=$OPTARG ;;
	p) cpus=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
# getopts has eaten a "--" before the tree; vng's arguments all start with -.
tree=
case ${1:-} in -*|'') ;; *) tree=$1; shift ;; esac
[ "${1:-}" != -- ] || shift
# What is left goes to vng.

case $filter in ''|*[!A-Za-z0-9_-]*) die "-f FILTER: letters, digits, _ and - only" ;; esac
case $tmo$limit in *[!0-9-]*) die "-t/-T take seconds" ;; esac

command -v vng >/dev/null ||
	die "vng not found: install virtme-ng (Debian 13+/Ubuntu 24.04+: apt install virtme-ng; else pip install virtme-ng)"
command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found: apt install qemu-system-x86"
if ! command -v make >/dev/null || ! command -v "${CC:-cc}" >/dev/null; then
	die "make and a C compiler are needed: apt install build-essential"
fi

release() { sh "$here/kernel-release.sh" "$1" 2>/dev/null || true; }

if [ -n "$tree" ]; then
	[ -z "$image" ] || die "give either KERNEL_TREE or -k IMAGE, not both"
	[ -d "$tree" ] || die "kernel tree '$tree' is not a directory"
	tree=$(cd "$tree" && pwd)
	[ -f "$tree/Makefile" ] || die "'$tree' is not a kernel tree (no Makefile)"
	image=$tree/arch/x86/boot/bzImage
	[ -f "$image" ] ||
		die "no $image: build the kernel first (in the tree: vng --build --config $top/tests/config)"
	[ -n "$kdir" ] || kdir=$tree
	if [ -z "$ksft" ]; then
		ksft=$tree/tools/testing/selftests
		[ -f "$ksft/lib.mk" ] || ksft=$tree/source/tools/testing/selftests
	fi
	vng_run=$tree
else
	if [ -z "$image" ]; then
		image=/boot/vmlinuz-$(uname -r)
		say "no kernel tree or -k IMAGE: using the running kernel, $image"
	fi
	[ -r "$image" ] || die "kernel image '$image' not readable"
	vng_run=$image
fi
image=$(cd "$(dirname "$image")" && pwd)/$(basename "$image")
ver=$(release "$image")
[ -n "$ver" ] || die "cannot read the kernel release from '$image' (not an x86 bzImage?)"

if [ -z "$kdir" ]; then
	kdir=/lib/modules/$ver/build
	[ -d "$kdir" ] ||
		die "no $kdir: install the headers of $ver (Debian: linux-headers-$ver) or pass -H KDIR"
fi
[ -d "$kdir" ] || die "KDIR '$kdir' is not a directory"
kdir=$(cd "$kdir" && pwd)
[ -f "$kdir/Module.symvers" ] || [ -x "$kdir/scripts/mod/modpost" ] ||
	die "KDIR $kdir is not prepared for modules (build the kernel, or make modules_prepare)"
if [ -f "$kdir/.config" ] && ! grep -q '^CONFIG_MODULES=y' "$kdir/.config"; then
	die "$kdir/.config has no CONFIG_MODULES=y: ipcchan is a module (vng --build --config $top/tests/config)"
fi
krel=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || true)
[ -z "$krel" ] || [ "$krel" = "$ver" ] ||
	die "KDIR $kdir is for $krel but $image is $ver: the module would not load"

[ -n "$out" ] || out=$top/.cache/vng/$ver
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$out/stage
case $stage in
*[!A-Za-z0-9_./+=-]*) die "build directory '$out': no spaces or quotes, please (-o)" ;;
esac
mkdir -p "$stage/tests"

# --- kselftest harness ----------------------------------------------------
if [ -z "$ksft" ]; then
	series=$(echo "$ver" | cut -d. -f1-2)
	tarball=/usr/src/linux-source-$series.tar.xz
	[ -r "$tarball" ] ||
		die "no kselftest harness for $ver: pass -K <kernel tree>/tools/testing/selftests, or install linux-source-$series (Debian)"
	ksft=$out/ksft-$series/tools/testing/selftests
	if [ ! -f "$out/ksft-$series/.stamp" ]; then
		say "extracting the kselftest harness from $tarball (once)"
		rm -rf "$out/ksft-$series"
		mkdir -p "$out/ksft-$series"
		p=linux-source-$series/tools/testing/selftests
		tar -xJf "$tarball" -C "$out/ksft-$series" --strip-components=1 \
			"$p/lib.mk" "$p/kselftest_harness.h" "$p/kselftest.h" "$p/kselftest"
		touch "$out/ksft-$series/.stamp"
	fi
fi
if [ ! -f "$ksft/lib.mk" ] || [ ! -f "$ksft/kselftest_harness.h" ]; then
	die "'$ksft' has no lib.mk and kselftest_harness.h (pass -K DIR)"
fi
ksft=$(cd "$ksft" && pwd)

# --- build ----------------------------------------------------------------
# The module builds in a copy of its sources, so the checkout's own
# kmod/*.o (built for another kernel by make) stay as they are.
say "building ipcchan.ko against $kdir ($ver)"
mkdir -p "$out/mod"
cp -p "$top/Kbuild" "$out/mod/"
cp -pR "$top/kmod" "$top/include" "$out/mod/"
make -C "$kdir" M="$out/mod" modules ||
	die "building ipcchan.ko against $kdir failed (see above)"
cp "$out/mod/kmod/ipcchan.ko" "$stage/ipcchan.ko"

say "building the tests with $ksft"
make -C "$top/tests" KSFT_DIR="$ksft" OUTPUT="$stage/tests" ||
	die "building the tests with $ksft failed (see above)"
cp "$top/tests/settings" "$stage/tests/"
cp "$here/run-tests.sh" "$here/dmesg-bad.ere" "$self" "$stage/"

# --- run ------------------------------------------------------------------
# The guest sees the host's / read-only, so the stage is there as it is,
# except under the directories vng hides behind a tmpfs: share it then.
case $stage in
/run/*) die "build directory $out: vng hides /run from the guest (-o)" ;;
/var/tmp/*|/var/log/*|/var/cache/*|/var/lib/apt/*|/var/lib/private/*)
	set -- --rodir "$stage" "$@" ;;
esac
set -- --run "$vng_run" --memory "$mem" --cpus "$cpus" "$@"
# KVM when /dev/kvm works with "-cpu host" (vng's choice); a restricted or
# nested host may have a /dev/kvm whose QEMU aborts on host MSRs: TCG then.
case " $* " in *" --disable-kvm "*) accel=tcg ;; *) accel=${IPCCHAN_ACCEL:-auto} ;; esac
if [ "$accel" = auto ]; then
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		if (echo quit | timeout 20 qemu-system-x86_64 -nodefaults \
			-display none -machine pc -accel kvm -cpu host -S \
			-monitor stdio) >/dev/null 2>&1; then
			accel=kvm
		else
			say "/dev/kvm is there but QEMU cannot use it with -cpu host"
		fi
	fi
fi
if [ "$accel" = tcg ]; then
	case " $* " in *" --disable-kvm "*) ;; *) set -- "$@" --disable-kvm ;; esac
	say "no KVM: the VM runs under TCG (slow: about 3 min on 2 cores)"
fi
log=$out/vng.log
say "booting $ver with vng (log: $log)"
start=$(date +%s)
# vng's QEMU writes the guest's output to /proc/self/fd/1: keep that a pipe.
{
	cd "$stage"
	rc=0
	timeout -k 10 "$limit" vng "$@" \
		--exec "sh $stage/vng.sh --guest $stage $filter $tmo" </dev/null 2>&1 || rc=$?
	echo "$rc" >"$out/vng.rc"
} | tee "$log"
rc=$(cat "$out/vng.rc")
say "vng exited $rc after $(($(date +%s) - start)) s"

line=$(sed -n 's/^IPCCHAN-VNG-RESULT: //p' "$log" | tr -d '\r' | tail -n1)
if [ -z "$line" ]; then
	[ "$rc" != 124 ] || say "the VM ran out of its $limit s (-T)"
	say "the VM gave no result (vng exit $rc); see $log"
	line=$(tr -d '\r' <"$log" | grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -n1)
	if [ -n "$line" ]; then
		# shellcheck disable=SC2086
		set -- $line
		echo "$1 passed, $(($3 + 1)) failed, $5 skipped"
	else
		echo "0 passed, 1 failed, 0 skipped"
	fi
	exit 1
fi
# shellcheck disable=SC2086
set -- $line
[ $(($1 + $3 + $5)) -gt 0 ] || say "no test ran (-f $filter matches none?)"
[ "$rc" -eq 0 ] || [ "$3" -ne 0 ] || say "vng exited $rc though no test failed"
echo "$line"
[ $(($1 + $3 + $5)) -gt 0 ] && [ "$3" -eq 0 ] && [ "$rc" -eq 0 ]
