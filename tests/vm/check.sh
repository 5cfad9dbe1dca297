#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check` after `make deps`: everything the host can build and check
# (make check-build: module, tools, tests, lint, dkms, the host tests into
# BUILD/host.log, the staged tree), then the suite in the VM: our runner
# over every test, then the kernel's two runners over the kselftests,
# whose counts must equal ours; then the VM tools' test (tests/vm/
# tools-test.sh, TAP into host.log) and the labs' self-check (make
# labs-check).  Prints the time and the closing line of tests/summary.sh;
# exits non-zero if the summary or the labs' check fails.
#
# usage: tests/vm/check.sh BUILD KREL RUN...
#   BUILD  the build directory (host.log, check.log: the VM console)
#   KREL   the kernel release, for the time line
#   RUN    the tests/vm/run.sh command line to boot the VM with; this
#          adds --log and the command
set -u
[ $# -ge 3 ] || { echo "usage: $0 BUILD KREL RUN..." >&2; exit 2; }
build=$1 krel=$2
shift 2
cd "$(dirname "$0")/../.."
start=$(date +%s)
rm -f "$build/check.log" "$build/host.log"
make --no-print-directory check-build &&
	"$@" --log "$build/check.log" -- \
	'/opt/ipcchan/run-tests.sh | tee /tmp/run-tests.log; /opt/ipcchan/ksft-runners.sh /tmp/run-tests.log'
rc=$?
echo "check: $(( $(date +%s) - start )) s on $krel, VM exit status $rc"
# The student's VM tools (oops decoder, make vm's shared directory and
# reload), once the build is through: TAP into host.log.
if [ -f "$build/check.log" ]; then
	tests/vm/tools-test.sh kmod/ipcchan.ko "$@" | tee -a "$build/host.log"
fi
# The labs' self-check: reference full marks, handouts their start score.
labs=0
if [ "$rc" -eq 0 ]; then
	make --no-print-directory labs-check || labs=1
fi
tests/summary.sh "$build/host.log" "$build/check.log" $rc || exit
[ "$labs" -eq 0 ] || { echo "check: make labs-check failed" >&2; exit 1; }
