#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM test of ipcchan-bench --pattern scale at 2x2 on one channel for
# ipcchan-ioctl, ipcchan-batch, posix-mq, unix-dgram and pipe: every
# message counted, in order per producer and intact, or the cell fails;
# and the checks must fail a cell where every producer loses, doubles or
# corrupts one message (IPCCHAN_BENCH_SCALE_FAULT); and the 8x8 target
# lands in bench.json with one paired ratio per round, each the ratio of
# the two cells' figures in that round.  Speed is not asserted.
set -u
B=${IPCCHAN_BENCH:-ipcchan-bench}
if [ ! -c /dev/ipcchan ]; then
	echo "1..0 # SKIP /dev/ipcchan missing: module not loaded"
	exit 0
fi
command -v "$B" >/dev/null 2>&1 || { echo "1..0 # SKIP no $B"; exit 0; }
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
echo "1..3"

# --- scale at 2x2 -----------------------------------------------------------
smethods=ipcchan-ioctl,ipcchan-batch,posix-mq,unix-dgram,pipe
nm=5
# A kernel without POSIX message queues (the debug lane's tinyconfig
# kernel) cannot run posix-mq: leave it out, as a kselftest skips without
# its kernel option.
if [ ! -d /proc/sys/fs/mqueue ]; then
	smethods=ipcchan-ioctl,ipcchan-batch,unix-dgram,pipe nm=4
	echo "# posix-mq left out: no POSIX message queues in this kernel"
fi
s=$d/scale
"$B" --methods $smethods --pattern scale --scale-shapes 2x2 --time 0.1 \
	--out "$s" >"$d/sout" 2>"$d/serr"
rc=$?
nsc=$(awk -F, 'NR > 1 && $1 == "shared" && $3 == 2 && $10 == "ok" && $12 > 0' \
	"$s/scale.csv" 2>/dev/null | wc -l)
if [ $rc -eq 0 ] && [ "$nsc" -eq "$nm" ] &&
   grep -q '^oversubscription: ' "$s/table.txt"; then
	echo "ok 1 scale 2x2: $nm methods, every message counted, in order per producer, intact"
else
	echo "not ok 1 scale 2x2 (exit $rc, $nsc of $nm ok)"
	grep -E 'FAILED|n/a' "$d/serr" | sed 's/^/# /'
fi

# --- the scale checks catch a lost, doubled or corrupt message -------------
caught=0
for f in lose:ipcchan-ioctl,ipcchan-batch dup:ipcchan-batch,pipe \
	 corrupt:ipcchan-ioctl; do
	m=${f#*:}
	n=$(echo "$m" | tr ',' '\n' | wc -l)
	IPCCHAN_BENCH_SCALE_FAULT=${f%%:*} "$B" --methods "$m" --pattern scale \
		--scale-shapes 2x2 --time 0.05 >/dev/null 2>"$d/ferr"
	rc=$?
	got=$(grep -c 'FAILED: ' "$d/ferr")
	if [ $rc -eq 1 ] && [ "$got" -eq "$n" ]; then
		caught=$((caught + n))
	else
		echo "# fault ${f%%:*} on $m: exit $rc, $got of $n cells failed"
		grep '\[scale' "$d/ferr" | sed 's/^/# /'
	fi
done
if [ $caught -eq 5 ]; then
	echo "ok 2 scale fails every cell with a lost, doubled or corrupt message"
else
	echo "not ok 2 scale caught $caught of 5 injected faults"
fi

# --- the 8x8 target: one paired ratio per round, in bench.json --------------
t=$d/target
"$B" --methods ipcchan-ioctl,unix-dgram --pattern scale --scale-shapes 8x8 \
	--time 0.05 --repeat 2 --out "$t" >/dev/null 2>"$d/terr"
rc=$?
# the paired ratios from scale.csv's per-round figures (column "runs")
want=$(awk -F, 'NR > 1 && $1 == "shared" && $3 == 8 {
		split($21, r, ";"); a[$9] = r[1] " " r[2] }
	END { split(a["ipcchan-ioctl"], x, " "); split(a["unix-dgram"], y, " ")
	      if (y[1] > 0 && y[2] > 0) printf "%.6g %.6g", x[1] / y[1], x[2] / y[2] }' \
	"$t/scale.csv" 2>/dev/null)
entry=$(tr -d '\n' <"$t/bench.json" 2>/dev/null |
	sed -n 's/.*\({"issue": "15", "pattern": "scale"[^}]*}\).*/\1/p')
got=$(echo "$entry" | sed -n 's/.*"ratios": \[\([^]]*\)\].*/\1/p' |
	awk -F', ' '{ printf "%.6g %.6g", $1, $2 }')
# scale.csv keeps 6 digits of each figure: equal to 1e-4
same=$(echo "$got $want" | awk 'NF == 4 && $3 > 0 && $4 > 0 {
	d1 = $1 / $3 - 1; d2 = $2 / $4 - 1
	if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2
	print (d1 < 1e-4 && d2 < 1e-4) ? "yes" : "no" }')
case $entry in
*'"chosen": "unix-dgram"'*'"verdict": "inconclusive"'*'"n": 2'*) shape=ok ;;
*) shape=bad ;;
esac
if [ $rc -eq 0 ] && [ $shape = ok ] && [ "$same" = yes ] &&
   grep -q '^8x8 on one channel: .* n=2, >= 1.0x: inconclusive' "$t/table.txt"; then
	echo "ok 3 the 8x8 target is in bench.json: 2 paired ratios ($got), inconclusive under 5 rounds"
else
	echo "not ok 3 the 8x8 target (exit $rc, want '$want', got '$got')"
	echo "# $entry"
	grep '^8x8' "$t/table.txt" | sed 's/^/# /'
fi
