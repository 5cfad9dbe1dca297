#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the KCSAN VM (make check-kcsan): run the tests that race, those whose
# names hold "stress" or "fuzz", then print KCSAN's state and every KCSAN
# and UBSAN report in full (the console is quiet, and tests/vm/init's dmesg
# scan, which fails the run on any report, shows only their first lines).
# Busybox sh compatible.
#
# usage: kcsan-tests.sh [SECONDS]   (each program's timeout, default 1800)
dir=/opt/ipcchan/tests
/opt/ipcchan/run-tests.sh -t "${1:-1800}" "$dir"/*stress* "$dir"/*fuzz*
rc=$?
dmesg | grep 'kcsan:'
echo "kcsan-tests: $(dmesg | grep -c 'BUG: KCSAN') KCSAN reports," \
	"$(dmesg | grep -c 'UBSAN:') UBSAN reports"
dmesg | sed -n '/BUG: KCSAN\|UBSAN:/,/^=========/p'
exit $rc
