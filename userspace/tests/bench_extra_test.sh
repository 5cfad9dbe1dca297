#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test of ipcchan-bench --pattern sweep and scale with the methods
# that need no module: option errors exit 2; a short sweep of the large
# methods and pipe writes sweep.csv and crossover.csv; scale 1x1 and 2x2
# writes scale.csv with every cell ok; without the module the 8x8 target
# is not judged; an injected lost message fails the run.  Speed is not
# asserted.
#
# usage: bench_extra_test.sh PATH_TO_IPCCHAN_BENCH
set -u
B=${1:-ipcchan-bench}
fail=0
no() { echo "not ok: $*"; fail=1; }

for bad in "--pattern nope" "--pattern pingpong,nope" "--scale-shapes 2x3" \
	   "--scale-shapes pairs9" "--scale-shapes idle1001" "--sweep-sizes 0"; do
	# shellcheck disable=SC2086
	"$B" $bad --list >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] || no "'$bad' exits $rc, want 2"
done

d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
"$B" --no-raise --methods memfd-scm,process-vm-writev,vmsplice,pipe \
	--pattern sweep --sweep-sizes 4K,64K --repeat 2 --time 0.03 \
	--out "$d/sw" >"$d/out" 2>"$d/err" || no "sweep run failed: $(tail -3 "$d/err")"
n=$(awk -F, 'NR > 1 && $1 != "memcpy" && $3 == "ok" && $5 > 0' "$d/sw/sweep.csv" | wc -l)
[ "$n" -eq 8 ] || no "sweep.csv: $n of 8 cells ok"
grep -q '^memfd-scm,pipe,65536,2,' "$d/sw/crossover.csv" ||
	no "crossover.csv lacks memfd-scm over pipe at 64 KiB in 2 rounds"
grep -q '^crossover: where mapping beats copying' "$d/out" ||
	no "no crossover section in the report"

"$B" --no-raise --methods pipe,unix-dgram --pattern scale \
	--scale-shapes 1x1,2x2,pairs2 --time 0.05 --out "$d/sc" \
	>"$d/out" 2>"$d/err" || no "scale run failed: $(grep FAILED "$d/err")"
n=$(awk -F, 'NR > 1 && $10 == "ok" && $12 > 0' "$d/sc/scale.csv" | wc -l)
[ "$n" -eq 6 ] || no "scale.csv: $n of 6 cells ok"
grep -q '^oversubscription: ' "$d/out" || no "no oversubscription line"

# Without the module ipcchan-ioctl skips: the 8x8 target is not run, so
# neither the table nor bench.json has it (not "failed").
"$B" --no-raise --methods ipcchan-ioctl,unix-dgram --pattern scale \
	--scale-shapes 8x8 --time 0.02 --out "$d/t8" >"$d/out8" 2>&1 ||
	no "8x8 run without the module failed"
if [ ! -c /dev/ipcchan ] &&
   { grep -q '^8x8 on one channel' "$d/out8" ||
     grep -q '"pattern": "scale"' "$d/t8/bench.json"; }; then
	no "the 8x8 target was judged with ipcchan-ioctl skipped"
fi

IPCCHAN_BENCH_SCALE_FAULT=lose "$B" --no-raise --methods pipe --pattern scale \
	--scale-shapes 2x2 --time 0.05 >/dev/null 2>"$d/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'FAILED: producer .* sent .* consumers got' "$d/err" ||
	no "a lost message did not fail scale 2x2 (exit $rc)"
# Every producer sends at least 64 messages, however short the time box
# (a slow kernel may first schedule a producer after the deadline): 8x8
# moves at least 512 messages and 1x1 at least 64, never none.
"$B" --no-raise --methods pipe --pattern scale --scale-shapes 8x8,1x1 \
	--time 0.00001 >/dev/null 2>"$d/err" || no "scale with a 10 us time box failed"
awk '/^\[scale / { n = $0; sub(/.*\(/, "", n); sub(/ messages\).*/, "", n)
		want = / 8x8 / ? 512 : 64; cells++; if (n + 0 < want) bad = 1 }
	END { exit bad || cells != 2 }' "$d/err" ||
	no "a 10 us scale cell moved fewer than 64 messages per producer: $(grep '^\[scale' "$d/err")"
[ $fail -eq 0 ] && echo "ok: ipcchan-bench --pattern sweep, scale"
exit $fail
