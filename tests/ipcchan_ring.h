/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan_ring.h: ring helpers of the ring tests (ipcchan_ring*_test.c)
 *
 * A small, self-contained single-producer / single-consumer ring that
 * follows the protocol in the ring section of <linux/ipcchan.h> exactly:
 * positions are published with release stores and read with acquire loads;
 * a side that must wait sets its own waiting flag, issues a full barrier,
 * re-reads the peer's position and only then calls RING_WAIT; the other
 * side, after publishing, issues a full barrier and calls RING_NOTIFY only
 * when the peer's waiting flag is set.  Waiting is a bounded spin, then a
 * sleep in the kernel.  Everything read from the shared header is checked:
 * a corrupt header gives -EIO, never an out-of-bounds access.
 *
 * This is an independent copy of the ring protocol, on purpose: it is
 * written from the UAPI header alone and shares no code with libipcchan's
 * ring, so the tests check both the kernel's UAPI and the library against
 * a second implementation, and a bug in the library cannot hide by being
 * the yardstick it is measured with.  Do not replace it with calls into
 * the library.
 */
#ifndef IPCCHAN_UTIL_RING_H
#define IPCCHAN_UTIL_RING_H

#include "ipcchan_util.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>

/* One end of a mapped ring. */
struct ipcchan_tring {
	int fd;
	unsigned char *map;		/* whole mapping, NULL when unmapped */
	size_t map_size;
	struct ipcchan_ring_hdr *hdr;
	unsigned char *data;		/* first copy of the data area */
	__u64 size;			/* D, bytes of the data area */
	__u64 pos;			/* this side's private position */
	unsigned int spin;		/* position checks before sleeping */
	__u64 sleeps;			/* RING_WAIT calls made */
	__u64 notifies;			/* RING_NOTIFY calls made */
};

static inline void ipcchan_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* IPCCHAN_IOC_RING_WAIT; 0 or -errno. */
static inline int ipcchan_ring_wait_ioc(int fd, __u32 which, __u64 expected,
					__u32 flags, __s64 timeout_ns)
{
	struct ipcchan_ring_wait rw;

	memset(&rw, 0, sizeof(rw));
	rw.which = which;
	rw.flags = flags;
	rw.expected = expected;
	rw.timeout_ns = timeout_ns;
	return (int)ipcchan_ioctl(fd, IPCCHAN_IOC_RING_WAIT, &rw);
}

/* IPCCHAN_IOC_RING_NOTIFY; the number of waiters woken or -errno. */
static inline int ipcchan_ring_notify_ioc(int fd, __u32 which)
{
	struct ipcchan_ring_notify rn;

	memset(&rn, 0, sizeof(rn));
	rn.which = which;
	return (int)ipcchan_ioctl(fd, IPCCHAN_IOC_RING_NOTIFY, &rn);
}

/* Bytes a record with @len payload bytes takes in the data area. */
static inline __u64 ipcchan_tring_recsize(__u64 len)
{
	return (sizeof(struct ipcchan_ring_rec) + len + IPCCHAN_RING_ALIGN - 1) &
	       ~(__u64)(IPCCHAN_RING_ALIGN - 1);
}

/*
 * Map the whole ring of the channel @fd is attached to, and start this
 * side's private position at the header's value for @side (the producer
 * passes IPCCHAN_RING_PROD, the consumer IPCCHAN_RING_CONS).  0 or -errno.
 */
static inline int ipcchan_tring_map(struct ipcchan_tring *r, int fd,
				    __u32 side)
{
	struct ipcchan_info info;
	void *p;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	ret = ipcchan_test_info(fd, &info);
	if (ret)
		return ret;
	if (!info.ring_pages)
		return -ENXIO;
	p = mmap(NULL, info.ring_map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->map = p;
	r->map_size = info.ring_map_size;
	r->hdr = p;
	r->data = r->map + info.ring_data_offset;
	r->size = info.ring_data_size;
	r->pos = __atomic_load_n(side == IPCCHAN_RING_PROD ? &r->hdr->prod.pos :
				 &r->hdr->cons.pos, __ATOMIC_ACQUIRE);
	r->spin = 200;
	return 0;
}

static inline void ipcchan_tring_unmap(struct ipcchan_tring *r)
{
	if (r->map)
		munmap(r->map, r->map_size);
	r->map = NULL;
	r->hdr = NULL;
	r->data = NULL;
}

/*
 * Wait until the peer's position @which moves away from @seen: a bounded
 * spin, then waiting flag + full barrier + recheck + RING_WAIT until the
 * absolute CLOCK_MONOTONIC @deadline_ns.  Returns 0 when the caller should
 * look again (the position moved, or a notify came), else -errno.
 */
static inline int ipcchan_tring_wait(struct ipcchan_tring *r, __u32 which,
				     __u64 seen, long long deadline_ns)
{
	__u64 *other = which == IPCCHAN_RING_PROD ? &r->hdr->prod.pos :
						    &r->hdr->cons.pos;
	__u32 *mine = which == IPCCHAN_RING_PROD ? &r->hdr->cons.waiting :
						   &r->hdr->prod.waiting;
	long long left;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < r->spin; i++) {
		if (__atomic_load_n(other, __ATOMIC_ACQUIRE) != seen)
			return 0;
		ipcchan_cpu_relax();
	}
	__atomic_store_n(mine, 1, __ATOMIC_RELAXED);
	/* Flag store before the position load: pairs with the peer's fence. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(other, __ATOMIC_ACQUIRE) != seen)
		goto out;
	left = deadline_ns - ipcchan_now_ns();
	if (left <= 0) {
		ret = -ETIMEDOUT;
		goto out;
	}
	r->sleeps++;
	ret = ipcchan_ring_wait_ioc(r->fd, which, seen, IPCCHAN_TIMEOUT, left);
out:
	__atomic_store_n(mine, 0, __ATOMIC_RELAXED);
	return ret;
}

/*
 * After publishing position @which: full barrier (position store before
 * the flag load), then notify if the peer sleeps or is about to.
 */
static inline void ipcchan_tring_kick(struct ipcchan_tring *r, __u32 which)
{
	__u32 *peer = which == IPCCHAN_RING_PROD ? &r->hdr->cons.waiting :
						   &r->hdr->prod.waiting;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(peer, __ATOMIC_RELAXED)) {
		r->notifies++;
		ipcchan_ring_notify_ioc(r->fd, which);
	}
}

/*
 * Producer: room for a record of @len payload bytes, waiting at most
 * @timeout_ns.  Returns the payload pointer (contiguous thanks to the
 * double mapping) or NULL with *err = -EMSGSIZE, -EIO (corrupt header),
 * -ETIMEDOUT, -EINTR.
 */
static inline void *ipcchan_tring_reserve(struct ipcchan_tring *r, __u32 len,
					  long long timeout_ns, int *err)
{
	long long deadline = ipcchan_now_ns() + timeout_ns;
	__u64 need = ipcchan_tring_recsize(len), h = r->pos, t;
	struct ipcchan_ring_rec *rec;
	int ret;

	if (need > r->size) {
		*err = -EMSGSIZE;
		return NULL;
	}
	for (;;) {
		/* Pairs with the consumer's release of cons.pos. */
		t = __atomic_load_n(&r->hdr->cons.pos, __ATOMIC_ACQUIRE);
		if (h - t > r->size) {
			*err = -EIO;
			return NULL;
		}
		if (r->size - (h - t) >= need)
			break;
		ret = ipcchan_tring_wait(r, IPCCHAN_RING_CONS, t, deadline);
		if (ret) {
			*err = ret;
			return NULL;
		}
	}
	rec = (struct ipcchan_ring_rec *)(r->data + (h & (r->size - 1)));
	rec->len = len;
	rec->flags = 0;
	return rec + 1;
}

/* Producer: publish the record reserved with @len payload bytes. */
static inline void ipcchan_tring_commit(struct ipcchan_tring *r, __u32 len)
{
	r->pos += ipcchan_tring_recsize(len);
	/* Record bytes before the position: pairs with the consumer's acquire. */
	__atomic_store_n(&r->hdr->prod.pos, r->pos, __ATOMIC_RELEASE);
	ipcchan_tring_kick(r, IPCCHAN_RING_PROD);
}

/*
 * Consumer: the next record, waiting at most @timeout_ns.  Returns its
 * payload (length in *len) or NULL with *err = -EIO (corrupt header or
 * record), -ETIMEDOUT, -EINTR.  Padding records are skipped.
 */
static inline const void *ipcchan_tring_peek(struct ipcchan_tring *r,
					     __u32 *len, long long timeout_ns,
					     int *err)
{
	long long deadline = ipcchan_now_ns() + timeout_ns;
	struct ipcchan_ring_rec *rec;
	__u64 h, t, avail;
	__u32 l, fl;
	int ret;

	for (;;) {
		t = r->pos;
		/* Pairs with the producer's release of prod.pos. */
		h = __atomic_load_n(&r->hdr->prod.pos, __ATOMIC_ACQUIRE);
		if (h == t) {
			ret = ipcchan_tring_wait(r, IPCCHAN_RING_PROD, t,
						 deadline);
			if (ret) {
				*err = ret;
				return NULL;
			}
			continue;
		}
		avail = h - t;
		if (avail > r->size || avail < sizeof(*rec)) {
			*err = -EIO;
			return NULL;
		}
		rec = (struct ipcchan_ring_rec *)(r->data + (t & (r->size - 1)));
		l = __atomic_load_n(&rec->len, __ATOMIC_RELAXED);
		fl = __atomic_load_n(&rec->flags, __ATOMIC_RELAXED);
		if (ipcchan_tring_recsize(l) > avail) {
			*err = -EIO;
			return NULL;
		}
		if (!(fl & IPCCHAN_RING_REC_PAD))
			break;
		r->pos = t + ipcchan_tring_recsize(l);
		__atomic_store_n(&r->hdr->cons.pos, r->pos, __ATOMIC_RELEASE);
		ipcchan_tring_kick(r, IPCCHAN_RING_CONS);
	}
	*len = l;
	return rec + 1;
}

/* Consumer: give back the record peeked with @len payload bytes. */
static inline void ipcchan_tring_release(struct ipcchan_tring *r, __u32 len)
{
	r->pos += ipcchan_tring_recsize(len);
	/* Done reading before the slot is freed: pairs with the producer. */
	__atomic_store_n(&r->hdr->cons.pos, r->pos, __ATOMIC_RELEASE);
	ipcchan_tring_kick(r, IPCCHAN_RING_CONS);
}

/* Copying wrappers: 0 or -errno (recv: -EMSGSIZE keeps the record). */
static inline int ipcchan_tring_send(struct ipcchan_tring *r, const void *buf,
				     __u32 len, long long timeout_ns)
{
	void *p;
	int err;

	p = ipcchan_tring_reserve(r, len, timeout_ns, &err);
	if (!p)
		return err;
	memcpy(p, buf, len);
	ipcchan_tring_commit(r, len);
	return 0;
}

static inline int ipcchan_tring_recv(struct ipcchan_tring *r, void *buf,
				     __u32 cap, __u32 *len,
				     long long timeout_ns)
{
	const void *p;
	int err;

	p = ipcchan_tring_peek(r, len, timeout_ns, &err);
	if (!p)
		return err;
	if (*len > cap)
		return -EMSGSIZE;
	memcpy(buf, p, *len);
	ipcchan_tring_release(r, *len);
	return 0;
}

/*
 * Wait until task @pid sleeps (state S) inside system call @nr or @nr2,
 * with @arg1 as its second argument unless @arg1 is 0 (for ioctl(): the
 * command), as /proc/<pid>/syscall shows, for up to @timeout_ms.  0 when it
 * does, -ETIMEDOUT, or -ENOENT when the kernel has no /proc/<pid>/syscall
 * (callers then fall back to a plain delay).
 */
static inline int ipcchan_wait_in_syscall(pid_t pid, long nr, long nr2,
					  unsigned long arg1, int timeout_ms)
{
	long long end = ipcchan_now_ns() + timeout_ms * 1000000LL;
	char path[64], buf[256], st[512];
	unsigned long a0, a1;
	long cur;

	for (;;) {
		FILE *f;
		char *p;
		int ok = 0;

		snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
		f = fopen(path, "r");
		if (!f)
			return -ENOENT;
		if (fgets(buf, sizeof(buf), f) &&
		    sscanf(buf, "%ld 0x%lx 0x%lx", &cur, &a0, &a1) == 3 &&
		    (cur == nr || cur == nr2) && (!arg1 || a1 == arg1))
			ok = 1;
		fclose(f);
		if (ok) {
			snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
			f = fopen(path, "r");
			ok = 0;
			if (f) {
				if (fgets(st, sizeof(st), f)) {
					p = strrchr(st, ')');
					ok = p && p[1] == ' ' && p[2] == 'S';
				}
				fclose(f);
			}
			if (ok)
				return 0;
		}
		if (ipcchan_now_ns() > end)
			return -ETIMEDOUT;
		usleep(2000);
	}
}

#endif /* IPCCHAN_UTIL_RING_H */
