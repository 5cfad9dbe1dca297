#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM test of ipcchan-bench's ipcchan methods against the loaded module
# (bench_test.sh on the host can only run the standard paths).  Every
# ipcchan method runs both patterns at 64 B and 4 KiB; the large-transfer
# methods (memfd-scm, process-vm-writev, vmsplice) both patterns at 64 B
# and 64 KiB and, with ipcchan-ring-zc, ipcchan-ioctl and pipe, a two-round
# sweep at 4 KiB and 1 MiB with its crossover table; the scale pattern runs
# 2x2 on one channel for ipcchan-ioctl, ipcchan-batch, posix-mq, unix-dgram
# and pipe, and must fail when a producer loses, doubles or corrupts a
# message (IPCCHAN_BENCH_SCALE_FAULT).  The bench checks
# each message's sequence number and a sampled checksum, so a method that
# loses, reorders or corrupts a message fails its cell and the run exits 1;
# on top of that every cell must be in bench.csv as ok with a positive
# figure, and the report must carry the targets section.  Speed is not
# asserted: under TCG it is whatever it is.
set -u
B=${IPCCHAN_BENCH:-ipcchan-bench}
if [ ! -c /dev/ipcchan ]; then
	echo "1..0 # SKIP /dev/ipcchan missing: module not loaded"
	exit 0
fi
command -v "$B" >/dev/null 2>&1 || { echo "1..0 # SKIP no $B"; exit 0; }

methods=ipcchan-ioctl,ipcchan-batch,ipcchan-ring,ipcchan-ring-zc
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
echo "1..7"

"$B" --methods $methods,pipe --sizes 64,4K --time 0.05 --out "$d" \
	>"$d/out" 2>"$d/err"
rc=$?
if [ $rc -eq 0 ]; then
	echo "ok 1 every cell ran"
else
	echo "not ok 1 ipcchan-bench exited $rc"
	tail -5 "$d/err" | sed 's/^/# /'
fi

# 4 ipcchan methods x 2 patterns x 2 sizes, each ok with its figure > 0.
bad=$(awk -F, -v m="$methods" '
	BEGIN { n = split(m, want, ","); for (i = 1; i <= n; i++) w[want[i]] = 1 }
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	!($1 in w) { next }
	{
		seen[$1 "/" $2 "/" $3] = 1
		v = $2 == "pingpong" ? $(col["rtt_p50_ns"]) : $(col["msgs_per_s"])
		if ($(col["status"]) != "ok" || !(v > 0))
			print $1 " " $2 " " $3 ": " $(col["status"]) " " v
	}
	END {
		for (i = 1; i <= n; i++)
			for (p = 0; p < 2; p++)
				for (s = 0; s < 2; s++) {
					k = want[i] "/" (p ? "stream" : "pingpong") "/" (s ? 4096 : 64)
					if (!(k in seen))
						print k ": missing"
				}
	}' "$d/bench.csv")
if [ -z "$bad" ] && [ -s "$d/bench.csv" ]; then
	echo "ok 2 bench.csv has all 16 ipcchan cells, ok and non-zero"
else
	echo "not ok 2 bench.csv cells"
	echo "$bad" | sed 's/^/# /'
fi

if grep -q '^targets (issue 7):' "$d/table.txt" &&
   grep -q 'ipcchan-ring .*/ pipe' "$d/table.txt" &&
   grep -q '^relative to pipe at 64 B' "$d/table.txt"; then
	echo "ok 3 the report has the relative summary and the targets"
else
	echo "not ok 3 the report lacks the relative summary or the targets"
fi

# --- large transfers: the methods, the sweep, the crossover ---------------
large=memfd-scm,process-vm-writev,vmsplice
l=$d/large
"$B" --methods $large,ipcchan-ring-zc,ipcchan-ioctl,pipe --sizes 64,64K \
	--pattern both,sweep --sweep-sizes 4K,1M --repeat 2 --time 0.05 \
	--out "$l" >"$d/lout" 2>"$d/lerr"
rc=$?
bad=$(awk -F, -v m="$large" '
	BEGIN { n = split(m, want, ","); for (i = 1; i <= n; i++) w[want[i]] = 1 }
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	!($1 in w) { next }
	{
		seen[$1 "/" $2 "/" $3] = 1
		v = $2 == "pingpong" ? $(col["rtt_p50_ns"]) : $(col["msgs_per_s"])
		if ($(col["status"]) != "ok" || !(v > 0))
			print $1 " " $2 " " $3 ": " $(col["status"]) " " v
	}
	END {
		for (i = 1; i <= n; i++)
			for (p = 0; p < 2; p++)
				for (s = 0; s < 2; s++) {
					k = want[i] "/" (p ? "stream" : "pingpong") "/" (s ? 65536 : 64)
					if (!(k in seen))
						print k ": missing"
				}
	}' "$l/bench.csv" 2>&1)
if [ $rc -eq 0 ] && [ -z "$bad" ] && [ -s "$l/bench.csv" ]; then
	echo "ok 4 large-transfer methods: every message of 12 cells delivered intact"
else
	echo "not ok 4 large-transfer methods (exit $rc)"
	{ echo "$bad"; tail -5 "$d/lerr"; } | sed 's/^/# /'
fi

# 6 methods x 2 sizes ok in sweep.csv (+ memcpy), 4 pairs x 2 sizes with a
# verdict in crossover.csv, and the report's crossover section.
nsw=$(awk -F, 'NR > 1 && $1 != "memcpy" && $3 == "ok" && $5 > 0' "$l/sweep.csv" 2>/dev/null | wc -l)
nxo=$(awk -F, 'NR > 1 && $4 == 2 && $8 != "n/a" && $5 > 0' "$l/crossover.csv" 2>/dev/null | wc -l)
if [ "$nsw" -eq 12 ] && [ "$nxo" -eq 8 ] &&
   grep -q '^crossover: where mapping beats copying' "$l/table.txt" &&
   grep -q 'ipcchan-ring-zc over pipe: ' "$l/table.txt"; then
	echo "ok 5 the sweep ran 12 cells in 2 rounds and the crossover table has 4 pairs"
else
	echo "not ok 5 sweep: $nsw of 12 cells ok, $nxo of 8 crossover rows"
	grep -A3 '^large transfers' "$l/table.txt" 2>/dev/null | sed 's/^/# /'
fi

# --- scale at 2x2 -----------------------------------------------------------
smethods=ipcchan-ioctl,ipcchan-batch,posix-mq,unix-dgram,pipe
s=$d/scale
"$B" --methods $smethods --pattern scale --scale-shapes 2x2 --time 0.1 \
	--out "$s" >"$d/sout" 2>"$d/serr"
rc=$?
nsc=$(awk -F, 'NR > 1 && $1 == "shared" && $3 == 2 && $10 == "ok" && $12 > 0' \
	"$s/scale.csv" 2>/dev/null | wc -l)
if [ $rc -eq 0 ] && [ "$nsc" -eq 5 ] &&
   grep -q '^oversubscription: ' "$s/table.txt"; then
	echo "ok 6 scale 2x2: 5 methods, every message counted, in order per producer, intact"
else
	echo "not ok 6 scale 2x2 (exit $rc, $nsc of 5 ok)"
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
	echo "ok 7 scale fails every cell with a lost, doubled or corrupt message"
else
	echo "not ok 7 scale caught $caught of 5 injected faults"
fi
