/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spsc.h: lab 3's single-producer, single-consumer ring of fixed-size
 * slots, on the shared pages of an ipcchan channel (HANDOUT.md).
 *
 * The ring lives in the pages mmap(2) of /dev/ipcchan gives a channel
 * created with ring pages (the ring section of <linux/ipcchan.h>):
 *	hdr->prod.pos	head: how many messages the producer has published
 *	hdr->cons.pos	tail: how many messages the consumer has taken
 *	data area	nslots slots; message number n is in slot n % nslots
 * Both counters only grow; head - tail is the number of full slots.  The
 * two "waiting" flags of the header and RING_WAIT/RING_NOTIFY let a side
 * with nothing to do sleep in the kernel instead of spinning.
 *
 * The producer owns head and the consumer owns tail: each counter has a
 * single writer.  The two sides are two processes (each with its struct
 * spsc, from spsc_open()) or, on the host, two threads (spsc_init()).
 */
#ifndef LAB3_SPSC_H
#define LAB3_SPSC_H

#include <stddef.h>
#include <linux/ipcchan.h>

#define SPSC_PAYLOAD	48

/* One message: a slot is exactly one (64 bytes, a cache line). */
struct spsc_msg {
	__u64 seq;			/* the sender's sequence number */
	__u32 len;			/* bytes of data[] in use */
	__u32 sum;			/* checksum of seq, len and data[] */
	unsigned char data[SPSC_PAYLOAD];
};

/* One side of a ring. */
struct spsc {
	int fd;				/* the attached /dev/ipcchan file */
	struct ipcchan_ring_hdr *hdr;	/* shared: head, tail, waiting flags */
	struct spsc_msg *slots;		/* shared: the slots */
	__u64 nslots;			/* a power of two */
	__u64 pos;			/* private copy of this side's counter */
	unsigned int spin;		/* checks of the peer before sleeping */
	__u64 sleeps;			/* RING_WAIT calls (spsc_sys_wait) */
	__u64 notifies;			/* RING_NOTIFY calls (spsc_sys_notify) */
	void *map;			/* spsc_open()'s mapping, or NULL */
	size_t map_size;
};

/*
 * Map the ring of the channel @fd is attached to (read-write) and use
 * @nslots slots of it (0: as many as fit; else a power of two that fits).
 * @side is IPCCHAN_RING_PROD for the producer, IPCCHAN_RING_CONS for the
 * consumer.  Returns 0 or -errno.
 */
int spsc_open(struct spsc *r, int fd, __u32 side, __u64 nslots);
void spsc_close(struct spsc *r);

/*
 * The same over memory the caller provides: @hdr (a zeroed struct
 * ipcchan_ring_hdr) and @slots (@nslots of them, a power of two).  The
 * host's ThreadSanitizer test uses it; @fd is what RING_WAIT and
 * RING_NOTIFY are called on.
 */
void spsc_init(struct spsc *r, int fd, __u32 side,
	       struct ipcchan_ring_hdr *hdr, struct spsc_msg *slots,
	       __u64 nslots);

/*
 * Send a copy of @m, waiting at most @timeout_ns for a free slot.
 * Returns 0, -ETIMEDOUT, -EINTR or -EIO (the shared counters make no
 * sense: head - tail > nslots).
 */
int spsc_send(struct spsc *r, const struct spsc_msg *m, long long timeout_ns);

/*
 * Receive the oldest message into @m, waiting at most @timeout_ns for one.
 * Returns 0, -ETIMEDOUT, -EINTR or -EIO.
 */
int spsc_recv(struct spsc *r, struct spsc_msg *m, long long timeout_ns);

/* The checksum spsc_msg.sum holds; what the tests fill and check. */
__u32 spsc_sum(const struct spsc_msg *m);

#endif /* LAB3_SPSC_H */
