#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The checker lanes, `make check-debug` and `make check-kcsan`, after
# `make deps`.  Both build (once, cached in CACHE_ROOT, keyed on the
# fragments) a kernel of tinyconfig + tests/vm/vm.config + tests/config +
# the checkers (build-kernel.sh), build and stage the tools and tests
# (make all stage), rebuild the module against that kernel in
# WORK/LANE-mod with KCFLAGS, stage it in a copy STAGE-LANE, and run the
# tests in the VM with the long profile's environment (ENV).  The console
# goes to BUILD/check-LANE.log; the last line is tests/summary.sh's, whose
# exit status this returns.
#
# debug  KASAN, UBSAN, lockdep, kmemleak, DEBUG_LIST, ...
#        (tests/debug/debug.config): every test, with panic_on_warn, then a
#        kmemleak scan after unload.  The console is quiet (loglevel=2), so
#        a checker's report that panics would be lost: panic_print=0x20
#        replays the whole kernel log on the way down.
# kcsan  KCSAN, the data-race detector, instead of KASAN
#        (tests/debug/kcsan.config; the two cannot be combined), on the
#        tests that race: stress and fuzz (tests/debug/kcsan-tests.sh).
#        No panic_on_warn, so one run shows every race (each at most once
#        per 3 s); any "BUG: KCSAN" fails it through the dmesg scan, and
#        the reports are printed in full.
#
# LANE_CMD in the environment replaces the lane's command in the guest,
# e.g. one program: LANE_CMD='/opt/ipcchan/run-tests.sh -t 900 -f
# ipcchan_info_test' make check-debug (the bug zoo's KASAN hunt).
#
# UBSAN's alignment check is on for the module alone (KCFLAGS
# -fsanitize=alignment; tests/debug/debug.config says why not for the
# kernel).  Besides misaligned kernel loads and stores it reports a member
# access through a misaligned pointer, __user ones included, so the module
# finds the fields of user structs by offset (the fuzz test passes
# misaligned ones on purpose).
#
# usage: tests/debug/lane.sh debug|kcsan CACHE_ROOT TARBALL WORK STAGE BUILD \
#            LOADER KCFLAGS ENV
#   CACHE_ROOT  where the kernels are cached (/var/tmp/ipcchan-cache)
#   TARBALL     Debian's linux-source-*.tar.xz
#   WORK        where the module is rebuilt (WORK/debug-mod, WORK/kcsan-mod)
#   STAGE       the staged tree of `make stage`, copied to STAGE-LANE
#   BUILD       where the console log goes
#   LOADER      run.sh --loader (insmod or cli)
#   KCFLAGS     KCFLAGS for the module build (may be empty)
#   ENV         the tests' environment, 'K=V ...' (may be empty)
set -u
[ $# -eq 9 ] || {
	echo "usage: $0 debug|kcsan CACHE_ROOT TARBALL WORK STAGE BUILD LOADER KCFLAGS ENV" >&2
	exit 2
}
lane=$1 cache=$2 tarball=$3 work=$4 stage=$5 build=$6 loader=$7
kcflags=$8 env=$9
# The debug lane leaves out lab 1's tests: they run the student's
# pingpong over pipes, POSIX mq and memfd (not in this tinyconfig kernel),
# never the module.
case $lane in
debug)	kflags=() append="panic_on_warn=1 panic_print=0x20 kmemleak=on"
	timeout=4000 cmd="/opt/ipcchan/run-tests.sh -t 3600 -x lab1_" ;;
kcsan)	kflags=(--kcsan) append="kmemleak=on"
	timeout=2400 cmd="kcsan-tests.sh 1800" ;;
*)	echo "$0: no lane '$lane' (debug, kcsan)" >&2; exit 2 ;;
esac
cmd=${LANE_CMD:-$cmd}
cd "$(dirname "$0")/../.."
mod=$work/$lane-mod log=$build/check-$lane.log
start=$(date +%s)
rm -f "$log"
tree=$(tests/debug/build-kernel.sh "${kflags[@]}" "$cache" "$tarball") &&
make --no-print-directory all stage &&
rm -rf "$mod" "$stage-$lane" && mkdir -p "$mod" &&
cp -r Kbuild kmod include "$mod/" &&
make -s -C "$tree" M="$mod" clean &&
make -C "$tree" M="$mod" KCFLAGS="$kcflags" modules &&
cp -r "$stage" "$stage-$lane" &&
cp "$mod/kmod/ipcchan.ko" "$stage-$lane/" &&
if [ "$lane" = kcsan ]; then
	cp tests/debug/kcsan-tests.sh "$stage-$lane/bin/"
fi &&
tests/vm/run.sh --kernel "$tree/arch/x86/boot/bzImage" \
	--stage "$stage-$lane" --loader "$loader" --kmemleak \
	--append "$append" --env "$env" --timeout "$timeout" --log "$log" \
	-- $cmd
rc=$?
echo "check-$lane: $(( $(date +%s) - start )) s, VM exit status $rc"
: >"$build/empty.log"
exec tests/summary.sh "$build/empty.log" "$log" $rc
