#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM test of every ipcchan-bench method (bench_test.sh on the host can only
# run pipe), in two halves so that each stays well inside the per-program
# time limit: "ring" (the default) runs the ipcchan and shm methods and
# pipe, the base of the relative summary; "others" (bench_vm_std_test.sh)
# runs every other method.  Each method in --list, old and new, runs both
# patterns at 64 B and 4 KiB for a short time (0.02 s, at least 10 round
# trips or 20 streamed messages per cell).  The bench checks every
# message's sequence number (a lost, duplicated or reordered message is a
# sequence error) and the checksum of every payload byte, with an exact
# word-by-word compare of one message in 64, so a method that loses,
# duplicates, reorders or corrupts a message fails its cell and the run
# exits 1; on top of that every cell must be in bench.csv as ok with a
# positive figure and a queue depth, and the "ring" half's report must
# carry the targets section.  Only the io_uring methods may be skipped (a
# kernel without io_uring or refusing SQPOLL), with their reason printed.
# The "ring" half also checks the system-call counter
# (raw_syscalls:sys_enter, tracefs mounted by the VM's init): one write()
# and one read() per pipe message in stream, one SEND and one RECV ioctl
# per ipcchan-ioctl message, and that the spin-0 methods really sleep: a
# 64 B round trip of each costs at least one system call (a wait or a
# wake-up; a spinning ring costs ~0).  Speed is not asserted: under TCG it is
# whatever it is.
set -u
B=${IPCCHAN_BENCH:-ipcchan-bench}
half=${1:-ring}
if [ "$half" = ring ] && [ ! -c /dev/ipcchan ]; then
	echo "1..0 # SKIP /dev/ipcchan missing: module not loaded"
	exit 0
fi
command -v "$B" >/dev/null 2>&1 || { echo "1..0 # SKIP no $B"; exit 0; }

methods=$("$B" --list | awk -v half="$half" '
	{ ring = $1 ~ /^(ipcchan|shm)-/ || $1 == "pipe" }
	(half == "ring") == ring { printf "%s%s", (n++ ? "," : ""), $1 }')
nm=$(echo "$methods" | tr ',' '\n' | wc -l)
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
[ "$half" = ring ] && echo "1..5" || echo "1..2"

"$B" --methods "$methods" --sizes 64,4K --time 0.02 --iterations 10 \
	--out "$d" >"$d/out" 2>"$d/err"
rc=$?
# A kernel without a method's facility (the debug lane's tinyconfig kernel
# has no memfd, POSIX mq or INET) fails its setup with ENOSYS or
# EAFNOSUPPORT: ipcchan-bench skips those cells "(not in this kernel)", as
# a kselftest skips without its kernel option; any failure fails the test.
nokernel='[(]not in this kernel[)]'
if [ $rc -eq 0 ] && ! grep -q 'FAILED: ' "$d/err"; then
	echo "ok 1 every cell of the $nm methods ran, every message intact" \
		"($(grep -cE "$nokernel" "$d/err") cells skipped: not in this kernel)"
else
	echo "not ok 1 ipcchan-bench exited $rc"
	grep -i 'error\|fail' "$d/err" | tail -10 | sed 's/^/# /'
fi

# every method x 2 patterns x 2 sizes, each ok with its figure > 0
bad=$(awk -F, -v m="$methods" -v nok="$nokernel" '
	BEGIN { n = split(m, want, ","); for (i = 1; i <= n; i++) w[want[i]] = 1 }
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	!($1 in w) { next }
	{
		seen[$1 "/" $2 "/" $3] = 1
		v = $2 == "pingpong" ? $(col["rtt_p50_ns"]) : $(col["msgs_per_s"])
		st = $(col["status"])
		if (st == "skipped" && ($1 ~ /^io-uring/ || $NF ~ nok)) {
			print "# SKIP " $1 " " $2 " " $3 ": " $NF > "/dev/stderr"
			next
		}
		if (st != "ok" || !(v > 0))
			print $1 " " $2 " " $3 ": " st " " v " " $NF
		else if ($1 != "tcp" && !($(col["depth_msgs"]) >= 10))
			print $1 " " $2 " " $3 ": queue depth " $(col["depth_msgs"])
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
	echo "ok 2 bench.csv has all $((nm * 4)) cells, ok, non-zero, depth >= 10"
else
	echo "not ok 2 bench.csv cells"
	echo "$bad" | sed 's/^/# /'
fi

[ "$half" = ring ] || exit 0
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

# spin 0 sleeps at every wait: RING_WAIT/NOTIFY, FUTEX_WAIT/WAKE, eventfd
# read/write in every 64 B round trip (a ring that polled first would see
# the reply arrive and make ~0.01 calls per round trip under TCG)
s0=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$2 == "pingpong" && $3 == 64 && $1 ~ /-spin0$/ && $(col["status"]) == "ok" {
		v = $(col["syscalls_per_msg"])
		printf "%s=%s ", $1, v
		if (v == "" || v < 1) bad = 1
		n++
	} END { exit bad || n < 2 }' "$d/bench.csv")
if [ $? -eq 0 ]; then
	echo "ok 5 spin 0 sleeps in the kernel in every round trip ($s0)"
else
	echo "not ok 5 spin 0 round trips without a system call ($s0)"
fi
