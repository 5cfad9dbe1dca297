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
#include <stddef.h>
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

/*
 * The record at ring position pos.  The data area is mapped twice, so a
 * record is contiguous even when it runs past the end of the first copy.
 */
static inline struct ipcchan_ring_rec *rec_at(const struct ipcchan_ring *r,
					      uint64_t pos)
{
	return (struct ipcchan_ring_rec *)(r->data + (pos & (r->size - 1)));
}

static __attribute__((noinline, cold)) int protocol_error(struct ipcchan_ring *r,
						      int err)
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
 * neither empty nor full costs no system call at all.  Spin 0 polls not
 * even once: a side with nothing to do sleeps in RING_WAIT at once.
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
	/* Spin 0: no poll at all, every wait sleeps in RING_WAIT. */
	if (!w->sleeping && r->spin) {
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
 * The one-compare gates of the fast paths (see "the fast paths" below):
 * prod.fast and cons.fast are 0 while the ring is unmapped, a record is
 * reserved or peeked, so every fast path check fails and the slow path sorts
 * the case out.
 */
static inline void prod_fast_on(struct ipcchan_ring *r)
{
	r->prod.fast = r->size - (REC_HDR - 1);	/* len < fast: len <= max */
}

static inline void cons_fast_on(struct ipcchan_ring *r)
{
	r->cons.fast = r->size / REC_ALIGN;
}

_Static_assert(sizeof(struct ipcchan_ring) == 192 &&
	       offsetof(struct ipcchan_ring, prod) == 64 &&
	       offsetof(struct ipcchan_ring, cons) == 128,
	       "struct ipcchan_ring is allocated by the caller: keep its size");
/*
 * A record with its header takes up to D <= 2^32 bytes (ipcchan_ring_map()
 * allows a 4 GiB ring): a 32-bit length would store 2^32 as 0, "none".
 */
_Static_assert(sizeof(((struct ipcchan_ring *)0)->prod.resv_len) == 8 &&
	       sizeof(((struct ipcchan_ring *)0)->cons.peek_len) == 8,
	       "a padded record length needs 33 bits");

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
	/* The ring header's layout is that of our ABI version (2 moved it). */
	if (info.mod.abi_version != IPCCHAN_ABI_VERSION)
		return -EPROTONOSUPPORT;

	/* The kernel's layout, checked so a bad one cannot hurt us later. */
	d = info.ring_data_size;
	/* At most 4 GiB: a record length is 32 bits, and the fast path of
	 * ipcchan_ring_recv() relies on every payload bound being < 2^32.
	 */
	if (d < 2 * REC_HDR || (d & (d - 1)) || d > (SIZE_MAX >> 2) ||
	    d > ((uint64_t)1 << 32))
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
	/* The caches are never used unchecked; they are only ever aligned. */
	r->prod.cons_cache = load_acquire(&r->hdr->cons.pos) & ~(REC_ALIGN - 1);
	r->cons.prod_cache = r->prod.cons_cache;
	prod_fast_on(r);
	cons_fast_on(r);
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
					unsigned int spin_ns)
{
	if (r)
		r->spin = spin_ns;
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

/* ---- the fast paths ---------------------------------------------------- *
 *
 * ipcchan_ring_send()/recv() and the zero-copy calls share one shape: a
 * fast path for a ring that is neither empty nor full, which costs what a
 * hand-written SPSC ring costs (one load of each side's own position, the
 * cached peer position, one 8-byte record header access, the release store
 * and the notify check), and out-of-line slow paths for everything else:
 * re-reading the peer's position and waiting, padding records, corrupt
 * headers, records kept or reserved, bad arguments.  The slow paths check
 * everything again from the start and report exactly as they always did.
 * Every value read from shared memory is read once and checked before it
 * is used, in the fast path as in the slow one, with as few compares as the
 * arithmetic allows:
 *
 *  - our own position is re-read from the header page on every call (a
 *    producer or consumer may be handed over between processes that
 *    serialize among themselves); the cached peer position was checked
 *    when it was read, and caches only ever hold aligned values;
 *  - so the distance x between the two is a multiple of 8 exactly when our
 *    position is aligned, and words(x) (x rotated right by 3) is x / 8 for
 *    an aligned x and >= 2^61 otherwise: the producer's one compare
 *    words(h - t) <= (D - need) / 8 means "aligned, 0 <= h - t <= D and
 *    room for need bytes"; the consumer's words(h - t) - 1 < D / 8 means
 *    "aligned and 8 <= h - t <= D", at least one record header published;
 *  - prod.fast / cons.fast are 0 while the ring is unmapped or a record is
 *    reserved / peeked (those cases take the slow path), and the producer's
 *    len < prod.fast is also the -EMSGSIZE bound;
 *  - a record header is loaded with one 8-byte access (rec_word_len()): its
 *    length with the flags above bit 32, and since D <= 2^32 (checked at
 *    map time) any flag makes it larger than every bound, so one compare
 *    with min(cap, h - t - 8) says "no flags, within the bytes published,
 *    fits the buffer".  h - t <= D then bounds the record by the data area.
 */

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define __slow		__attribute__((noinline, cold))
#define __outline	__attribute__((noinline))
#define __fast		inline __attribute__((always_inline))

typedef uint64_t __attribute__((may_alias)) rec_word_t;

/* Write a record header with one 8-byte store. */
static __fast void rec_hdr_write(struct ipcchan_ring_rec *rec, uint32_t len)
{
	struct ipcchan_ring_rec v = { .len = len, .flags = 0 };
	uint64_t w;

	memcpy(&w, &v, sizeof(w));
	*(rec_word_t *)(void *)rec = w;
}

/* Read a record header once, length and flags in one 8-byte load. */
static __fast struct ipcchan_ring_rec
rec_hdr_read(const struct ipcchan_ring_rec *rec)
{
	struct ipcchan_ring_rec v;
	uint64_t w = load_relaxed((const rec_word_t *)(const void *)rec);

	memcpy(&v, &w, sizeof(v));
	return v;
}

/*
 * Read a record header once, as one number: its length when it has no
 * flags, >= 2^32 when it has any.
 */
static __fast uint64_t rec_word_len(const struct ipcchan_ring_rec *rec)
{
	uint64_t w = load_relaxed((const rec_word_t *)(const void *)rec);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return w;			/* len in bits 0..31, flags above */
#else
	return (w >> 32) | (w << 32);	/* len first in memory: swap halves */
#endif
}

/*
 * Copy a payload of @n <= SMALL_COPY bytes in or out: two moves of a fixed
 * size that overlap as needed (what the C library's memcpy() does for these
 * sizes, without the call, which costs more than such a copy).  It reads
 * and writes exactly [0, n) of both buffers, which do not overlap (as for
 * memcpy()), so the two moves write the same bytes where they overlap.
 */
#define SMALL_COPY		64U
#define copy_fixed(d, s, k)	__builtin_memcpy((d), (s), (k))
static __fast void copy_small(unsigned char *d, const unsigned char *s,
			      size_t n)
{
	if (n > 32) {
		copy_fixed(d, s, 32);
		copy_fixed(d + n - 32, s + n - 32, 32);
	} else if (n >= 16) {
		copy_fixed(d, s, 16);
		copy_fixed(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		copy_fixed(d, s, 8);
		copy_fixed(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		copy_fixed(d, s, 4);
		copy_fixed(d + n - 4, s + n - 4, 4);
	} else if (n) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/* @x / 8 when @x is a multiple of 8, else >= 2^61 (x rotated right by 3). */
static __fast uint64_t words(uint64_t x)
{
	return (x >> 3) | (x << 61);
}

static __slow int notify_slow(struct ipcchan_ring *r, unsigned int which,
			      uint32_t v, uint64_t prev)
{
	int ret;

	if ((v & SLEEP_TAG) && v != sleep_tag(prev))
		return 0;
	ret = ipcchan_ring_notify(r->fd, which);
	return ret < 0 ? ret : 0;
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
static __fast int notify_peer(struct ipcchan_ring *r, unsigned int which,
			      const __u32 *peer_waiting, uint64_t prev)
{
	uint32_t v;

	full_barrier();
	v = load_relaxed(peer_waiting);
	if (likely(!v))
		return 0;
	return notify_slow(r, which, v, prev);
}

/* ---- producer ---------------------------------------------------------- */

/*
 * Slow path of prod_room(): the consumer position @t (checked) leaves less
 * than @need bytes after our position @h.  Wait until it does.
 */
static __slow int prod_wait_room(struct ipcchan_ring *r, uint64_t h,
				 uint64_t need, uint64_t t, int64_t timeout_ns)
{
	struct waiter w = { .timeout_ns = timeout_ns };
	struct ipcchan_ring_hdr *hdr = r->hdr;
	uint64_t d = r->size;
	int ret;

	for (;;) {
		ret = wait_peer(r, &w, IPCCHAN_RING_CONS, &hdr->prod.waiting,
				&hdr->cons.pos, t);
		if (ret)
			return ret;
		t = load_acquire(&hdr->cons.pos);
		if (h - t > d || t % REC_ALIGN)
			return protocol_error(r, -EBADMSG);
		r->prod.cons_cache = t;	/* cache checked values only */
		if (d - (h - t) >= need)
			return 0;
	}
}

/*
 * Find room for a record of @need bytes (need <= D): returns 0 and our
 * position in *@hp, or -errno.
 */
static __fast int prod_room(struct ipcchan_ring *r, uint64_t need,
			    int64_t timeout_ns, uint64_t *hp)
{
	struct ipcchan_ring_hdr *hdr = r->hdr;
	uint64_t d = r->size, h, t;

	/* We are the only writer of prod.pos; still, it lives in shared memory. */
	h = load_relaxed(&hdr->prod.pos);
	*hp = h;
	if (unlikely(h % REC_ALIGN))
		return protocol_error(r, -EBADMSG);
	t = r->prod.cons_cache;
	if (likely(h - t <= d && d - (h - t) >= need))
		return 0;
	/* Pairs with the consumer's store_release of cons.pos: its reads of
	 * the old records are done before we overwrite them.
	 */
	t = load_acquire(&hdr->cons.pos);
	if (unlikely(h - t > d || t % REC_ALIGN))
		return protocol_error(r, -EBADMSG);
	r->prod.cons_cache = t;	/* cache checked values only */
	if (likely(d - (h - t) >= need))
		return 0;
	return prod_wait_room(r, h, need, t, timeout_ns);
}

/*
 * The producer's fast path test for a record of @need bytes (need <= D) at
 * our position @h: against the cached consumer position t (aligned), h
 * aligned, 0 <= h - t <= D and D - (h - t) >= need, in one compare.  When
 * the cache says no, the consumer position is re-read and checked the same
 * way (t itself aligned too) before it is cached; false sends the caller to
 * the slow path, which waits or reports what is wrong.
 */
static __fast bool prod_fits(struct ipcchan_ring *r, uint64_t h,
			     uint64_t need)
{
	uint64_t lim = (r->size - need) / REC_ALIGN, t;

	if (likely(words(h - r->prod.cons_cache) <= lim))
		return true;
	/* Pairs with the consumer's store_release of cons.pos: its reads of
	 * the old records are done before we overwrite them.
	 */
	t = load_acquire(&r->hdr->cons.pos);
	if (unlikely(words((h - t) | (t % REC_ALIGN)) > lim))
		return false;
	r->prod.cons_cache = t;	/* cache checked values only */
	return true;
}

/* Publish the record(s) in [@prev, @next). */
static __fast int prod_publish(struct ipcchan_ring *r, uint64_t prev,
			       uint64_t next)
{
	struct ipcchan_ring_hdr *hdr = r->hdr;

	/* Pairs with the consumer's load_acquire of prod.pos, which then sees
	 * the record header and payload written before this.
	 */
	store_release(&hdr->prod.pos, next);
	return notify_peer(r, IPCCHAN_RING_PROD, &hdr->cons.waiting, prev);
}

/*
 * The producer's common start (ring_send and ring_reserve): wait for room
 * for a record of @len payload bytes and write its header at *h.  @r was
 * checked by the caller.
 */
static __fast int prod_begin(struct ipcchan_ring *r, size_t len,
			   int64_t timeout_ns, uint64_t *h,
			   struct ipcchan_ring_rec **rec)
{
	int ret;

	if (unlikely(r->prod.resv_len))
		return -EBUSY;
	if (unlikely(len > r->size - REC_HDR))
		return -EMSGSIZE;
	ret = prod_room(r, rec_size(len), timeout_ns, h);
	if (unlikely(ret))
		return ret;
	*rec = rec_at(r, *h);
	rec_hdr_write(*rec, (uint32_t)len);
	return 0;
}

/* The reserved record is at @h, @need bytes: no fast path until commit. */
static __fast void prod_set_resv(struct ipcchan_ring *r, uint64_t h,
				 uint64_t need)
{
	r->prod.resv_pos = h;
	r->prod.resv_len = need;
	r->prod.fast = 0;
}

/* ipcchan_ring_reserve() in general: waits, reports every error. */
static __outline int reserve_slow(struct ipcchan_ring *r, size_t len,
				  void **ptr, int64_t timeout_ns)
{
	struct ipcchan_ring_rec *rec;
	uint64_t h;
	int ret;

	if (!r || !r->map || !ptr)
		return -EINVAL;
	ret = prod_begin(r, len, timeout_ns, &h, &rec);
	if (ret)
		return ret;
	prod_set_resv(r, h, rec_size(len));
	*ptr = rec + 1;
	return 0;
}

__ipc_export int ipcchan_ring_reserve(struct ipcchan_ring *r, size_t len,
				      void **ptr, int64_t timeout_ns)
{
	struct ipcchan_ring_rec *rec;
	uint64_t h, need;

	if (unlikely(!r || !ptr || len >= r->prod.fast))
		return reserve_slow(r, len, ptr, timeout_ns);
	need = rec_size(len);
	h = load_relaxed(&r->hdr->prod.pos);
	if (unlikely(!prod_fits(r, h, need)))
		return reserve_slow(r, len, ptr, timeout_ns);
	rec = rec_at(r, h);
	rec_hdr_write(rec, (uint32_t)len);
	prod_set_resv(r, h, need);
	*ptr = rec + 1;
	return 0;
}

__ipc_export int ipcchan_ring_commit(struct ipcchan_ring *r)
{
	uint64_t prev, len;

	if (unlikely(!r || !r->map || !r->prod.resv_len))
		return -EINVAL;
	prev = r->prod.resv_pos;
	len = r->prod.resv_len;
	r->prod.resv_len = 0;
	prod_fast_on(r);
	return prod_publish(r, prev, prev + len);
}

/* ipcchan_ring_send() in general: waits, reports every error. */
static __outline ssize_t send_slow(struct ipcchan_ring *r, const void *buf,
				   size_t len, int64_t timeout_ns)
{
	struct ipcchan_ring_rec *rec;
	uint64_t h;
	int ret;

	if (len && !buf)
		return -EFAULT;
	if (!r || !r->map)
		return -EINVAL;
	ret = prod_begin(r, len, timeout_ns, &h, &rec);
	if (ret)
		return ret;
	if (len)
		memcpy(rec + 1, buf, len);
	ret = prod_publish(r, h, h + rec_size(len));
	return ret < 0 ? ret : (ssize_t)len;
}

/*
 * The tail of ipcchan_ring_send() for payloads above SMALL_COPY (memcpy)
 * and for a peer whose waiting flag is set: out of line and reached by a
 * tail call, so the fast path for small records calls nothing and saves no
 * registers.
 */
static __outline ssize_t send_tail(struct ipcchan_ring *r,
				   struct ipcchan_ring_rec *rec,
				   const void *buf, size_t len, uint64_t h,
				   uint64_t need)
{
	int ret;

	if (len > SMALL_COPY)
		memcpy(rec + 1, buf, len);
	ret = prod_publish(r, h, h + need);
	return ret < 0 ? ret : (ssize_t)len;
}

static __slow ssize_t send_notify(struct ipcchan_ring *r, uint32_t v,
				  uint64_t prev, size_t len)
{
	int ret = notify_slow(r, IPCCHAN_RING_PROD, v, prev);

	return ret < 0 ? ret : (ssize_t)len;
}

__ipc_export ssize_t ipcchan_ring_send(struct ipcchan_ring *r, const void *buf,
				       size_t len, int64_t timeout_ns)
{
	struct ipcchan_ring_hdr *hdr;
	struct ipcchan_ring_rec *rec;
	uint64_t h, need;
	uint32_t v;

	if (unlikely((r == NULL) | (buf == NULL)) ||
	    unlikely(len >= r->prod.fast))
		return send_slow(r, buf, len, timeout_ns);
	hdr = r->hdr;
	need = rec_size(len);
	h = load_relaxed(&hdr->prod.pos);
	if (unlikely(!prod_fits(r, h, need)))
		return send_slow(r, buf, len, timeout_ns);
	rec = rec_at(r, h);
	rec_hdr_write(rec, (uint32_t)len);
	if (unlikely(len > SMALL_COPY))
		return send_tail(r, rec, buf, len, h, need);
	copy_small((unsigned char *)(rec + 1), buf, len);
	/* prod_publish(), with the notify out of line. */
	store_release(&hdr->prod.pos, h + need);
	full_barrier();
	v = load_relaxed(&hdr->cons.waiting);
	if (unlikely(v))
		return send_notify(r, v, h, len);
	return (ssize_t)len;
}

/* ---- consumer ---------------------------------------------------------- */

/* Give [@prev, @to) back to the producer and wake it if it sleeps. */
static __fast int consume_to(struct ipcchan_ring *r, uint64_t prev,
			     uint64_t to)
{
	struct ipcchan_ring_hdr *hdr = r->hdr;

	/* Pairs with the producer's load_acquire of cons.pos: our reads of
	 * the record are complete before it may reuse the space.
	 */
	store_release(&hdr->cons.pos, to);
	return notify_peer(r, IPCCHAN_RING_CONS, &hdr->prod.waiting, prev);
}

/*
 * The next record for the user: @t its start, @len its payload length, or
 * @len < 0 an -errno.  Two integers, so it comes back in registers.
 */
struct next_rec {
	uint64_t t;
	int64_t len;
};

static __fast struct next_rec next_err(int err)
{
	return (struct next_rec){ .t = 0, .len = err };
}

/*
 * Padding records carry nothing for the user, and neither this library nor
 * the module writes any (the double mapping needs no wrap padding): they
 * come from another producer implementation, at most one between two
 * records in any sane use.  A producer that publishes only padding, as fast
 * as we skip it, must not hold a call past its timeout: a call skips at
 * most PAD_RUN padding records between two looks at its timeout, which
 * treats them as time spent waiting.  With timeout 0 that is -EAGAIN, as
 * for an empty ring (the padding skipped stays consumed).
 */
#define PAD_RUN		64U

static __slow int pad_run_over(struct waiter *w)
{
	int64_t now;

	if (w->timeout_ns == 0)
		return -EAGAIN;
	if (w->timeout_ns > 0) {
		now = now_ns();
		if (now >= w->deadline)
			return -ETIMEDOUT;
	}
	/* Waiting forever: skip on, but let the CPU go now and then. */
	sched_yield();
	return 0;
}

/*
 * The general case of cons_next(): waits while the ring is empty, skips
 * padding records (at most PAD_RUN between two looks at the timeout),
 * reports corrupt ones.
 */
static __slow struct next_rec cons_next_slow(struct ipcchan_ring *r,
					     int64_t timeout_ns)
{
	struct waiter w = { .timeout_ns = timeout_ns };
	struct ipcchan_ring_hdr *hdr = r->hdr;
	struct ipcchan_ring_rec v;
	uint64_t d = r->size, h, t, total;
	unsigned int pads = 0;
	int ret;

	t = load_relaxed(&hdr->cons.pos);
	if (t % REC_ALIGN)
		return next_err(protocol_error(r, -EBADMSG));
	for (;;) {
		h = r->cons.prod_cache;
		if (h == t || h - t > d) {
			/* Pairs with the producer's store_release of prod.pos:
			 * the records before it are fully written.
			 */
			h = load_acquire(&hdr->prod.pos);
			if (h - t > d || h % REC_ALIGN)
				return next_err(protocol_error(r, -EBADMSG));
			r->cons.prod_cache = h;
			if (h == t) {
				ret = wait_peer(r, &w, IPCCHAN_RING_PROD,
						&hdr->cons.waiting,
						&hdr->prod.pos, h);
				if (ret)
					return next_err(ret);
				continue;
			}
		}

		/* h - t bytes of complete records: check the one at t fits. */
		if (h - t < REC_HDR)
			return next_err(protocol_error(r, -EBADMSG));
		/* Read once: the peer could change it under us. */
		v = rec_hdr_read(rec_at(r, t));
		if (v.len > d - REC_HDR)
			return next_err(protocol_error(r, -EBADMSG));
		total = rec_size(v.len);
		if (total > h - t)
			return next_err(protocol_error(r, -EBADMSG));
		if (v.flags & ~IPCCHAN_RING_REC_PAD)
			return next_err(protocol_error(r, -EPROTO));
		if (v.flags & IPCCHAN_RING_REC_PAD) {
			/* The deadline counts from the call, as in wait_peer(). */
			if (!pads++ && w.timeout_ns > 0 && !w.deadline)
				w.deadline = now_ns() + w.timeout_ns;
			else if (pads > PAD_RUN) {
				pads = 1;
				ret = pad_run_over(&w);
				if (ret)
					return next_err(ret);
			}
			ret = consume_to(r, t, t + total);
			t += total;
			if (ret)
				return next_err(ret);
			continue;
		}
		return (struct next_rec){ .t = t, .len = v.len };
	}
}

/*
 * cons_next_slow() for the common case: a record without flags, within the
 * bytes published up to the cached (or, when that is used up, re-read)
 * producer position.  Anything else goes to cons_next_slow(), which reads
 * and checks everything again from the start.
 */
static __fast struct next_rec cons_next(struct ipcchan_ring *r,
					int64_t timeout_ns)
{
	struct ipcchan_ring_hdr *hdr = r->hdr;
	struct ipcchan_ring_rec v;
	uint64_t d = r->size, h, t;

	t = load_relaxed(&hdr->cons.pos);
	if (unlikely(t % REC_ALIGN))
		return next_err(protocol_error(r, -EBADMSG));
	h = r->cons.prod_cache;
	if (h == t || unlikely(h - t > d)) {
		/* Pairs with the producer's store_release of prod.pos. */
		h = load_acquire(&hdr->prod.pos);
		if (unlikely(h - t > d || h % REC_ALIGN))
			return next_err(protocol_error(r, -EBADMSG));
		r->cons.prod_cache = h;
		if (h == t)
			return cons_next_slow(r, timeout_ns);
	}
	/* 0 < h - t <= D, both aligned: at least one header published. */
	v = rec_hdr_read(rec_at(r, t));
	if (unlikely(v.flags || rec_size(v.len) > h - t))
		return cons_next_slow(r, timeout_ns);
	return (struct next_rec){ .t = t, .len = v.len };
}

/*
 * The consumer's fast path test on @x, the cached producer position minus
 * our position just read: aligned and 8 <= x <= D (at least one record
 * header published), and cons.fast set (mapped, nothing peeked), in one
 * compare.
 */
static __fast bool cons_ready(const struct ipcchan_ring *r, uint64_t x)
{
	return words(x) - 1 < r->cons.fast;
}

/*
 * The consumer's fast path: true and the bytes published after our position
 * @t (just read; cons.fast is set) in *@xp, at least one record header, or
 * false for the slow path (empty ring, or something to report).  The cached producer position
 * is used while it passes cons_ready(); else it is re-read, and cached when
 * it passes cons_ready() and is itself aligned.
 */
static __fast bool cons_avail(struct ipcchan_ring *r, uint64_t t,
			       uint64_t *xp)
{
	uint64_t x = r->cons.prod_cache - t, h;

	if (likely(cons_ready(r, x))) {
		*xp = x;
		return true;
	}
	/* Pairs with the producer's store_release of prod.pos: the records
	 * before it are fully written.
	 */
	h = load_acquire(&r->hdr->prod.pos);
	x = h - t;
	if (unlikely(!cons_ready(r, x | (h % REC_ALIGN))))
		return false;
	r->cons.prod_cache = h;	/* cache checked values only */
	*xp = x;
	return true;
}

/* The record at @t of @len payload bytes is kept: no fast path until release. */
static __fast void cons_set_peek(struct ipcchan_ring *r, uint64_t t,
				 uint64_t len)
{
	r->cons.peek_pos = t;
	r->cons.peek_len = rec_size(len);
	r->cons.peek_payload = (uint32_t)len;
	r->cons.fast = 0;
}

/* ipcchan_ring_peek() in general: waits, reports every error. */
static __outline int peek_slow(struct ipcchan_ring *r, const void **ptr,
			       size_t *len, int64_t timeout_ns)
{
	struct next_rec n;

	if (!r || !r->map || !ptr || !len)
		return -EINVAL;
	if (r->cons.peek_len) {
		*ptr = rec_at(r, r->cons.peek_pos) + 1;
		*len = r->cons.peek_payload;
		return 0;
	}
	n = cons_next(r, timeout_ns);
	if (n.len < 0)
		return (int)n.len;
	cons_set_peek(r, n.t, (uint64_t)n.len);
	*ptr = rec_at(r, n.t) + 1;
	*len = (size_t)n.len;
	return 0;
}

__ipc_export int ipcchan_ring_peek(struct ipcchan_ring *r, const void **ptr,
				   size_t *len, int64_t timeout_ns)
{
	const struct ipcchan_ring_rec *rec;
	uint64_t t, x, n;

	if (unlikely(!r || !ptr || !len || !r->cons.fast))
		return peek_slow(r, ptr, len, timeout_ns);
	t = load_relaxed(&r->hdr->cons.pos);
	if (unlikely(!cons_avail(r, t, &x)))
		return peek_slow(r, ptr, len, timeout_ns);
	rec = rec_at(r, t);
	n = rec_word_len(rec);
	if (unlikely(n > x - REC_HDR))	/* flags, or beyond the published */
		return peek_slow(r, ptr, len, timeout_ns);
	cons_set_peek(r, t, n);
	*ptr = rec + 1;
	*len = (size_t)n;
	return 0;
}

__ipc_export int ipcchan_ring_release(struct ipcchan_ring *r)
{
	uint64_t from, len;

	if (unlikely(!r || !r->map || !r->cons.peek_len))
		return -EINVAL;
	from = r->cons.peek_pos;
	len = r->cons.peek_len;
	r->cons.peek_len = 0;
	cons_fast_on(r);
	return consume_to(r, from, from + len);
}

/* ipcchan_ring_recv() of a record already peeked (or kept by -EMSGSIZE). */
static __slow ssize_t recv_peeked(struct ipcchan_ring *r, void *buf,
				  size_t cap)
{
	size_t len = r->cons.peek_payload;
	int ret;

	if (len > cap)
		return -EMSGSIZE;
	if (len) {
		if (!buf)
			return -EFAULT;
		memcpy(buf, rec_at(r, r->cons.peek_pos) + 1, len);
	}
	ret = ipcchan_ring_release(r);
	return ret < 0 ? ret : (ssize_t)len;
}

/* The record @n does not fit: it stays, as ipcchan_ring_peek() leaves it. */
static __slow ssize_t recv_keep(struct ipcchan_ring *r, struct next_rec n,
				size_t cap)
{
	cons_set_peek(r, n.t, (uint64_t)n.len);
	return (size_t)n.len > cap ? -EMSGSIZE : -EFAULT;
}

/* ipcchan_ring_recv() in general: waits, reports every error. */
static __outline ssize_t recv_slow(struct ipcchan_ring *r, void *buf,
				   size_t cap, int64_t timeout_ns)
{
	struct next_rec n;
	size_t len;
	int ret;

	if (!r || !r->map)
		return -EINVAL;
	if (r->cons.peek_len)
		return recv_peeked(r, buf, cap);
	n = cons_next(r, timeout_ns);
	if (n.len < 0)
		return n.len;
	len = (size_t)n.len;
	if (len > cap || (len && !buf))
		return recv_keep(r, n, cap);
	if (len)
		memcpy(buf, rec_at(r, n.t) + 1, len);
	ret = consume_to(r, n.t, n.t + rec_size(len));
	return ret < 0 ? ret : (ssize_t)len;
}

/* As send_tail(), for ipcchan_ring_recv(). */
static __outline ssize_t recv_tail(struct ipcchan_ring *r,
				   const struct ipcchan_ring_rec *rec,
				   void *buf, size_t len, uint64_t t)
{
	int ret;

	if (len > SMALL_COPY)
		memcpy(buf, rec + 1, len);
	ret = consume_to(r, t, t + rec_size(len));
	return ret < 0 ? ret : (ssize_t)len;
}

static __slow ssize_t recv_notify(struct ipcchan_ring *r, uint32_t v,
				  uint64_t prev, size_t len)
{
	int ret = notify_slow(r, IPCCHAN_RING_CONS, v, prev);

	return ret < 0 ? ret : (ssize_t)len;
}

__ipc_export ssize_t ipcchan_ring_recv(struct ipcchan_ring *r, void *buf,
				       size_t cap, int64_t timeout_ns)
{
	const struct ipcchan_ring_rec *rec;
	struct ipcchan_ring_hdr *hdr;
	uint64_t t, x, len, room;
	uint32_t v;

	if (unlikely((r == NULL) | (buf == NULL)) || unlikely(!r->cons.fast))
		return recv_slow(r, buf, cap, timeout_ns);
	hdr = r->hdr;
	t = load_relaxed(&hdr->cons.pos);
	if (unlikely(!cons_avail(r, t, &x)))
		return recv_slow(r, buf, cap, timeout_ns);
	rec = rec_at(r, t);
	len = rec_word_len(rec);
	/* No flags, within the bytes published and within @cap. */
	room = x - REC_HDR;
	if (unlikely(len > (cap < room ? cap : room)))
		return recv_slow(r, buf, cap, timeout_ns);
	if (unlikely(len > SMALL_COPY))
		return recv_tail(r, rec, buf, len, t);
	copy_small(buf, (const unsigned char *)(rec + 1), len);
	/* consume_to(), with the notify out of line. */
	store_release(&hdr->cons.pos, t + rec_size(len));
	full_barrier();
	v = load_relaxed(&hdr->prod.waiting);
	if (unlikely(v))
		return recv_notify(r, v, t, len);
	return (ssize_t)len;
}
