#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every test program (*_test, *_test.sh) under a directory (default /opt/ipcchan/tests) one
# at a time, each under the timeout of the folder's `settings` file (45 s,
# the kselftest default, without one; -t overrides it for slow kernels such
# as the debug lane's), and add up their TAP results.  A program that
# crashes, times out or exits non-zero without reporting a failure counts as
# one failed test.  Prints the totals as the last line: "N passed, N failed,
# N skipped".  Busybox sh compatible.
#
# usage: run-tests.sh [-d DIR] [-t SECONDS] [-f FILTER] [-x EXCLUDE] [PROGRAM...]
#   -f runs only the programs whose name has FILTER, -x leaves out those
#   whose name has EXCLUDE.

dir=/opt/ipcchan/tests
timeout=
filter=
exclude=
while getopts d:t:f:x: opt; do
	case $opt in
	d) dir=$OPTARG ;;
	t) timeout=$OPTARG ;;
	f) filter=$OPTARG ;;
	x) exclude=$OPTARG ;;
	*) echo "usage: $0 [-d DIR] [-t SECONDS] [-f FILTER] [-x EXCLUDE] [PROGRAM...]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))

if [ -z "$timeout" ]; then
	timeout=$(sed -n 's/^timeout=//p' "$dir/settings" 2>/dev/null)
	[ -n "$timeout" ] || timeout=45
fi

echo "# run-tests: each program gets $timeout s"

if [ $# -eq 0 ]; then
	# Test programs are named *_test or *_test.sh; the labs' other
	# programs (a server a lab's test starts, say) sit beside them.
	for f in "$dir"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		case ${f##*/} in *_test | *_test.sh) ;; *) continue ;; esac
		case ${f##*/} in *"$filter"*) ;; *) continue ;; esac
		[ -z "$exclude" ] || case ${f##*/} in *"$exclude"*) continue ;; esac
		set -- "$@" "$f"
	done
fi

pass=0 fail=0 skip=0 n=0
log=/tmp/run-tests.$$
for prog in "$@"; do
	n=$((n + 1))
	name=${prog##*/}
	echo "# ==== $name ===="
	start=$(cut -d' ' -f1 /proc/uptime)
	( cd "$(dirname "$prog")" && timeout "$timeout" "./$name"
	  echo $? >"$log.rc" ) 2>&1 | tee "$log"
	rc=$(cat "$log.rc" 2>/dev/null || echo 125)
	rm -f "$log.rc"
	end=$(cut -d' ' -f1 /proc/uptime)

	# Top-level TAP lines only: "ok N", "not ok N" (nested ones are indented).
	p=$(grep -cE '^ok [0-9]+' "$log" | head -n1)
	s=$(grep -cE '^ok [0-9]+.*# *[Ss][Kk][Ii][Pp]' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	p=$((p - s))
	if [ "$rc" -eq 4 ] && [ $((p + f + s)) -eq 0 ]; then
		s=1
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ]; then
		# Crashed, timed out (124) or failed without saying which test.
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	echo "# ==== $name: $p passed, $f failed, $s skipped ($start..$end s) ===="
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
rm -f "$log"
echo "IPCCHAN-SUMMARY: $pass passed, $fail failed, $skip skipped"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
