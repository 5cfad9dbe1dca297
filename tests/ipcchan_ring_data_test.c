// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan ring data tests: records wrapping at every alignment and at
 * positions near 2^64, a producer killed mid-record, and a hostile peer
 * scribbling over the header (errors, never hangs, while the kernel reads
 * it concurrently).
 *
 *
 * The ring protocol used here is the small SPSC implementation at the end
 * of ipcchan_util.h, written from the UAPI header alone.
 *
 * Run as root with the module loaded; skips when /dev/ipcchan is absent.
 */
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_ring_fixture.h"

/* --- records across the wrap --------------------------------------------- */

/*
 * Push records of @len bytes through a producer and a consumer (separate
 * mappings of the same ring, one process) until the positions advanced by
 * @bytes: fill the ring, drain it, repeat.  Checks every byte and, for a
 * record that runs past the end of the data area, that its tail is also
 * visible at the start of the first copy.  Returns the records moved, or
 * -1 after logging a failure.
 */
static long push_through(struct __test_metadata *_metadata,
			 struct ipcchan_tring *p, struct ipcchan_tring *c,
			 __u32 len, __u64 bytes, __u64 *seq, long *crossed)
{
	__u64 start = p->pos, D = p->size;
	unsigned char buf[256];
	long moved = 0;
	__u32 k, got;
	int err;

	while (p->pos - start < bytes) {
		__u64 s0 = *seq, s;
		unsigned char *w;

		/* fill: timeout 0 makes a full ring fail at once */
		while ((w = ipcchan_tring_reserve(p, len, 0, &err))) {
			for (k = 0; k < len; k++)
				w[k] = pat(*seq, k);
			ipcchan_tring_commit(p, len);
			(*seq)++;
		}
		if (err != -ETIMEDOUT) {
			TH_LOG("len %u: reserve: %s", len, strerror(-err));
			return -1;
		}
		for (s = s0; s < *seq; s++) {
			__u64 off = c->pos & (D - 1);
			__u64 rs = ipcchan_tring_recsize(len);
			const unsigned char *r;

			r = ipcchan_tring_peek(c, &got, 0, &err);
			if (!r || got != len) {
				TH_LOG("len %u seq %llu: peek %d got %u", len,
				       (unsigned long long)s, err, got);
				return -1;
			}
			for (k = 0; k < len; k++)
				if (r[k] != pat(s, k))
					break;
			if (k != len) {
				TH_LOG("len %u seq %llu: byte %u differs", len,
				       (unsigned long long)s, k);
				return -1;
			}
			if (off + rs > D) {
				/* runs on into the second copy */
				memcpy(buf, c->data + off, D - off);
				memcpy(buf + (D - off), c->data,
				       off + rs - D);
				if (memcmp(buf, (const unsigned char *)r - 8, rs)) {
					TH_LOG("len %u: wrapped record differs in the first copy",
					       len);
					return -1;
				}
				(*crossed)++;
			}
			ipcchan_tring_release(c, len);
			moved++;
		}
		/* the consumer caught up exactly */
		if (c->pos != p->pos) {
			TH_LOG("len %u: positions %llu != %llu", len,
			       (unsigned long long)c->pos,
			       (unsigned long long)p->pos);
			return -1;
		}
	}
	return moved;
}

TEST(wrap_every_alignment)
{
	struct ipcchan_tring p, c;
	char name[IPCCHAN_NAME_MAX];
	long crossed = 0, n;
	__u64 seq = 0;
	__u32 len;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = create_ring(name, sizeof(name), "wrap", 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ipcchan_tring_map(&p, fd, IPCCHAN_RING_PROD));
	ASSERT_EQ(0, ipcchan_tring_map(&c, fd, IPCCHAN_RING_CONS));
	p.spin = c.spin = 0;
	/*
	 * Lengths 1..64 one after the other, each over 3 wraps of a one-page
	 * ring; positions carry over from one length to the next, so records
	 * start at every 8-byte offset and often straddle the end.
	 */
	for (len = 1; len <= 64; len++) {
		n = push_through(_metadata, &p, &c, len, 3 * p.size + 40, &seq,
				 &crossed);
		ASSERT_LT(0, n) TH_LOG("record length %u", len);
	}
	EXPECT_LT(64, crossed);
	/* nothing but the protocol's own calls were needed: nobody slept */
	EXPECT_EQ(0ULL, p.sleeps + c.sleeps);
	ipcchan_tring_unmap(&p);
	ipcchan_tring_unmap(&c);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
}

TEST(wrap_positions_near_2_64)
{
	static const __u32 lens[] = { 1, 7, 8, 13, 56, 57, 64, 200 };
	struct ipcchan_tring p, c;
	char name[IPCCHAN_NAME_MAX];
	long crossed = 0;
	__u64 seq = 0, o;
	unsigned int i;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = create_ring(name, sizeof(name), "wrap64", 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ipcchan_tring_map(&p, fd, IPCCHAN_RING_PROD));
	ASSERT_EQ(0, ipcchan_tring_map(&c, fd, IPCCHAN_RING_CONS));
	p.spin = c.spin = 0;
	/*
	 * Free-running positions may start anywhere: start at each 8-byte
	 * offset of the last 256 bytes of the data area, just below 2^64, and
	 * run across both the end of the data area and the u64 overflow.
	 */
	for (o = p.size - 256; o <= p.size; o += 8) {
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			__u64 start = (__u64)0 - 2 * p.size + o;

			p.hdr->prod.pos = start;
			p.hdr->cons.pos = start;
			p.pos = c.pos = start;
			ASSERT_LT(0, push_through(_metadata, &p, &c, lens[i],
						  3 * p.size, &seq, &crossed))
				TH_LOG("offset %llu len %u",
				       (unsigned long long)o, lens[i]);
			ASSERT_GT(start, p.pos);	/* it did overflow */
		}
	}
	EXPECT_LT(0, crossed);
	ipcchan_tring_unmap(&p);
	ipcchan_tring_unmap(&c);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
}

/*
 * A producer killed halfway through a record never published it: the
 * consumer sees nothing, and a new producer carries on from prod.pos.
 */
static int half_writer(void *a)
{
	struct waker_arg *wa = a;
	struct ipcchan_tring r;
	unsigned char *p;
	int fd, err;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 90;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_PROD))
		return 91;
	p = ipcchan_tring_reserve(&r, wa->len, SEC, &err);
	if (!p)
		return 92;
	memset(p, 0xee, wa->len / 2);
	raise(SIGKILL);
	return 93;
}

static int one_writer(void *a)
{
	struct waker_arg *wa = a;
	struct ipcchan_tring r;
	unsigned char buf[256];
	__u32 k;
	int fd;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 94;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_PROD))
		return 95;
	for (k = 0; k < wa->len; k++)
		buf[k] = pat(5, k);
	return ipcchan_tring_send(&r, buf, wa->len, SEC) ? 96 : 0;
}

TEST_F(ring, producer_killed_mid_record_exposes_nothing)
{
	struct waker_arg wa = { self->name, 200 };
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct ipcchan_tring c;
	unsigned char buf[256];
	__u32 len, k;
	pid_t pid;
	int st;

	ASSERT_EQ(0, ipcchan_tring_map(&c, self->fd, IPCCHAN_RING_CONS));
	pid = ipcchan_spawn(half_writer, &wa);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(SIGKILL, WTERMSIG(st));
	EXPECT_EQ(0ULL, __atomic_load_n(&c.hdr->prod.pos, __ATOMIC_ACQUIRE));
	EXPECT_EQ(-ETIMEDOUT, ipcchan_tring_recv(&c, buf, sizeof(buf), &len,
						 100 * MS));
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	pid = ipcchan_spawn(one_writer, &wa);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, ipcchan_reap(pid, 10000));
	ASSERT_EQ(0, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	ASSERT_EQ(wa.len, len);
	for (k = 0; k < len; k++)
		ASSERT_EQ(pat(5, k), buf[k]) TH_LOG("byte %u", k);
	ipcchan_tring_unmap(&c);
}

/* --- a hostile peer scribbles over the header ------------------------------ */

static __u64 rnd64(__u64 *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/*
 * 200 rounds of random bytes over the whole header page: the producer @p
 * and consumer @c, RING_WAIT, RING_NOTIFY and poll give errors, not hangs.
 */
static void random_headers(struct __test_metadata *_metadata, int fd,
			   size_t pg, struct ipcchan_tring *p,
			   struct ipcchan_tring *c)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct ipcchan_ring_hdr *h = p->hdr;
	__u64 s = 0x1234567, i;
	unsigned char buf[64];
	__u32 len;

	for (i = 0; i < 200; i++) {
		__u64 *w = (__u64 *)p->map;
		size_t k;
		int ret;

		for (k = 0; k < pg / 8; k++)
			w[k] = rnd64(&s);
		c->pos = h->cons.pos;
		p->pos = h->prod.pos;
		ret = ipcchan_tring_recv(c, buf, sizeof(buf), &len, 0);
		EXPECT_TRUE(ret == -EIO || ret == -EMSGSIZE || ret == 0 ||
			    ret == -ETIMEDOUT) TH_LOG("recv: %d", ret);
		ret = ipcchan_tring_send(p, "x", 1, 0);
		EXPECT_TRUE(ret == -EIO || ret == 0 || ret == -ETIMEDOUT)
			TH_LOG("send: %d", ret);
		EXPECT_EQ(-ETIMEDOUT,
			  ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_CONS,
						h->cons.pos, IPCCHAN_TIMEOUT,
						MS));
		EXPECT_LE(0, ipcchan_ring_notify_ioc(fd, i & 1));
		EXPECT_LE(0, poll(&pfd, 1, 0));
	}
}

TEST_F(ring, garbage_header_gives_errors_not_hangs)
{
	struct ipcchan_tring p, c;
	struct ipcchan_ring_hdr *h;
	struct ipcchan_ring_rec *rec;
	struct pollfd pfd;
	unsigned char buf[64];
	long long t0, dt;
	__u32 len;

	ASSERT_EQ(0, ipcchan_tring_map(&p, self->fd, IPCCHAN_RING_PROD));
	ASSERT_EQ(0, ipcchan_tring_map(&c, self->fd, IPCCHAN_RING_CONS));
	h = p.hdr;

	/* a huge producer position */
	h->prod.pos = ~0ULL;
	h->cons.pos = 0;
	EXPECT_EQ(-EIO, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	p.pos = h->prod.pos;
	EXPECT_EQ(-EIO, ipcchan_tring_send(&p, "x", 1, SEC));
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD,
						    ~0ULL, IPCCHAN_TIMEOUT,
						    200 * MS));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(200 * MS, dt);
	EXPECT_GT(200 * MS + SLACK_NS, dt);
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD, 0,
					   IPCCHAN_TIMEOUT, 5 * SEC));
	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	pfd.fd = self->fd;
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);

	/* the consumer ahead of the producer */
	h->prod.pos = 0;
	h->cons.pos = 64;
	c.pos = 64;
	p.pos = 0;
	EXPECT_EQ(-EIO, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	EXPECT_EQ(-EIO, ipcchan_tring_send(&p, "x", 1, SEC));

	/* a record whose length runs past what was published */
	h->prod.pos = 16;
	h->cons.pos = 0;
	c.pos = 0;
	rec = (struct ipcchan_ring_rec *)c.data;
	rec->len = 0xffffffffU;
	EXPECT_EQ(-EIO, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	rec->len = 9;
	EXPECT_EQ(-EIO, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	rec->len = 8;
	EXPECT_EQ(0, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));

	/* random bytes over the whole header page, many times */
	random_headers(_metadata, self->fd, self->pg, &p, &c);
	ipcchan_tring_unmap(&p);
	ipcchan_tring_unmap(&c);
}

/* Scribble random values over prod/cons/waiting until killed. */
static int scribbler(void *a)
{
	struct ipcchan_ring_hdr *h = a;
	__u64 s = (__u64)getpid() * 7919 + 1;

	for (;;) {
		__u64 v = rnd64(&s);

		switch (v & 3) {
		case 0:
			__atomic_store_n(&h->prod.pos, v, __ATOMIC_RELAXED);
			break;
		case 1:
			__atomic_store_n(&h->cons.pos, v >> (v & 63),
					 __ATOMIC_RELAXED);
			break;
		case 2:
			__atomic_store_n(&h->prod.waiting, (__u32)v,
					 __ATOMIC_RELAXED);
			break;
		default:
			memset((char *)h + (v >> 8) % 128, (int)v, 8);
			break;
		}
	}
	return 0;
}

TEST_F(ring, garbage_writer_concurrent_with_kernel_reads)
{
	long long end, t0, dt, worst = 0;
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	__u64 s = 99, calls = 0;
	pid_t pid;
	int ret;

	ASSERT_NE(NULL, map_all(self));
	pid = ipcchan_spawn(scribbler, self->map);
	ASSERT_LT(0, pid);
	end = ipcchan_now_ns() + 2 * SEC;
	while (ipcchan_now_ns() < end) {
		__u32 which = rnd64(&s) & 1;

		t0 = ipcchan_now_ns();
		ret = ipcchan_ring_wait_ioc(self->fd, which, rnd64(&s),
					    IPCCHAN_TIMEOUT, 5 * MS);
		dt = ipcchan_now_ns() - t0;
		if (dt > worst)
			worst = dt;
		ASSERT_TRUE(ret == 0 || ret == -ETIMEDOUT) TH_LOG("wait: %d",
								  ret);
		ASSERT_LE(0, ipcchan_ring_notify_ioc(self->fd, which));
		ASSERT_LE(0, poll(&pfd, 1, 0));
		calls++;
	}
	kill(pid, SIGKILL);
	ipcchan_reap(pid, 10000);
	EXPECT_GT(5 * MS + SLACK_NS, worst);
	EXPECT_LT(10ULL, calls);
	TH_LOG("%llu wait/notify/poll rounds, slowest wait %lld us",
	       (unsigned long long)calls, worst / 1000);
}

IPCCHAN_HARNESS_MAIN(NULL)
