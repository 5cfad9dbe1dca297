#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab 3's checks on the host (rubric PROGRAM "host"), run from the
# repository's top directory by labs/tools/grade.sh:
#
#   host-check.sh tsan-publish   ThreadSanitizer, a ring that never reuses
#                                a slot: head's release/acquire pair
#                                (publish in spsc_send, consume in spsc_recv)
#   host-check.sh tsan-reuse     ThreadSanitizer, two slots reused all the
#                                time: tail's pair too (free, room)
#
# Each builds labs/3-ring/host_tsan.c with spsc.c and -fsanitize=thread
# into build/labs/3/host/ and runs it: exit 0 when every message arrived
# and ThreadSanitizer saw no data race.  A race is reported whatever the
# CPU's memory model: it does not depend on luck or on timing.
set -uo pipefail

lab=labs/3-ring
out=build/labs/3/host
case ${1:-} in
tsan-publish) mode=publish ;;
tsan-reuse) mode=reuse ;;
*) echo "usage: host-check.sh tsan-publish|tsan-reuse" >&2; exit 2 ;;
esac

mkdir -p "$out"
bin=$out/host_tsan
# gcc warns that it cannot instrument __atomic_thread_fence (-Wtsan): the
# fences of spsc_wait()/spsc_kick() order the waiting flags, not the slots.
if ! ${CC:-gcc} -std=gnu11 -O1 -g -fsanitize=thread -Wall -Wextra -Werror \
	-Wno-tsan -D_GNU_SOURCE -pthread -Iinclude/uapi -I$lab \
	-o "$bin" $lab/host_tsan.c $lab/spsc.c -Wl,--wrap=ioctl; then
	echo "host-check: spsc.c does not build with -fsanitize=thread: the" \
		"compiler's messages are above (gcc's libtsan: scripts/deps.sh)"
	exit 1
fi

run() {
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 history_size=7 ${TSAN_OPTIONS:-}" \
		timeout 120 "$@" "$bin" "$mode" 2>&1
}
# A race is found only when the run interleaves the two threads in a way
# ThreadSanitizer can see, and Debian 13's (gcc 14) missed the skeleton's
# publish race now and then under load: up to 10 runs (0.1 s each), the
# first race fails.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
	log=$(run)
	rc=$?
	# Older ThreadSanitizers refuse a kernel with more address
	# randomization than they know ("unexpected memory mapping"): the
	# same without it.
	if [ $rc -ne 0 ] && grep -q 'unexpected memory mapping' <<<"$log"; then
		log=$(run setarch "$(uname -m)" -R)
		rc=$?
	fi
	[ $rc -eq 0 ] || break
done
printf '%s\n' "$log"
[ $rc -ne 0 ] || echo "host-check: $attempt runs of host_tsan $mode, no race"
case $rc in
0) ;;
66) echo "host-check: ThreadSanitizer found a data race: a slot is read" \
	"and written by the two threads with no release/acquire pair" \
	"between them (the functions are in the report above)" ;;
124) echo "host-check: host_tsan $mode did not finish in 120 s (a lost" \
	"wake-up, or a side that never sees the other's counter move?)" ;;
*) echo "host-check: host_tsan $mode failed (status $rc)" ;;
esac
exit $rc
