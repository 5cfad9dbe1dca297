#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM test of ipcchan-bench --pattern scale at 2x2 on one channel for
# ipcchan-ioctl, ipcchan-batch, posix-mq, unix-dgram and pipe: every
# message counted, in order per producer and intact, or the cell fails;
# and the checks must fail a cell where every producer loses, doubles or
# corrupts one message (IPCCHAN_BENCH_SCALE_FAULT).  Speed is not asserted.
set -u
B=${IPCCHAN_BENCH:-ipcchan-bench}
if [ ! -c /dev/ipcchan ]; then
	echo "1..0 # SKIP /dev/ipcchan missing: module not loaded"
	exit 0
fi
command -v "$B" >/dev/null 2>&1 || { echo "1..0 # SKIP no $B"; exit 0; }
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
echo "1..2"

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
