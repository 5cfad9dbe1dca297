#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the kselftests again through the kernel's own two runners and check
# that each gives, program by program, the counts run-tests.sh gave:
#   1. the installed suite: /opt/ipcchan/ksft/run_kselftest.sh
#   2. the selftests tree: make -C .../tools/testing/selftests
#      TARGETS=ipcchan run_tests (/opt/ipcchan/ksft-tree, make in PATH)
# Both honour tests/settings' timeout through /usr/bin/timeout (busybox's,
# wrapped: it has no --foreground).  Prints one TAP line per runner, then
# "IPCCHAN-SUMMARY:" with run-tests.sh's totals plus these two checks (the
# line tests/summary.sh reads).  Busybox sh compatible.
#
# usage: ksft-runners.sh RUN_TESTS_CONSOLE_LOG

ours=$1
opt=/opt/ipcchan
list=$opt/ksft/kselftest-list.txt
tree=$opt/ksft-tree

line=$(grep 'IPCCHAN-SUMMARY:' "$ours" | tail -n1)
[ -n "$line" ] || { echo "ksft-runners: no IPCCHAN-SUMMARY in $ours"; exit 1; }
tp=$(echo "$line" | sed -n 's/.*SUMMARY: \([0-9]*\) passed.*/\1/p')
tf=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
ts=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')

if [ ! -x /usr/bin/timeout ]; then
	mkdir -p /usr/bin
	printf '#!/bin/sh\n[ "$1" = --foreground ] && shift\nexec /bin/busybox timeout "$@"\n' \
		>/usr/bin/timeout
	chmod +x /usr/bin/timeout
fi

# The runners log through /dev/stdout, which devtmpfs does not provide.
for fd in 0:stdin 1:stdout 2:stderr; do
	[ -L /dev/${fd#*:} ] || { rm -f /dev/${fd#*:}; ln -s /proc/self/fd/${fd%%:*} /dev/${fd#*:}; }
done

# "NAME passed failed skipped" per kselftest program, from run-tests.sh.
sed -n 's/^# ==== \([^ ]*\): \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped (.*/\1 \2 \3 \4/p' \
	"$ours" | sort >/tmp/ksft.ours
cut -d: -f2 "$list" | sort >/tmp/ksft.list
awk 'NR == FNR { want[$1] = 1; next } want[$1]' /tmp/ksft.list /tmp/ksft.ours \
	>/tmp/ksft.ours.sel

# The same from a kernel runner's output: each program's TAP is prefixed
# "# " under "# selftests: ipcchan: NAME" and closed by "[not ]ok N
# selftests: ipcchan: NAME [# SKIP]".  A program that fails or skips as a
# whole without a TAP result of its own counts once, as run-tests.sh does.
counts() {
	awk '
	/^# selftests: ipcchan: / { p = f = s = 0; next }
	/^# ok [0-9]+ / { if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) s++; else p++; next }
	/^# not ok [0-9]+ / { f++; next }
	/^(not )?ok [0-9]+ selftests: ipcchan: / {
		name = $0
		sub(/.*selftests: ipcchan: /, "", name)
		sub(/ .*/, "", name)
		if ($0 ~ /# *SKIP/ && p + f + s == 0)
			s = 1
		else if ($0 ~ /^not ok/ && f == 0)
			f = 1
		print name, p, f, s
	}' "$1" | sort
}

n=0 bad=0
check() {	# check LABEL LOG
	n=$((n + 1))
	counts "$2" >/tmp/ksft.theirs
	if cmp -s /tmp/ksft.ours.sel /tmp/ksft.theirs &&
	   [ -s /tmp/ksft.theirs ]; then
		echo "ok $n kernel runner $1: $(wc -l </tmp/ksft.theirs) programs, same counts as run-tests.sh"
	else
		echo "not ok $n kernel runner $1: counts differ from run-tests.sh (log $2)"
		echo "# run-tests.sh | $1 (NAME passed failed skipped):"
		diff /tmp/ksft.ours.sel /tmp/ksft.theirs | sed 's/^/# /'
		bad=$((bad + 1))
	fi
}

# The runners write each test's output through a second descriptor opened
# on /dev/stdout in append mode: so must we, or one overwrites the other.
up() { cut -d' ' -f1 /proc/uptime; }

echo "# ==== kernel runners: run_kselftest.sh (from $(up) s) ===="
: >/tmp/ksft.run1
(cd $opt/ksft && ./run_kselftest.sh) >>/tmp/ksft.run1 2>&1
grep -E '^(not )?ok [0-9]+ selftests:' /tmp/ksft.run1
check run_kselftest.sh /tmp/ksft.run1

echo "# ==== kernel runners: make run_tests (from $(up) s) ===="
: >/tmp/ksft.run2
make -C $tree/linux/tools/testing/selftests TARGETS=ipcchan O=$tree/out \
	IPCCHAN_UAPI=$tree/uapi run_tests >>/tmp/ksft.run2 2>&1
grep -E '^(not )?ok [0-9]+ selftests:|^make.*(Error|\*\*\*)' /tmp/ksft.run2
check "make run_tests" /tmp/ksft.run2

echo "# ==== kernel runners: done at $(up) s ===="
echo "IPCCHAN-SUMMARY: $((tp + n - bad)) passed, $((tf + bad)) failed, $ts skipped"
echo "$((tp + n - bad)) passed, $((tf + bad)) failed, $ts skipped"
[ $((tf + bad)) -eq 0 ]
