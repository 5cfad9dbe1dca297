#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Cross-check ipcchan-bench's baselines with tools nobody here wrote, in
# the same machine and the same run: stress-ng's pipe, mq and msg
# stressors and rt-tests' pmqtest (POSIX mq wake-up latency).  `make
# crosscheck` runs it in the test VM; docs/benchmark.md explains how to
# read the two sides.  Tools that are missing are reported and skipped.
#
# usage: crosscheck.sh [SECONDS per stressor, default 4]
t=${1:-4}
accel=${IPCCHAN_VM_ACCEL:-none}

have() { command -v "$1" >/dev/null 2>&1; }

echo "== ipcchan-bench (stream 64 B / 4 KiB, pingpong 8 B)"
ipcchan-bench --accel "$accel" --methods pipe,posix-mq,sysv-msg,unix-stream \
	--sizes 64,4K --pattern stream --time 1 2>/dev/null |
	sed -n '/throughput (messages/,/^$/p;/throughput (MiB/,/^$/p'
ipcchan-bench --accel "$accel" --methods posix-mq --sizes 8 \
	--pattern pingpong --time 1 2>/dev/null |
	sed -n '/latency p50/,/^$/p'

if have stress-ng; then
	for a in "--pipe 1 --pipe-data-size 64" "--pipe 1 --pipe-data-size 4096" \
		 "--mq 1" "--msg 1 --msg-bytes 64"; do
		echo "== stress-ng $a -t $t"
		# shellcheck disable=SC2086
		stress-ng $a -t "$t" --metrics-brief 2>&1 |
			grep -E 'stressor|bogo|pipe|mq|msg|MB per sec' |
			grep -v -e 'dispatching' -e 'setting to'
	done
else
	echo "crosscheck: stress-ng not found, skipped"
fi

if have pmqtest; then
	echo "== pmqtest -S -p 80 -i 200 -d 0 -l 5000 -q"
	pmqtest -S -p 80 -i 200 -d 0 -l 5000 -q 2>&1 | tail -4
else
	echo "crosscheck: pmqtest (rt-tests) not found, skipped"
fi
