// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the library's ring protocol, without the module.
 *
 * Linked with -Wl,--wrap=ioctl,--wrap=mmap against the fake channel of
 * fake_ring.h: a fake channel fd answers
 * IPCCHAN_IOC_INFO with a ring layout, mmap of it builds the same double
 * mapping the module makes (header page + data pages mapped twice, from a
 * memfd), RING_WAIT polls the shared position and NOTIFY does nothing.  So
 * the library's index math, wrap-around, blocking/waking logic and its
 * checks of a corrupt header run anywhere (make host-test, host only: not staged).  The real
 * kernel path is covered by libipcchan_test in the VM.  Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ipcchan.h>

#define PAGE		4096UL
#define DATA_PAGES	4UL
#define D		(DATA_PAGES * PAGE)

#include "fake_ring.h"

#include "host_tap.h"

static int map(struct ipcchan_ring *r)
{
	return ipcchan_ring_map(fake_fd, r);
}

static int t_double_mapping(void)
{
	struct ipcchan_ring r;
	volatile unsigned char *d;	/* two addresses, one byte */

	CHECK(map(&r) == 0);
	d = ipcchan_ring_data(&r, NULL);
	d[5] = 0x5a;
	CHECK(d[D + 5] == 0x5a);
	CHECK(ipcchan_ring_max_msg(&r) == D - 8);
	CHECK(ipcchan_ring_unmap(&r) == 0);
	return 1;
}

static int t_wrap_every_alignment(void)
{
	unsigned char in[700], out[700];
	struct ipcchan_ring r;
	size_t len, k, round;

	CHECK(map(&r) == 0);
	for (round = 0; round < 8; round++) {
		for (len = 0; len < sizeof(in); len++) {
			for (k = 0; k < len; k++)
				in[k] = (unsigned char)(round * 3 + len + k);
			CHECK(ipcchan_ring_send(&r, in, len, 0) == (ssize_t)len);
			CHECK(ipcchan_ring_send(&r, in, len, 0) == (ssize_t)len);
			memset(out, 0xee, sizeof(out));
			CHECK(ipcchan_ring_recv(&r, out, sizeof(out), 0) == (ssize_t)len);
			CHECK(!memcmp(in, out, len));
			/* Exactly len bytes written (small copies overlap). */
			for (k = len; k < sizeof(out); k++)
				CHECK(out[k] == 0xee);
			CHECK(ipcchan_ring_recv(&r, out, sizeof(out), 0) == (ssize_t)len);
			CHECK(!memcmp(in, out, len));
		}
	}
	CHECK(r.hdr->prod.pos > 20 * D);
	CHECK(r.hdr->prod.pos == r.hdr->cons.pos);
	ipcchan_ring_unmap(&r);
	return 1;
}

static int t_full_and_max(void)
{
	static unsigned char buf[D];
	struct ipcchan_ring r;
	int n = 0;

	CHECK(map(&r) == 0);
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EAGAIN);
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 1000000) == -ETIMEDOUT);
	while (ipcchan_ring_send(&r, buf, 120, 0) == 120)
		n++;
	CHECK(n == (int)(D / 128));
	CHECK(ipcchan_ring_send(&r, buf, 0, 0) == -EAGAIN);
	CHECK(ipcchan_ring_send(&r, buf, 0, 2000000) == -ETIMEDOUT);
	while (ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == 120)
		n--;
	CHECK(n == 0);
	CHECK(ipcchan_ring_send(&r, buf, D - 7, 0) == -EMSGSIZE);
	CHECK(ipcchan_ring_send(&r, buf, D - 8, 0) == (ssize_t)(D - 8));
	CHECK(ipcchan_ring_send(&r, buf, 0, 0) == -EAGAIN);
	CHECK(ipcchan_ring_recv(&r, buf, 10, 0) == -EMSGSIZE);
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == (ssize_t)(D - 8));
	ipcchan_ring_unmap(&r);
	return 1;
}

static int t_corrupt(void)
{
	struct ipcchan_ring r;
	struct ipcchan_ring_rec *rec;
	uint64_t base;
	char buf[64];
	void *p;

	CHECK(map(&r) == 0);
	CHECK(ipcchan_ring_send(&r, "abc", 3, 0) == 3);
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == 3);
	base = r.hdr->cons.pos;
	r.hdr->prod.pos = base + D + 8;
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EBADMSG);
	CHECK(ipcchan_ring_reserve(&r, 1, &p, 0) == -EBADMSG);
	r.hdr->prod.pos = base - 8;
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EBADMSG);
	r.hdr->prod.pos = base + 12;
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EBADMSG);
	r.hdr->prod.pos = base + 4;
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EBADMSG);
	rec = (struct ipcchan_ring_rec *)(r.data + (base & (D - 1)));
	rec->len = 100;
	rec->flags = 0;
	r.hdr->prod.pos = base + 8;
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EBADMSG);
	rec->len = 0xffffffff;
	r.hdr->prod.pos = base + D;
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EBADMSG);
	rec->len = 0;
	rec->flags = 0x10;
	r.hdr->prod.pos = base + 8;
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EPROTO);
	/* Producer side: consumer position ahead or misaligned. */
	r.hdr->prod.pos = base;
	r.hdr->cons.pos = base + 64;
	r.prod.cons_cache = base + 64;
	CHECK(ipcchan_ring_reserve(&r, 1, &p, 0) == -EBADMSG);
	r.hdr->cons.pos = base;
	r.prod.cons_cache = base;
	r.hdr->prod.pos = base + 3;
	CHECK(ipcchan_ring_reserve(&r, 1, &p, 0) == -EBADMSG);
	/* Repaired: works again. */
	r.hdr->prod.pos = base;
	r.cons.prod_cache = base;
	CHECK(ipcchan_ring_send(&r, "ok", 2, 0) == 2);
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == 2);
	ipcchan_ring_unmap(&r);
	return 1;
}

/* The fast path hands anything unusual to the slow one: padding records,
 * a record that does not fit, a peeked record received by recv.
 */
static int t_pad_and_kept_records(void)
{
	struct ipcchan_ring r;
	struct ipcchan_ring_rec *rec;
	char buf[64];
	const void *cp;
	uint64_t base;
	size_t len;

	CHECK(map(&r) == 0);
	base = r.hdr->prod.pos;
	/* A padding record of 16 bytes, then "hello". */
	rec = (struct ipcchan_ring_rec *)(r.data + (base & (D - 1)));
	rec->len = 8;
	rec->flags = IPCCHAN_RING_REC_PAD;
	r.hdr->prod.pos = base + 16;
	CHECK(ipcchan_ring_send(&r, "hello", 5, 0) == 5);
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == 5);
	CHECK(!memcmp(buf, "hello", 5));
	CHECK(r.hdr->cons.pos == base + 32);
	/* Too small a buffer: the record stays, peek sees it, release drops it. */
	CHECK(ipcchan_ring_send(&r, "abcdefghij", 10, 0) == 10);
	CHECK(ipcchan_ring_send(&r, "xyz", 3, 0) == 3);
	CHECK(ipcchan_ring_recv(&r, buf, 4, 0) == -EMSGSIZE);
	CHECK(ipcchan_ring_recv(&r, NULL, 0, 0) == -EMSGSIZE);
	CHECK(ipcchan_ring_peek(&r, &cp, &len, 0) == 0);
	CHECK(len == 10 && !memcmp(cp, "abcdefghij", 10));
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == 10);
	CHECK(ipcchan_ring_recv(&r, NULL, 3, 0) == -EFAULT);
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == 3);
	CHECK(!memcmp(buf, "xyz", 3));
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EAGAIN);
	CHECK(ipcchan_ring_release(&r) == -EINVAL);
	/* A flag the library does not know, seen by the fast path. */
	CHECK(ipcchan_ring_send(&r, "ok", 2, 0) == 2);
	rec = (struct ipcchan_ring_rec *)(r.data + (r.hdr->cons.pos & (D - 1)));
	rec->flags = 0x4;
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EPROTO);
	rec->flags = 0;
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == 2);
	ipcchan_ring_unmap(&r);
	return 1;
}

/*
 * A hostile producer that publishes nothing but padding records, as fast as
 * the consumer frees room, for FLOOD_NS.  It keeps its waiting flag at 1, so
 * the consumer notifies it after every record it consumes, and the fake
 * RING_NOTIFY calls flood_refill(): the ring is never empty when the
 * consumer looks, whatever the scheduler does.
 */
#define FLOOD_NS	2000000000LL

static struct ipcchan_ring *flood_ring;
static int64_t flood_end;

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void flood_refill(unsigned int which)
{
	struct ipcchan_ring_hdr *hdr = flood_ring->hdr;
	uint64_t h = hdr->prod.pos, t = hdr->cons.pos;

	if (which != IPCCHAN_RING_CONS || mono_ns() > flood_end)
		return;
	for (; h - t < D; h += 8) {
		struct ipcchan_ring_rec *rec = (struct ipcchan_ring_rec *)
			(flood_ring->data + (h & (D - 1)));

		rec->len = 0;
		rec->flags = IPCCHAN_RING_REC_PAD;
	}
	__atomic_store_n(&hdr->prod.pos, h, __ATOMIC_RELEASE);
}

static void flood_start(struct ipcchan_ring *r)
{
	flood_ring = r;
	flood_end = mono_ns() + FLOOD_NS;
	r->hdr->prod.waiting = 1;
	fake_notify_hook = flood_refill;
	flood_refill(IPCCHAN_RING_CONS);
}

static void flood_stop(struct ipcchan_ring *r)
{
	fake_notify_hook = NULL;
	r->hdr->prod.waiting = 0;
	/* Drop what is left; the ring is sane again. */
	r->hdr->prod.pos = r->hdr->cons.pos;
	r->cons.prod_cache = r->hdr->cons.pos;
}

/*
 * Padding is no record for the user: a producer that keeps publishing only
 * padding cannot hold a consumer past its timeout.  Non-blocking recv and
 * peek return -EAGAIN at once, a 10 ms recv -ETIMEDOUT after about 10 ms.
 */
static int t_pad_flood(void)
{
	int64_t t0, t_nb, t_10ms, t_peek;
	struct ipcchan_ring r;
	ssize_t n0, n10;
	const void *cp;
	char buf[64];
	size_t len;
	int peek;

	CHECK(map(&r) == 0);
	flood_start(&r);
	t0 = mono_ns();
	n0 = ipcchan_ring_recv(&r, buf, sizeof(buf), 0);
	t_nb = mono_ns() - t0;
	flood_start(&r);
	t0 = mono_ns();
	n10 = ipcchan_ring_recv(&r, buf, sizeof(buf), 10000000);
	t_10ms = mono_ns() - t0;
	flood_start(&r);
	t0 = mono_ns();
	peek = ipcchan_ring_peek(&r, &cp, &len, 0);
	t_peek = mono_ns() - t0;
	flood_stop(&r);
	printf("# padding flood: recv(timeout 0) %zd in %.3f ms, recv(10 ms) %zd in %.3f ms, peek(0) %d in %.3f ms\n",
	       n0, t_nb / 1e6, n10, t_10ms / 1e6, peek, t_peek / 1e6);
	CHECK(n0 == -EAGAIN && t_nb < 100000000LL);
	CHECK(n10 == -ETIMEDOUT && t_10ms >= 10000000LL &&
	      t_10ms < 500000000LL);
	CHECK(peek == -EAGAIN && t_peek < 100000000LL);
	CHECK(r.error == 0);	/* not a protocol error */
	/* Padding then a real record: the record comes through. */
	CHECK(ipcchan_ring_send(&r, "ok", 2, 0) == 2);
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == 2);
	CHECK(!memcmp(buf, "ok", 2));
	ipcchan_ring_unmap(&r);
	return 1;
}

/*
 * A 4 GiB ring (2^32 data bytes: 64 KiB pages, ring_pages_max 65536) from
 * a sparse memfd: its largest record, 2^32 bytes with its header, is
 * committed and released like any other (its length must not wrap to 0 in
 * a 32-bit field).  Only the pages touched cost memory.
 */
static int t_ring_4g(void)
{
	const uint64_t d = (uint64_t)1 << 32;
	struct ipcchan_ring r;
	uint64_t base;
	const void *cp;
	char buf[16];
	size_t len;
	void *p;
	int ret;

	fake_data_size = d;
	ret = map(&r);
	fake_data_size = D;
	CHECK(ret == 0);
	CHECK(ipcchan_ring_max_msg(&r) == d - 8);
	base = r.hdr->prod.pos;
	/* Producer: reserve and commit the largest record. */
	CHECK(ipcchan_ring_reserve(&r, d - 8, &p, 0) == 0);
	CHECK((unsigned char *)p == r.data + (base & (d - 1)) + 8);
	memcpy(p, "head", 4);
	CHECK(ipcchan_ring_commit(&r) == 0);
	CHECK(r.hdr->prod.pos == base + d);
	CHECK(ipcchan_ring_commit(&r) == -EINVAL);
	CHECK(ipcchan_ring_send(&r, "x", 1, 0) == -EAGAIN);	/* full */
	/* Consumer: too big for the buffer, peek, release. */
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EMSGSIZE);
	CHECK(ipcchan_ring_peek(&r, &cp, &len, 0) == 0);
	CHECK(len == d - 8 && !memcmp(cp, "head", 4));
	CHECK(ipcchan_ring_release(&r) == 0);
	CHECK(r.hdr->cons.pos == base + d);
	CHECK(ipcchan_ring_release(&r) == -EINVAL);
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == -EAGAIN);
	/* Same with the slow paths' entry (a record peeked, then recv'd). */
	CHECK(ipcchan_ring_reserve(&r, d - 8, &p, 0) == 0);
	CHECK(ipcchan_ring_commit(&r) == 0);
	CHECK(ipcchan_ring_peek(&r, &cp, &len, 0) == 0 && len == d - 8);
	CHECK(ipcchan_ring_release(&r) == 0);
	CHECK(r.hdr->cons.pos == base + 2 * d);
	/* And the small records still go through the fast paths. */
	CHECK(ipcchan_ring_send(&r, "abc", 3, 0) == 3);
	CHECK(ipcchan_ring_recv(&r, buf, sizeof(buf), 0) == 3);
	CHECK(!memcmp(buf, "abc", 3));
	CHECK(ipcchan_ring_unmap(&r) == 0);
	return 1;
}

static uint32_t checksum(const unsigned char *p, size_t n)
{
	uint32_t s = 2166136261u;

	while (n--)
		s = (s ^ *p++) * 16777619u;
	return s;
}

/* One producer, one consumer process; sizes 1 .. D/2, sums and seqs. */
static int t_two_processes(unsigned int spin, uint64_t count, int zc)
{
	static unsigned char buf[D / 2 + 16];
	struct ipcchan_ring r;
	uint64_t i;
	pid_t pid;
	int st;

	CHECK(map(&r) == 0);
	ipcchan_ring_set_spin(&r, spin);
	waits = notifies = 0;
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		for (i = 0; i < count; i++) {
			const unsigned char *p;
			const void *vp;
			uint64_t seq;
			uint32_t sum;
			size_t len;

			if (ipcchan_ring_peek(&r, &vp, &len, 20000000000LL))
				_exit(10);
			p = vp;
			if (len < 12)
				_exit(11);
			memcpy(&seq, p, 8);
			memcpy(&sum, p + 8, 4);
			if (seq != i)
				_exit(12);
			if (sum != checksum(p + 12, len - 12))
				_exit(13);
			if (ipcchan_ring_release(&r))
				_exit(14);
		}
		_exit(0);
	}
	for (i = 0; i < count; i++) {
		/* Mostly small records, now and then up to half the ring. */
		size_t len = 12 + (i % 97 == 0 ? (i * 7919) % (D / 2 - 12) :
				   (i * 37) % 300);
		unsigned char *p = buf;
		void *vp;
		uint32_t sum;
		size_t k;

		if (zc) {
			CHECK(ipcchan_ring_reserve(&r, len, &vp, 20000000000LL) == 0);
			p = vp;
		}
		memcpy(p, &i, 8);
		for (k = 12; k < len; k++)
			p[k] = (unsigned char)(i ^ k);
		sum = checksum(p + 12, len - 12);
		memcpy(p + 8, &sum, 4);
		if (zc)
			CHECK(ipcchan_ring_commit(&r) == 0);
		else
			CHECK(ipcchan_ring_send(&r, buf, len, 20000000000LL) ==
			      (ssize_t)len);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		printf("# consumer status %d\n", st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("# %llu records, spin %u, %s: producer: %lu waits, %lu notifies\n",
	       (unsigned long long)count, spin, zc ? "zero-copy" : "copy",
	       waits, notifies);
	ipcchan_ring_unmap(&r);
	return 1;
}

/* A module of another ABI version has another ring header: refused. */
static int t_abi_mismatch(void)
{
	struct ipcchan_ring r;
	int ret;

	fake_abi = IPCCHAN_ABI_VERSION - 1;
	ret = map(&r);
	fake_abi = IPCCHAN_ABI_VERSION;
	CHECK(ret == -EPROTONOSUPPORT);
	CHECK(r.map == NULL);
	CHECK(map(&r) == 0);
	CHECK(ipcchan_ring_unmap(&r) == 0);
	return 1;
}

/* The consumer's fast path against bad positions and headers. */
static int fast_consumer_checks(struct ipcchan_ring *r)
{
	struct ipcchan_ring_rec *rec;
	char buf[64];
	const void *cp;
	uint64_t base;
	size_t len;

	/* Consumer: records published and cached, own position misaligned. */
	CHECK(ipcchan_ring_send(r, "abcd", 4, 0) == 4);
	CHECK(ipcchan_ring_send(r, "efgh", 4, 0) == 4);
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == 4);
	base = r->hdr->cons.pos;
	CHECK(r->cons.prod_cache == base + 16);
	r->hdr->cons.pos = base + 4;
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == -EBADMSG);
	CHECK(ipcchan_ring_peek(r, &cp, &len, 0) == -EBADMSG);
	r->hdr->cons.pos = base + 8;	/* inside a record: len 'efgh' */
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == -EBADMSG);
	r->hdr->cons.pos = base;
	/* Cache used up, the re-read producer position is bad. */
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == 4);
	base += 16;
	CHECK(r->hdr->cons.pos == base && r->cons.prod_cache == base);
	r->hdr->prod.pos = base + 20;	/* misaligned */
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == -EBADMSG);
	CHECK(r->cons.prod_cache == base);	/* not cached */
	r->hdr->prod.pos = base + D + 8;	/* too far ahead */
	CHECK(ipcchan_ring_peek(r, &cp, &len, 0) == -EBADMSG);
	r->hdr->prod.pos = base - 16;	/* behind */
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == -EBADMSG);
	r->hdr->prod.pos = base + 4;	/* less than a header */
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == -EBADMSG);
	/* A header with a flag in its high word, or longer than published. */
	rec = (struct ipcchan_ring_rec *)(r->data + (base & (D - 1)));
	rec->len = 0;
	rec->flags = 0x80000000U;
	r->hdr->prod.pos = base + 8;
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == -EPROTO);
	rec->flags = 0;
	rec->len = 9;
	r->hdr->prod.pos = base + 16;
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == -EBADMSG);
	CHECK(ipcchan_ring_peek(r, &cp, &len, 0) == -EBADMSG);
	rec->len = 8;
	r->cons.prod_cache = base;	/* re-read: base + 16 */
	CHECK(ipcchan_ring_recv(r, buf, 7, 0) == -EMSGSIZE);
	CHECK(ipcchan_ring_recv(r, buf, 8, 0) == 8);
	return 1;
}

/* The producer's fast path against a bad consumer position. */
static int fast_producer_checks(struct ipcchan_ring *r)
{
	uint64_t base;
	void *p;

	/* Producer: cache says full, the re-read consumer position is bad. */
	base = r->hdr->prod.pos;
	CHECK(r->hdr->cons.pos == base);
	r->prod.cons_cache = base - D;	/* as if the ring were full */
	r->hdr->cons.pos = base - 4;	/* misaligned */
	CHECK(ipcchan_ring_send(r, "x", 1, 0) == -EBADMSG);
	CHECK(r->prod.cons_cache == base - D);	/* not cached */
	r->hdr->cons.pos = base + 8;	/* ahead of the producer */
	CHECK(ipcchan_ring_reserve(r, 1, &p, 0) == -EBADMSG);
	r->hdr->cons.pos = base - D - 8;	/* more than the ring behind */
	CHECK(ipcchan_ring_send(r, "x", 1, 0) == -EBADMSG);
	r->hdr->cons.pos = base - D;	/* full, for real */
	CHECK(ipcchan_ring_send(r, "x", 1, 0) == -EAGAIN);
	r->hdr->cons.pos = base;
	r->hdr->prod.pos = base - 8;	/* own position behind the consumer */
	CHECK(ipcchan_ring_send(r, "x", 1, 0) == -EBADMSG);
	r->hdr->prod.pos = base;
	return 1;
}

/* Reserved and peeked records, empty records, an unmapped ring. */
static int held_record_checks(struct ipcchan_ring *r)
{
	char buf[64];
	const void *cp;
	size_t len;
	void *p;

	/* Reserved: send and reserve are busy until the commit. */
	CHECK(ipcchan_ring_reserve(r, 3, &p, 0) == 0);
	CHECK(ipcchan_ring_send(r, "x", 1, 0) == -EBUSY);
	CHECK(ipcchan_ring_reserve(r, 1, &p, 0) == -EBUSY);
	memcpy(p, "xyz", 3);
	CHECK(ipcchan_ring_commit(r) == 0);
	CHECK(ipcchan_ring_commit(r) == -EINVAL);
	CHECK(ipcchan_ring_send(r, "uv", 2, 0) == 2);
	/* Peeked: recv and peek return the same record until release. */
	CHECK(ipcchan_ring_peek(r, &cp, &len, 0) == 0 && len == 3);
	CHECK(ipcchan_ring_peek(r, &cp, &len, 0) == 0 && len == 3);
	CHECK(!memcmp(cp, "xyz", 3));
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == 3);
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == 2);
	CHECK(!memcmp(buf, "uv", 2));
	/* Zero-length records, NULL buffers. */
	CHECK(ipcchan_ring_send(r, NULL, 0, 0) == 0);
	CHECK(ipcchan_ring_send(r, NULL, 1, 0) == -EFAULT);
	CHECK(ipcchan_ring_recv(r, NULL, 0, 0) == 0);
	CHECK(ipcchan_ring_send(r, buf, D - 7, 0) == -EMSGSIZE);
	CHECK(ipcchan_ring_reserve(r, D - 7, &p, 0) == -EMSGSIZE);
	CHECK(ipcchan_ring_unmap(r) == 0);
	/* Unmapped: every call says so. */
	CHECK(ipcchan_ring_send(r, buf, 1, 0) == -EINVAL);
	CHECK(ipcchan_ring_recv(r, buf, sizeof(buf), 0) == -EINVAL);
	CHECK(ipcchan_ring_reserve(r, 1, &p, 0) == -EINVAL);
	CHECK(ipcchan_ring_peek(r, &cp, &len, 0) == -EINVAL);
	CHECK(ipcchan_ring_send(NULL, buf, 1, 0) == -EINVAL);
	CHECK(ipcchan_ring_recv(NULL, buf, 1, 0) == -EINVAL);
	return 1;
}

/*
 * The fast paths' one-compare checks catch what the separate checks caught:
 * our own position misaligned against an aligned cache, a re-read peer
 * position that is misaligned, behind or too far ahead, records kept or
 * reserved, an unmapped ring, a ring larger than 4 GiB.
 */
static int t_fast_path_checks(void)
{
	struct ipcchan_ring r;

	fake_data_size = (uint64_t)1 << 33;
	CHECK(map(&r) == -EPROTO);
	fake_data_size = D;

	CHECK(map(&r) == 0);
	return fast_consumer_checks(&r) && fast_producer_checks(&r) &&
	       held_record_checks(&r);
}

static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A value near @base that a hostile or buggy peer might write. */
static uint64_t hostile(uint64_t base)
{
	static const int64_t near[] = { 0, 1, 4, 7, 8, 16, 64, -8, -16, -4 };

	switch (rnd() % 6) {
	case 0:
		return rnd();
	case 1:
		return base + D + (rnd() % 3) * 8 - 8;
	case 2:
		return base - D + (rnd() % 3) * 8 - 8;
	default:
		return base + (uint64_t)near[rnd() % 10] + (rnd() % 4) * 8;
	}
}

/*
 * Whatever the peer writes into the positions and the record headers, no
 * call reads or writes outside the mapping (a guard page follows it) or
 * returns more than asked for.
 */
static int t_hostile_fuzz(void)
{
	static unsigned char buf[D + 64];
	struct ipcchan_ring r;
	unsigned long i;

	CHECK(map(&r) == 0);
	for (i = 0; i < 300000; i++) {
		uint64_t cp = r.hdr->cons.pos, pp = r.hdr->prod.pos;
		unsigned char *rec = r.data + (cp & (D - 1));
		size_t cap = rnd() % 3 ? 64 : sizeof(buf), len;
		const void *c;
		void *p;
		ssize_t n;

		if (i % 64 == 0) {	/* back to a sane ring now and then */
			ipcchan_ring_unmap(&r);
			CHECK(map(&r) == 0);
			continue;
		}
		switch (rnd() % 8) {
		case 0:
			r.hdr->prod.pos = hostile(cp);
			break;
		case 1:
			r.hdr->cons.pos = hostile(pp);
			break;
		case 2:
			memcpy(rec, &(uint64_t){ rnd() % 3 == 0 ? rnd() % 80 :
						 rnd() % 3 == 1 ? D - rnd() % 24 :
						 rnd() }, 8);
			break;
		case 3:
			r.hdr->prod.pos = hostile(cp);
			r.hdr->cons.pos = hostile(r.hdr->prod.pos);
			break;
		default:
			break;	/* leave it, use the ring */
		}
		switch (rnd() % 4) {
		case 0:
			n = ipcchan_ring_send(&r, buf, rnd() % 100, 0);
			CHECK(n < 0 || n < 100);
			break;
		case 1:
			n = ipcchan_ring_recv(&r, buf, cap, 0);
			CHECK(n < 0 || (size_t)n <= cap);
			break;
		case 2:
			if (ipcchan_ring_peek(&r, &c, &len, 0) == 0) {
				CHECK((const unsigned char *)c >= r.data &&
				      (const unsigned char *)c + len <=
				      r.data + 2 * D);
				memcpy(buf, c, len);
				ipcchan_ring_release(&r);
			}
			break;
		default:
			len = rnd() % 100;
			if (ipcchan_ring_reserve(&r, len, &p, 0) == 0) {
				CHECK((unsigned char *)p >= r.data &&
				      (unsigned char *)p + len <=
				      r.data + 2 * D);
				memset(p, 0xa5, len);
				ipcchan_ring_commit(&r);
			}
			break;
		}
	}
	ipcchan_ring_unmap(&r);
	return 1;
}

int main(void)
{
	fake_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fake_fd < 0)
		return 1;
	printf("TAP version 13\n1..13\n");
	result(t_double_mapping(), "double_mapping");
	result(t_wrap_every_alignment(), "wrap_every_alignment");
	result(t_full_and_max(), "full_and_max");
	result(t_corrupt(), "corrupt_header_is_an_error");
	result(t_abi_mismatch(), "abi_mismatch_eprotonosupport");
	result(t_pad_and_kept_records(), "pad_and_kept_records");
	result(t_fast_path_checks(), "fast_path_checks");
	result(t_pad_flood(), "padding_flood_honours_timeout");
	result(t_ring_4g(), "ring_4g_largest_record");
	result(t_hostile_fuzz(), "hostile_peer_fuzz");
	result(t_two_processes(0, 200000, 0), "two_processes_nospin_copy");
	result(t_two_processes(2000, 1000000, 1), "two_processes_spin_zerocopy");
	result(t_two_processes(50, 300000, 1), "two_processes_shortspin_zerocopy");
	return failures ? 1 : 0;
}
