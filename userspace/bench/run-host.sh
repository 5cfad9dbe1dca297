#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run-host: ipcchan-bench natively on this host, into HOST_RESULTS.
# The ipcchan methods need the module, which only runs in the VM, so they
# skip here ("/dev/ipcchan not present"); every standard method runs the
# same cells as in the VM.  When VM_RESULTS holds a make run from the same
# sitting, hostvm.sh writes HOST_RESULTS/host-vs-vm.txt: per cell the VM
# figure over the host figure.
#
# usage: run-host.sh HOST_RESULTS VM_RESULTS IPCCHAN_BENCH [BENCH_ARGS...]
set -u
[ $# -ge 3 ] || { echo "usage: $0 HOST_RESULTS VM_RESULTS IPCCHAN_BENCH [ARGS...]" >&2; exit 2; }
host=$1 vm=$2 bench=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$host.new" && mkdir -p "$host.new" || exit
"$bench" "$@" --accel none --host-load "$(cat /proc/loadavg)" \
	--out "$host.new" >"$host.new/stdout" 2>"$host.new/progress"
rc=$?
if [ ! -s "$host.new/bench.json" ]; then
	echo "run-host: the benchmark produced no results (status $rc)" >&2
	tail -5 "$host.new/progress" >&2
	exit 1
fi
rm -rf "$host" && mv "$host.new" "$host"
"$here/plot.sh" "$host" >/dev/null || echo "run-host: plotting failed" >&2
cat "$host/table.txt"
if [ -s "$vm/bench.csv" ]; then
	"$here/hostvm.sh" "$host" "$vm" | tee "$host/host-vs-vm.txt"
else
	echo "run-host: no $vm/bench.csv (make run) to compare with"
fi
exit $rc
