// SPDX-License-Identifier: GPL-2.0
/*
 * spsc.c: lab 3's single-producer, single-consumer ring (spsc.h says what
 * it is; HANDOUT.md what to do).
 *
 * Four accesses to shared memory carry the whole protocol:
 *
 *	producer (spsc_send)			consumer (spsc_recv)
 *	tail = load(cons.pos)	[room]		head = load(prod.pos)	[consume]
 *	if head - tail < nslots:		if head != tail:
 *	    write slot head			    read slot tail
 *	    store(prod.pos, head + 1) [publish]	    store(cons.pos, tail + 1) [free]
 *
 * A side that finds nothing to do sleeps (spsc_wait()), and a side that
 * moved its counter wakes a sleeping peer (spsc_kick()): the "Sleeping"
 * paragraph of the ring section of <linux/ipcchan.h>.
 *
 * Built three ways: into lab3_test for the VM, into lab3_delay_test with
 * LAB3_DELAY (spsc_delay.c: slot_write() and slot_read() pause in the
 * middle of a slot and after it, so that an access done in the wrong
 * order is caught by the peer), and on the host with ThreadSanitizer
 * (host-check.sh: a release/acquire pair that is missing is a data race
 * on the slot, whatever the CPU does).
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "spsc.h"

#define SPSC_SPIN	100	/* checks of the peer before sleeping */

#ifdef LAB3_DELAY
/* Long enough for the peer, on the other CPU or this one, to run. */
static void lab3_delay(void)
{
	usleep(50);
}
#else
static inline void lab3_delay(void)
{
}
#endif

static long long spsc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

__u32 spsc_sum(const struct spsc_msg *m)
{
	__u32 h = 2166136261u ^ m->len;
	unsigned int i;

	h = (h ^ (__u32)m->seq) * 16777619u;
	h = (h ^ (__u32)(m->seq >> 32)) * 16777619u;
	for (i = 0; i < SPSC_PAYLOAD; i++)
		h = (h ^ m->data[i]) * 16777619u;
	return h;
}

/*
 * Copy a message into its slot, and out of it.  Plain memory accesses: the
 * slot is only ever touched by one side at a time, and the counters say
 * which.  With LAB3_DELAY they pause halfway and at the end.
 */
static void slot_write(struct spsc_msg *slot, const struct spsc_msg *m)
{
	memcpy(slot, m, offsetof(struct spsc_msg, data));
	lab3_delay();
	memcpy(slot->data, m->data, sizeof(m->data));
	lab3_delay();
}

static void slot_read(struct spsc_msg *m, const struct spsc_msg *slot)
{
	memcpy(m, slot, offsetof(struct spsc_msg, data));
	lab3_delay();
	memcpy(m->data, slot->data, sizeof(m->data));
	lab3_delay();
}

/*
 * RING_WAIT on counter @which (IPCCHAN_RING_PROD: head, for the consumer;
 * IPCCHAN_RING_CONS: tail, for the producer) while it still holds @seen,
 * until the absolute CLOCK_MONOTONIC time @deadline.  Returns 0 when the
 * counter moved or a RING_NOTIFY came (look again), -ETIMEDOUT or -EINTR.
 */
static inline int spsc_sys_wait(struct spsc *r, __u32 which, __u64 seen,
				long long deadline)
{
	struct ipcchan_ring_wait rw;
	long long left = deadline - spsc_now_ns();

	if (left <= 0)
		return -ETIMEDOUT;
	memset(&rw, 0, sizeof(rw));
	rw.which = which;
	rw.flags = IPCCHAN_TIMEOUT;
	rw.expected = seen;
	rw.timeout_ns = left;
	r->sleeps++;
	if (ioctl(r->fd, IPCCHAN_IOC_RING_WAIT, &rw) < 0)
		return -errno;
	return 0;
}

/* RING_NOTIFY on counter @which: wakes the peer sleeping on it. */
static inline void spsc_sys_notify(struct spsc *r, __u32 which)
{
	struct ipcchan_ring_notify rn;

	memset(&rn, 0, sizeof(rn));
	rn.which = which;
	r->notifies++;
	ioctl(r->fd, IPCCHAN_IOC_RING_NOTIFY, &rn);
}

/*
 * Wait until counter @which (the peer's) moves away from @seen, or the
 * deadline passes.  Returns 0 when the caller should look again,
 * -ETIMEDOUT or -EINTR.
 */
static int spsc_wait(struct spsc *r, __u32 which, __u64 seen,
		     long long deadline)
{
	/* LAB3 BEGIN wait: bounded spin, then flag, full barrier, second look, spsc_sys_wait() */
	__u64 *peer_pos = which == IPCCHAN_RING_PROD ? &r->hdr->prod.pos :
						       &r->hdr->cons.pos;
	__u32 *my_flag = which == IPCCHAN_RING_PROD ? &r->hdr->cons.waiting :
						      &r->hdr->prod.waiting;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < r->spin; i++) {
		if (__atomic_load_n(peer_pos, __ATOMIC_RELAXED) != seen)
			return 0;
		cpu_relax();
	}
	__atomic_store_n(my_flag, 1, __ATOMIC_RELAXED);
	/*
	 * The flag store before the second look: pairs with the full barrier
	 * in the peer's spsc_kick() between its counter store and its flag
	 * load.  Either the peer sees the flag and notifies, or this look
	 * sees its new counter (the store-buffering pattern).
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(peer_pos, __ATOMIC_RELAXED) == seen)
		ret = spsc_sys_wait(r, which, seen, deadline);
	__atomic_store_n(my_flag, 0, __ATOMIC_RELAXED);
	return ret;
	/*
	 * LAB3 STUB wait
	 *	(void)r;
	 *	(void)which;
	 *	(void)seen;
	 *	if (spsc_now_ns() > deadline)
	 *		return -ETIMEDOUT;
	 *	sched_yield();
	 *	return 0;
	 * LAB3 END wait
	 */
}

/* After moving counter @which (this side's): wake the peer if it sleeps. */
static void spsc_kick(struct spsc *r, __u32 which)
{
	/* LAB3 BEGIN kick: full barrier, then spsc_sys_notify() only if the peer's flag is up */
	__u32 *peer_flag = which == IPCCHAN_RING_PROD ? &r->hdr->cons.waiting :
							&r->hdr->prod.waiting;

	/* The counter store before the flag load: see spsc_wait(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(peer_flag, __ATOMIC_RELAXED))
		spsc_sys_notify(r, which);
	/*
	 * LAB3 STUB kick
	 *	(void)r;
	 *	(void)which;
	 * LAB3 END kick
	 */
}

int spsc_send(struct spsc *r, const struct spsc_msg *m, long long timeout_ns)
{
	long long deadline = spsc_now_ns() + timeout_ns;
	__u64 head = r->pos, tail;
	struct spsc_msg *slot = &r->slots[head & (r->nslots - 1)];
	int ret;

	for (;;) {
		/* LAB3 BEGIN room: the consumer must be done reading the slot you write */
		tail = __atomic_load_n(&r->hdr->cons.pos, __ATOMIC_ACQUIRE);
		/*
		 * LAB3 STUB room
		 *	tail = __atomic_load_n(&r->hdr->cons.pos, __ATOMIC_RELAXED);
		 * LAB3 END room
		 */
		if (head - tail > r->nslots)
			return -EIO;
		if (head - tail < r->nslots)
			break;
		ret = spsc_wait(r, IPCCHAN_RING_CONS, tail, deadline);
		if (ret)
			return ret;
	}
	/* LAB3 BEGIN publish: the slot's bytes must be visible before the new head */
	slot_write(slot, m);	/* all of the message, then head */
	__atomic_store_n(&r->hdr->prod.pos, head + 1, __ATOMIC_RELEASE);
	/*
	 * LAB3 STUB publish
	 *	slot_write(slot, m);
	 *	__atomic_store_n(&r->hdr->prod.pos, head + 1, __ATOMIC_RELAXED);
	 * LAB3 END publish
	 */
	r->pos = head + 1;
	spsc_kick(r, IPCCHAN_RING_PROD);
	return 0;
}

int spsc_recv(struct spsc *r, struct spsc_msg *m, long long timeout_ns)
{
	long long deadline = spsc_now_ns() + timeout_ns;
	__u64 tail = r->pos, head;
	const struct spsc_msg *slot = &r->slots[tail & (r->nslots - 1)];
	int ret;

	for (;;) {
		/* LAB3 BEGIN consume: the producer must be done writing the slot you read */
		head = __atomic_load_n(&r->hdr->prod.pos, __ATOMIC_ACQUIRE);
		/*
		 * LAB3 STUB consume
		 *	head = __atomic_load_n(&r->hdr->prod.pos, __ATOMIC_RELAXED);
		 * LAB3 END consume
		 */
		if (head - tail > r->nslots)
			return -EIO;
		if (head != tail)
			break;
		ret = spsc_wait(r, IPCCHAN_RING_PROD, tail, deadline);
		if (ret)
			return ret;
	}
	/* LAB3 BEGIN free: the producer may overwrite the slot only after your reads */
	slot_read(m, slot);	/* all of the message, then tail */
	__atomic_store_n(&r->hdr->cons.pos, tail + 1, __ATOMIC_RELEASE);
	/*
	 * LAB3 STUB free
	 *	slot_read(m, slot);
	 *	__atomic_store_n(&r->hdr->cons.pos, tail + 1, __ATOMIC_RELAXED);
	 * LAB3 END free
	 */
	r->pos = tail + 1;
	spsc_kick(r, IPCCHAN_RING_CONS);
	return 0;
}

void spsc_init(struct spsc *r, int fd, __u32 side,
	       struct ipcchan_ring_hdr *hdr, struct spsc_msg *slots,
	       __u64 nslots)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->hdr = hdr;
	r->slots = slots;
	r->nslots = nslots;
	r->spin = SPSC_SPIN;
	/* Where this side left off (0 on a new ring). */
	r->pos = __atomic_load_n(side == IPCCHAN_RING_PROD ? &hdr->prod.pos :
				 &hdr->cons.pos, __ATOMIC_ACQUIRE);
}

int spsc_open(struct spsc *r, int fd, __u32 side, __u64 nslots)
{
	struct ipcchan_info info;
	__u64 fit;
	void *p;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, IPCCHAN_IOC_INFO, &info) < 0)
		return -errno;
	if (!info.ring_pages)
		return -ENXIO;
	fit = info.ring_data_size / sizeof(struct spsc_msg);
	if (!nslots)
		nslots = fit;
	if (nslots > fit || (nslots & (nslots - 1)))
		return -EINVAL;
	p = mmap(NULL, info.ring_map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	spsc_init(r, fd, side, p,
		  (struct spsc_msg *)((char *)p + info.ring_data_offset),
		  nslots);
	r->map = p;
	r->map_size = info.ring_map_size;
	return 0;
}

void spsc_close(struct spsc *r)
{
	if (r->map)
		munmap(r->map, r->map_size);
	r->map = NULL;
	r->hdr = NULL;
	r->slots = NULL;
}
