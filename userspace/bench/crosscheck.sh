#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Cross-check ipcchan-bench's baselines with tools nobody here wrote, in
# the same machine and the same run: stress-ng's pipe, mq and msg
# stressors, perf bench sched pipe (pipe round trip between two
# processes) and rt-tests' pmqtest (POSIX mq wake-up latency).  `make
# crosscheck` runs it in the test VM; docs/benchmark.md explains how to
# read the two sides.  Tools that are missing are reported and skipped.
#
# Each tool is compared at the message size it really uses, checked with
# strace on Debian 12's stress-ng 0.15.06:
#   --pipe   writes 512 B: 0.15.06 ignores --pipe-data-size (an option
#            name mismatch fixed in 0.15.07), so no other size is asked
#   --mq     sends 8 B messages (its own fixed message struct)
#   --msg    sends --msg-bytes (64 here), which 0.15.06 honours
#   perf bench sched pipe: one 4-byte int each way per round trip
#
# usage: crosscheck.sh [SECONDS per stressor, default 4]
t=${1:-4}
accel=${IPCCHAN_VM_ACCEL:-none}
out=/tmp/crosscheck

have() { command -v "$1" >/dev/null 2>&1; }

echo "== ipcchan-bench (stream pipe 512 B, posix-mq 8 B, sysv-msg 64 B; pingpong pipe and posix-mq 8 B)"
ipcchan-bench --accel "$accel" --methods pipe,posix-mq,sysv-msg \
	--sizes 8,64,512 --time 1 --out "$out" >/dev/null 2>&1
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$4 != "ok" { next }
	$2 == "stream" && (($1 == "pipe" && $3 == 512) || ($1 == "posix-mq" && $3 == 8) ||
			   ($1 == "sysv-msg" && $3 == 64)) {
		printf "  %-9s stream   %4s B  %10.0f msg/s  %8.2f MB/s\n", $1, $3,
			$(c["msgs_per_s"]), $(c["bytes_per_s"]) / 1e6 }
	$2 == "pingpong" && $3 == 8 && ($1 == "pipe" || $1 == "posix-mq") {
		printf "  %-9s pingpong %4s B  round trip p50 %.2f us, mean %.2f us\n",
			$1, $3, $(c["rtt_p50_ns"]) / 1e3, $(c["rtt_mean_ns"]) / 1e3 }' \
	"$out/bench.csv"

if have stress-ng; then
	for a in "--pipe 1" "--mq 1" "--msg 1 --msg-bytes 64"; do
		echo "== stress-ng $a -t $t"
		# shellcheck disable=SC2086
		stress-ng $a -t "$t" --metrics-brief 2>&1 |
			grep -E 'stressor|bogo|pipe|mq|msg|MB per sec' |
			grep -v -e 'dispatching' -e 'setting to'
	done
else
	echo "crosscheck: stress-ng not found, skipped"
fi

if have perf; then
	echo "== perf bench sched pipe -l 10000 (two processes)"
	perf bench sched pipe -l 10000 2>&1 | grep -E 'usecs/op|ops/sec'
else
	echo "crosscheck: perf (linux-perf) not found, skipped"
fi

if have pmqtest; then
	echo "== pmqtest -S -p 80 -i 200 -d 0 -l 5000 -q"
	pmqtest -S -p 80 -i 200 -d 0 -l 5000 -q 2>&1 | tail -4
else
	echo "crosscheck: pmqtest (rt-tests) not found, skipped"
fi
