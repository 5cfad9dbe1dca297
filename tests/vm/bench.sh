#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run` after `make deps`: build and stage, run ipcchan-bench in the
# VM with --out /xfer, and only when it produced bench.json replace
# RESULTS with what came back (with the host's /proc/loadavg at the start
# and the end in table.txt and host-load.txt); then draw the plots there
# (userspace/bench/plot.sh) and print the table.  A run that produced no
# results leaves the previous RESULTS alone and fails; a run where some
# cells failed keeps its results and exits with the bench's status.
#
# usage: tests/vm/bench.sh RESULTS LOG BENCH_COMMAND RUN...
#   RESULTS        the results directory (RESULTS.new while running)
#   LOG            the VM console
#   BENCH_COMMAND  the ipcchan-bench command line, run in the VM
#   RUN            the tests/vm/run.sh command line to boot the VM with;
#                  this adds --xfer, --log and the command
set -u
[ $# -ge 4 ] || { echo "usage: $0 RESULTS LOG BENCH_COMMAND RUN..." >&2; exit 2; }
results=$1 log=$2 bench=$3
shift 3
cd "$(dirname "$0")/../.."
make --no-print-directory all stage check-vermagic || exit
rm -rf "$results.new" && mkdir -p "$results.new" || exit
load0=$(cat /proc/loadavg)
"$@" --xfer "$results.new" --log "$log" -- "$bench --host-load '$load0'"
rc=$?
load1=$(cat /proc/loadavg)
if [ ! -s "$results.new/bench.json" ]; then
	echo "run: the benchmark produced no results (status $rc; log $log)" >&2
	exit 1
fi
printf 'load (/proc/loadavg of the host): start %s, end %s\n' "$load0" "$load1" \
	>>"$results.new/table.txt"
printf 'start %s\nend %s\n' "$load0" "$load1" >"$results.new/host-load.txt"
rm -rf "$results" && mv "$results.new" "$results"
userspace/bench/plot.sh "$results" || echo "run: plotting failed" >&2
echo
cat "$results/table.txt"
echo
echo "results: $(ls "$results"/* | tr '\n' ' ')"
if [ $rc -ne 0 ]; then
	echo "run: some cells failed (status $rc): see the table's notes" >&2
	exit $rc
fi
