#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM test of ipcchan-bench's ipcchan methods against the loaded module
# (bench_test.sh on the host can only run the standard paths).  Every
# ipcchan method runs both patterns at 64 B and 4 KiB.  The bench checks
# each message's sequence number and a sampled checksum, so a method that
# loses, reorders or corrupts a message fails its cell and the run exits 1;
# on top of that every cell must be in bench.csv as ok with a positive
# figure, and the report must carry the targets section.  The system-call
# counter (raw_syscalls:sys_enter, tracefs mounted by the VM's init) must
# count: one write() and one read() per pipe message in stream, one SEND
# and one RECV ioctl per ipcchan-ioctl message.  Speed is not asserted:
# under TCG it is whatever it is.
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
echo "1..4"

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

if grep -q '^targets: ratio of paired rounds' "$d/table.txt" &&
   grep -q 'ipcchan-ring .*/ pipe' "$d/table.txt" &&
   grep -q '^relative to pipe at 64 B' "$d/table.txt"; then
	echo "ok 3 the report has the relative summary and the targets"
else
	echo "not ok 3 the report lacks the relative summary or the targets"
fi

# stream at 64 B: 2 system calls per message, both sides together (a few
# more at the edges of the measured part; a counter that counts nothing,
# or everything twice, is far off)
sc=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$2 == "stream" && $3 == 64 && ($1 == "pipe" || $1 == "ipcchan-ioctl") {
		v = $(col["syscalls_per_msg"])
		printf "%s=%s ", $1, v
		if (v == "" || v < 1.9 || v > 2.5) bad = 1
		n++
	} END { exit bad || n != 2 }' "$d/bench.csv")
if [ $? -eq 0 ]; then
	echo "ok 4 system calls counted: 2 per message in stream ($sc)"
else
	echo "not ok 4 system calls per message ($sc; $(grep -m1 'not counted' "$d/table.txt"))"
fi
