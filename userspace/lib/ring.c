// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libipcchan: the shared-memory ring of a channel (mmap of /dev/ipcchan).
 *
 * This file implements the protocol described in the ring section of
 * <linux/ipcchan.h>: one producer and one consumer, free-running byte
 * positions in the header page, records of an 8-byte header plus payload
 * padded to 8 bytes in a data area that is mapped twice back to back (so a
 * record never has to be split), and a spin-then-sleep wait built on the
 * "waiting" flags and the RING_WAIT/RING_NOTIFY ioctls.
 *
 * The header page is shared with a process we do not trust: every
 * position read from it is checked (aligned, at most one data area ahead of
 * the other side) and every record length is bounded by the data the
 * producer published, so a corrupt ring yields -EBADMSG/-EPROTO, never an
 * access outside the mapping.
 */
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax()	__builtin_ia32_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define cpu_relax()	__asm__ __volatile__("yield" ::: "memory")
#else
#define cpu_relax()	__asm__ __volatile__("" ::: "memory")
#endif

#define load_relaxed(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_relaxed(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define full_barrier()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

#define REC_HDR		((uint64_t)sizeof(struct ipcchan_ring_rec))
#define REC_ALIGN	((uint64_t)IPCCHAN_RING_ALIGN)

static inline uint64_t rec_size(uint64_t payload)
{
	return (REC_HDR + payload + REC_ALIGN - 1) & ~(REC_ALIGN - 1);
}

static int protocol_error(struct ipcchan_ring *r, int err)
{
	r->error = err;
	return err;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Spin-then-sleep.  A side with nothing to do polls the peer's position for
 * at most r->spin nanoseconds (ipcchan_ring_set_spin()) before it sleeps in
 * RING_WAIT.  The bound is time, not iterations: a CPU pause costs from
 * ~1 ns (an emulator) to ~140 ns (recent x86), so a count means nothing.
 * The clock is read only every SPIN_POLLS polls, and at the same points the
 * spinner calls sched_yield(): when the peer runs on the same CPU (the
 * scheduler likes to put a waker and its wakee together) it gets the CPU
 * instead of watching us spin; when it does not, the yield returns at once.
 * The spin only runs while this side has nothing to do: a ring that is
 * neither empty nor full costs no system call at all.
 */
#define SPIN_POLLS	64U

/* The waiting flag of a side sleeping on the peer position @expected. */
#define SLEEP_TAG	0x80000000U
static inline uint32_t sleep_tag(uint64_t expected)
{
	return SLEEP_TAG | (uint32_t)((expected / REC_ALIGN) & ~SLEEP_TAG);
}

/*
 * struct waiter - one blocking call's wait state
 * @timeout_ns: the caller's timeout (< 0 forever, 0 never wait)
 * @deadline: CLOCK_MONOTONIC end of the wait, set at the first clock read
 * @spin_end: CLOCK_MONOTONIC end of the current spin, 0 before the first
 *            clock read of the spin
 * @polls: polls done in the current spin
 * @sleeping: the spin is over, sleep at the next call
 */
struct waiter {
	int64_t timeout_ns;
	int64_t deadline;
	int64_t spin_end;
	unsigned int polls;
	bool sleeping;
};

/*
 * Called when this side has nothing to do after seeing the peer's position
 * @seen.  Spins first (returns 0 so the caller rechecks), then announces
 * itself in @my_waiting and sleeps in RING_WAIT on @which until the peer's
 * position @peer_pos moves.  Returns 0 to recheck, or -errno to give up.
 *
 * Ordering: the store of @my_waiting and the reload of @peer_pos are
 * separated by a full barrier; the peer stores its position and then, after
 * its own full barrier, loads our flag (commit/release below).  At least one
 * of the two sees the other's store: either we see the new position and do
 * not sleep, or the peer sees the flag and notifies.  RING_WAIT rechecks the
 * position after queueing us, closing the window before the sleep.
 *
 * The flag says which position we sleep on (sleep_tag()), so the peer
 * notifies once per sleep (see notify_peer()), not once per record it moves
 * while we are waking up.
 */
static int wait_peer(struct ipcchan_ring *r, struct waiter *w,
		     unsigned int which, __u32 *my_waiting,
		     const __u64 *peer_pos, uint64_t seen)
{
	int64_t left = -1, now;
	int ret;

	if (w->timeout_ns == 0)
		return -EAGAIN;
	if (!w->sleeping) {
		if (++w->polls % SPIN_POLLS) {
			cpu_relax();
			return 0;
		}
		now = now_ns();
		if (w->timeout_ns > 0 && !w->deadline)
			w->deadline = now + w->timeout_ns;
		if (!w->spin_end)
			w->spin_end = now + r->spin;
		if (now < w->spin_end &&
		    (w->timeout_ns < 0 || now < w->deadline)) {
			sched_yield();
			return 0;
		}
		w->sleeping = true;
	}
	if (w->timeout_ns > 0) {
		now = now_ns();
		if (!w->deadline)
			w->deadline = now + w->timeout_ns;
		left = w->deadline - now;
		if (left <= 0)
			return -ETIMEDOUT;
	}

	store_relaxed(my_waiting, sleep_tag(seen));
	full_barrier();
	if (load_acquire(peer_pos) != seen) {
		store_relaxed(my_waiting, 0);
		return 0;
	}
	ret = ipcchan_ring_wait(r->fd, which, seen, left);
	store_relaxed(my_waiting, 0);
	/* Woken: spin again before the next sleep. */
	w->sleeping = false;
	w->spin_end = 0;
	w->polls = 0;
	return ret;
}

/*
 * After a release store that moved our position from @prev: wake the peer
 * if it sleeps (or is about to) waiting for it.  The full barrier orders our
 * position store before the flag load (see wait_peer()).
 *
 * A peer can only need a wake-up from this store if it sleeps on @prev:
 * RING_WAIT returns at once for any other expected position.  This library
 * writes sleep_tag(expected) into its flag, so a flag in that form naming
 * another position belongs to a sleep that an earlier notify (or the
 * position check in RING_WAIT) already ended, and the peer just has not run
 * yet to clear it.  Skipping those saves a system call per record exactly
 * when the peer is slowest to wake.  A flag in any other form (a peer using
 * another implementation, a poller setting 1) is always notified, as the
 * header's protocol says.
 */
static int notify_peer(struct ipcchan_ring *r, unsigned int which,
		       const __u32 *peer_waiting, uint64_t prev)
{
	uint32_t v;
	int ret;

	full_barrier();
	v = load_relaxed(peer_waiting);
	if (!v || ((v & SLEEP_TAG) && v != sleep_tag(prev)))
		return 0;
	ret = ipcchan_ring_notify(r->fd, which);
	return ret < 0 ? ret : 0;
}

__ipc_export int ipcchan_ring_map(int fd, struct ipcchan_ring *r)
{
	struct ipcchan_info info;
	uint64_t d, end;
	void *p;
	int ret;

	if (!r)
		return -EFAULT;
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	ret = ipcchan_info(fd, &info);
	if (ret)
		return ret;
	if (!info.ring_pages)
		return -ENXIO;

	/* The kernel's layout, checked so a bad one cannot hurt us later. */
	d = info.ring_data_size;
	if (d < 2 * REC_HDR || (d & (d - 1)) || d > (SIZE_MAX >> 2))
		return -EPROTO;
	if (info.ring_data_offset % REC_ALIGN ||
	    info.ring_hdr_offset % REC_ALIGN)
		return -EPROTO;
	if (__builtin_add_overflow(info.ring_data_offset, 2 * d, &end) ||
	    end > info.ring_map_size)
		return -EPROTO;
	if (__builtin_add_overflow(info.ring_hdr_offset,
				   (uint64_t)sizeof(struct ipcchan_ring_hdr),
				   &end) ||
	    end > info.ring_map_size || end > info.ring_data_offset ||
	    info.ring_map_size > SIZE_MAX)
		return -EPROTO;

	p = mmap(NULL, (size_t)info.ring_map_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;

	r->fd = fd;
	r->spin = IPCCHAN_RING_SPIN_DEFAULT;
	r->map = p;
	r->map_size = (size_t)info.ring_map_size;
	r->hdr = (struct ipcchan_ring_hdr *)((unsigned char *)p +
					     info.ring_hdr_offset);
	r->data = (unsigned char *)p + info.ring_data_offset;
	r->size = d;
	r->prod.cons_cache = load_acquire(&r->hdr->cons.pos);
	r->cons.prod_cache = r->prod.cons_cache;
	return 0;
}

__ipc_export int ipcchan_ring_unmap(struct ipcchan_ring *r)
{
	if (!r || !r->map)
		return -EINVAL;
	munmap(r->map, r->map_size);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	return 0;
}

__ipc_export void ipcchan_ring_set_spin(struct ipcchan_ring *r,
					unsigned int spins)
{
	if (r)
		r->spin = spins;
}

__ipc_export size_t ipcchan_ring_max_msg(const struct ipcchan_ring *r)
{
	return r && r->size ? (size_t)(r->size - REC_HDR) : 0;
}

__ipc_export struct ipcchan_ring_hdr *
ipcchan_ring_hdr(const struct ipcchan_ring *r, size_t *free_off,
		 size_t *page_size)
{
	if (!r || !r->map)
		return NULL;
	if (free_off)
		*free_off = sizeof(struct ipcchan_ring_hdr);
	if (page_size)
		*page_size = r->data > (unsigned char *)r->hdr ?
			     (size_t)(r->data - (unsigned char *)r->hdr) :
			     (size_t)sysconf(_SC_PAGESIZE);
	return r->hdr;
}

__ipc_export void *ipcchan_ring_data(const struct ipcchan_ring *r, size_t *size)
{
	if (!r || !r->map)
		return NULL;
	if (size)
		*size = (size_t)r->size;
	return r->data;
}

/* ---- producer ---------------------------------------------------------- */

__ipc_export int ipcchan_ring_reserve(struct ipcchan_ring *r, size_t len,
				      void **ptr, int64_t timeout_ns)
{
	struct waiter w = { .timeout_ns = timeout_ns };
	struct ipcchan_ring_hdr *hdr;
	struct ipcchan_ring_rec *rec;
	uint64_t d, h, t, need;
	int ret;

	if (!r || !r->map || !ptr)
		return -EINVAL;
	if (r->prod.resv_len)
		return -EBUSY;
	d = r->size;
	hdr = r->hdr;
	if (len > d - REC_HDR)
		return -EMSGSIZE;
	need = rec_size(len);

	/* We are the only writer of prod.pos; still, it lives in shared memory. */
	h = load_relaxed(&hdr->prod.pos);
	if (h % REC_ALIGN)
		return protocol_error(r, -EBADMSG);
	for (;;) {
		t = r->prod.cons_cache;
		if (h - t <= d && d - (h - t) >= need)
			break;
		/* Pairs with the consumer's store_release of cons.pos: its
		 * reads of the old records are done before we overwrite them.
		 */
		t = load_acquire(&hdr->cons.pos);
		if (h - t > d || t % REC_ALIGN)
			return protocol_error(r, -EBADMSG);
		r->prod.cons_cache = t;	/* cache checked values only */
		if (d - (h - t) >= need)
			break;
		ret = wait_peer(r, &w, IPCCHAN_RING_CONS, &hdr->prod.waiting,
				&hdr->cons.pos, t);
		if (ret)
			return ret;
	}

	/* The data area is mapped twice: the record is contiguous even when
	 * it runs past the end of the first copy.
	 */
	rec = (struct ipcchan_ring_rec *)(r->data + (h & (d - 1)));
	rec->len = (uint32_t)len;
	rec->flags = 0;
	r->prod.resv_pos = h;
	r->prod.resv_len = (uint32_t)need;
	*ptr = rec + 1;
	return 0;
}

__ipc_export int ipcchan_ring_commit(struct ipcchan_ring *r)
{
	struct ipcchan_ring_hdr *hdr;
	uint64_t prev;

	if (!r || !r->map || !r->prod.resv_len)
		return -EINVAL;
	hdr = r->hdr;
	prev = r->prod.resv_pos;
	/* Publish: pairs with the consumer's load_acquire of prod.pos, which
	 * then sees the record header and payload written before this.
	 */
	store_release(&hdr->prod.pos, prev + r->prod.resv_len);
	r->prod.resv_len = 0;
	return notify_peer(r, IPCCHAN_RING_PROD, &hdr->cons.waiting, prev);
}

__ipc_export ssize_t ipcchan_ring_send(struct ipcchan_ring *r, const void *buf,
				       size_t len, int64_t timeout_ns)
{
	void *p;
	int ret;

	if (len && !buf)
		return -EFAULT;
	ret = ipcchan_ring_reserve(r, len, &p, timeout_ns);
	if (ret)
		return ret;
	if (len)
		memcpy(p, buf, len);
	ret = ipcchan_ring_commit(r);
	return ret < 0 ? ret : (ssize_t)len;
}

/* ---- consumer ---------------------------------------------------------- */

/* Give [@prev, @to) back to the producer and wake it if it sleeps. */
static int consume_to(struct ipcchan_ring *r, uint64_t prev, uint64_t to)
{
	struct ipcchan_ring_hdr *hdr = r->hdr;

	/* Pairs with the producer's load_acquire of cons.pos: our reads of
	 * the record are complete before it may reuse the space.
	 */
	store_release(&hdr->cons.pos, to);
	return notify_peer(r, IPCCHAN_RING_CONS, &hdr->prod.waiting, prev);
}

__ipc_export int ipcchan_ring_peek(struct ipcchan_ring *r, const void **ptr,
				   size_t *len, int64_t timeout_ns)
{
	struct waiter w = { .timeout_ns = timeout_ns };
	struct ipcchan_ring_hdr *hdr;
	const struct ipcchan_ring_rec *rec;
	uint64_t d, h, t, total;
	uint32_t rlen, rflags;
	int ret;

	if (!r || !r->map || !ptr || !len)
		return -EINVAL;
	d = r->size;
	if (r->cons.peek_len) {
		*ptr = r->data + (r->cons.peek_pos & (d - 1)) + REC_HDR;
		*len = r->cons.peek_payload;
		return 0;
	}
	hdr = r->hdr;
	t = load_relaxed(&hdr->cons.pos);
	if (t % REC_ALIGN)
		return protocol_error(r, -EBADMSG);
	for (;;) {
		h = r->cons.prod_cache;
		if (h == t || h - t > d) {
			/* Pairs with the producer's store_release of prod.pos:
			 * the records before it are fully written.
			 */
			h = load_acquire(&hdr->prod.pos);
			if (h - t > d || h % REC_ALIGN)
				return protocol_error(r, -EBADMSG);
			r->cons.prod_cache = h;
			if (h == t) {
				ret = wait_peer(r, &w, IPCCHAN_RING_PROD,
						&hdr->cons.waiting,
						&hdr->prod.pos, h);
				if (ret)
					return ret;
				continue;
			}
		}

		/* h - t bytes of complete records: check the one at t fits. */
		if (h - t < REC_HDR)
			return protocol_error(r, -EBADMSG);
		rec = (const struct ipcchan_ring_rec *)(r->data + (t & (d - 1)));
		/* Read once: the peer could change it under us. */
		rlen = load_relaxed(&rec->len);
		rflags = load_relaxed(&rec->flags);
		if (rlen > d - REC_HDR)
			return protocol_error(r, -EBADMSG);
		total = rec_size(rlen);
		if (total > h - t)
			return protocol_error(r, -EBADMSG);
		if (rflags & ~IPCCHAN_RING_REC_PAD)
			return protocol_error(r, -EPROTO);
		if (rflags & IPCCHAN_RING_REC_PAD) {
			ret = consume_to(r, t, t + total);
			t += total;
			if (ret)
				return ret;
			continue;
		}
		r->cons.peek_pos = t;
		r->cons.peek_len = (uint32_t)total;
		r->cons.peek_payload = rlen;
		*ptr = rec + 1;
		*len = rlen;
		return 0;
	}
}

__ipc_export int ipcchan_ring_release(struct ipcchan_ring *r)
{
	uint64_t from, len;

	if (!r || !r->map || !r->cons.peek_len)
		return -EINVAL;
	from = r->cons.peek_pos;
	len = r->cons.peek_len;
	r->cons.peek_len = 0;
	return consume_to(r, from, from + len);
}

__ipc_export ssize_t ipcchan_ring_recv(struct ipcchan_ring *r, void *buf,
				       size_t cap, int64_t timeout_ns)
{
	const void *p;
	size_t len;
	int ret;

	ret = ipcchan_ring_peek(r, &p, &len, timeout_ns);
	if (ret)
		return ret;
	if (len > cap)
		return -EMSGSIZE;
	if (len) {
		if (!buf)
			return -EFAULT;
		memcpy(buf, p, len);
	}
	ret = ipcchan_ring_release(r);
	return ret < 0 ? ret : (ssize_t)len;
}
