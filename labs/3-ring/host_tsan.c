// SPDX-License-Identifier: GPL-2.0
/*
 * host_tsan.c: lab 3's ThreadSanitizer check of spsc.c, on the host (no
 * module, no VM).  host-check.sh builds it with -fsanitize=thread and
 * -Wl,--wrap=ioctl and runs it.
 *
 * Two threads share a ring in ordinary memory: one sends COUNT messages,
 * the other receives them and checks each one's number and checksum.
 * ThreadSanitizer does not care how the CPU orders memory: it tracks
 * which accesses "happen before" which, and only a release store read by
 * an acquire load (or a lock, a thread start...) makes that edge between
 * two threads.  So a slot write and a slot read that no release/acquire
 * pair orders are a data race, reported every time, on x86 as on ARM.
 *
 *	host_tsan publish	a ring bigger than the stream: no slot is
 *				reused, only head's pair (publish/consume)
 *				matters
 *	host_tsan reuse		two slots, reused all the time: tail's pair
 *				(free/room) too
 *
 * RING_WAIT and RING_NOTIFY are faked (__wrap_ioctl): the wait polls the
 * counter with relaxed loads and short sleeps, which orders nothing, so
 * it cannot hide a missing pair.  Exit: 0 all delivered, 1 a wrong
 * message or an error, 2 usage; ThreadSanitizer exits 66 on a race.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "spsc.h"

#define FAKE_FD		1000	/* never a real file: every call is faked */
#define TIMEOUT		(20 * 1000000000LL)

int __real_ioctl(int fd, unsigned long req, ...);

static struct ipcchan_ring_hdr *hdr;

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct ipcchan_ring_wait *w;
	struct timespec ts = { 0, 20000 };
	long long left;
	va_list ap;
	void *arg;
	__u64 *pos;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != FAKE_FD)
		return __real_ioctl(fd, req, arg);
	if (req == IPCCHAN_IOC_RING_NOTIFY)
		return 0;
	if (req != IPCCHAN_IOC_RING_WAIT) {
		errno = ENOTTY;
		return -1;
	}
	w = arg;
	pos = w->which == IPCCHAN_RING_PROD ? &hdr->prod.pos : &hdr->cons.pos;
	left = w->timeout_ns;
	/* Relaxed: this wait must create no happens-before edge. */
	while (__atomic_load_n(pos, __ATOMIC_RELAXED) == w->expected) {
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		nanosleep(&ts, NULL);
		left -= ts.tv_nsec;
	}
	return 0;
}

static struct spsc_msg *slots;
static __u64 nslots, count;

/*
 * Set (relaxed: no happens-before edge) once every message is received.
 * The producer stays alive until then: ThreadSanitizer may recycle a
 * finished thread's slot and then no longer report a race with its old
 * accesses, and in "publish" mode the producer, which never waits for
 * room, could finish before the first receive (gcc 14's runtime missed
 * the race in about one run in four that way).
 */
static int consumer_done;

static void fill(struct spsc_msg *m, __u64 seq)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->seq = seq;
	m->len = seq % (SPSC_PAYLOAD + 1);
	for (i = 0; i < SPSC_PAYLOAD; i++)
		m->data[i] = (unsigned char)(seq * 31 + i * 7);
	m->sum = spsc_sum(m);
}

static void *producer(void *arg)
{
	struct spsc r;
	struct spsc_msg m;
	__u64 seq;
	int ret;

	(void)arg;
	spsc_init(&r, FAKE_FD, IPCCHAN_RING_PROD, hdr, slots, nslots);
	for (seq = 0; seq < count; seq++) {
		fill(&m, seq);
		ret = spsc_send(&r, &m, TIMEOUT);
		if (ret) {
			fprintf(stderr, "host_tsan: send %llu: %s\n",
				(unsigned long long)seq, strerror(-ret));
			return (void *)1;
		}
	}
	while (!__atomic_load_n(&consumer_done, __ATOMIC_RELAXED)) {
		struct timespec ts = { 0, 100000 };

		nanosleep(&ts, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct spsc_msg m, want;
	pthread_t t;
	struct spsc r;
	void *pret;
	__u64 seq;
	int ret;

	if (argc == 2 && !strcmp(argv[1], "publish")) {
		nslots = 4096;
		count = 4000;
	} else if (argc == 2 && !strcmp(argv[1], "reuse")) {
		nslots = 2;
		count = 20000;
	} else {
		fprintf(stderr, "usage: host_tsan publish|reuse\n");
		return 2;
	}
	hdr = calloc(1, 4096);
	slots = calloc(nslots, sizeof(*slots));
	if (!hdr || !slots)
		return 1;
	spsc_init(&r, FAKE_FD, IPCCHAN_RING_CONS, hdr, slots, nslots);
	if (pthread_create(&t, NULL, producer, NULL))
		return 1;
	for (seq = 0; seq < count; seq++) {
		ret = spsc_recv(&r, &m, TIMEOUT);
		if (ret) {
			fprintf(stderr, "host_tsan: receive %llu: %s\n",
				(unsigned long long)seq, strerror(-ret));
			return 1;
		}
		fill(&want, seq);
		if (memcmp(&m, &want, sizeof(m))) {
			fprintf(stderr, "host_tsan: message %llu is wrong (seq %llu)\n",
				(unsigned long long)seq,
				(unsigned long long)m.seq);
			return 1;
		}
	}
	__atomic_store_n(&consumer_done, 1, __ATOMIC_RELAXED);
	pthread_join(t, &pret);
	if (pret)
		return 1;
	printf("host_tsan %s: %llu messages through %llu slots, no race\n",
	       argv[1], (unsigned long long)count, (unsigned long long)nslots);
	return 0;
}
