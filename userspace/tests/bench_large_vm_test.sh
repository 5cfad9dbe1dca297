#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM test of ipcchan-bench's large-transfer methods (memfd-scm,
# process-vm-writev, vmsplice): both patterns at 64 B and 64 KiB, then, with
# ipcchan-ring-zc, ipcchan-ioctl and pipe, a two-round sweep at 4 KiB and
# 256 KiB with its crossover table.  The engine checks every message's
# sequence number and payload, so a method that loses, reorders or corrupts
# a message fails its cell and the run exits 1.  Speed is not asserted.
set -u
B=${IPCCHAN_BENCH:-ipcchan-bench}
if [ ! -c /dev/ipcchan ]; then
	echo "1..0 # SKIP /dev/ipcchan missing: module not loaded"
	exit 0
fi
command -v "$B" >/dev/null 2>&1 || { echo "1..0 # SKIP no $B"; exit 0; }
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT

# --- large transfers: the methods, the sweep, the crossover ---------------
large=memfd-scm,process-vm-writev,vmsplice
# A kernel without memfd_create() or process_vm_writev() (the debug lane's
# tinyconfig kernel: CONFIG_MEMFD_CREATE, CONFIG_CROSS_MEMORY_ATTACH)
# cannot run them: skip, as a kselftest skips without its kernel option.
"$B" --methods memfd-scm,process-vm-writev --sizes 64 --time 0.01 \
	--iterations 2 >/dev/null 2>"$d/probe"
if grep -q 'Function not implemented' "$d/probe"; then
	echo "1..0 # SKIP no memfd_create() or process_vm_writev() in this kernel"
	exit 0
fi
echo "1..2"
l=$d/large
"$B" --methods $large --sizes 64,64K --time 0.05 --out "$l" \
	>"$d/lout" 2>"$d/lerr"
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
	echo "ok 1 large-transfer methods: every message of 12 cells delivered intact"
else
	echo "not ok 1 large-transfer methods (exit $rc)"
	{ echo "$bad"; tail -5 "$d/lerr"; } | sed 's/^/# /'
fi

x=$d/sweep
"$B" --methods $large,ipcchan-ring-zc,ipcchan-ioctl,pipe --pattern sweep \
	--sweep-sizes 4K,256K --repeat 2 --time 0.05 --out "$x" \
	>"$d/xout" 2>"$d/xerr"
rc=$?
# 6 methods x 2 sizes ok in sweep.csv (+ memcpy), 4 pairs x 2 sizes with a
# verdict in crossover.csv, and the report's crossover section.
nsw=$(awk -F, 'NR > 1 && $1 != "memcpy" && $3 == "ok" && $5 > 0' "$x/sweep.csv" 2>/dev/null | wc -l)
nxo=$(awk -F, 'NR > 1 && $4 == 2 && $8 != "n/a" && $5 > 0' "$x/crossover.csv" 2>/dev/null | wc -l)
if [ $rc -eq 0 ] && [ "$nsw" -eq 12 ] && [ "$nxo" -eq 8 ] &&
   grep -q '^crossover: where mapping beats copying' "$x/table.txt" &&
   grep -q 'ipcchan-ring-zc over pipe: ' "$x/table.txt"; then
	echo "ok 2 the sweep ran 12 cells in 2 rounds and the crossover table has 4 pairs"
else
	echo "not ok 2 sweep (exit $rc): $nsw of 12 cells ok, $nxo of 8 crossover rows"
	grep FAILED "$d/xerr" | sed 's/^/# /'
fi

