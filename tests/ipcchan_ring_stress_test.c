// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan ring stream: records through the shared ring between two
 * processes, exactly once.  The producer is a forked child that attaches
 * by name and maps the ring itself; the consumer is the test process.
 * Every record carries its sequence number and a checksum (records under
 * 16 bytes: bytes derived from the sequence number), and the consumer
 * checks all of them in place, in order, then that nothing follows the
 * last one.  Both sides use the UAPI protocol (ipcchan_util.h): a bounded
 * spin, then the waiting flag and RING_WAIT, and RING_NOTIFY only when the
 * peer's flag is set.  A lost wake-up shows up as ETIMEDOUT (10 s).
 *
 * Record sizes go from 1 byte to half the ring (a 16-page, 64 KiB data
 * area with 4 KiB pages: a 32760-byte payload makes a 32768-byte record).
 * The long profile (IPCCHAN_LONG=1) moves 1,000,000 records for 1- and
 * 8-byte records and fewer for the other sizes (at most 32 MiB of payload
 * each), about 30 s in the TCG test VM; the default, quick profile a tenth
 * of each.
 * "sleepy" variants never spin, so every empty or full ring goes through
 * the waiting flags and the kernel.
 *
 * Run as root with the module loaded; skips when /dev/ipcchan is absent.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_ring.h"

#define SEC		1000000000LL
#define OP_TIMEOUT	(10 * SEC)
#define RING_PAGES	16

/* 64-bit mix of (seq, word index): the payload's content. */
static inline __u64 mix(__u64 seq, __u64 j)
{
	__u64 x = seq * 0x9e3779b97f4a7c15ULL ^ (j + 1) * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 31;
	return x;
}

static inline __u64 rotl(__u64 x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/*
 * Payload layout for len >= 16: u64 seq, u64 checksum, then len - 16
 * bytes of mix(seq, j).  Shorter payloads: byte k = top byte of mix(seq, k).
 * A variant with len 0 sends sizes 1 + seq % 997 ("mixed").
 */
static inline __u32 rec_len(__u32 vlen, __u64 seq)
{
	return vlen ? vlen : 1 + (__u32)(seq % 997);
}

static inline __u64 body_sum(const unsigned char *b, __u32 n)
{
	__u64 c = 0x84222325cbf29ce4ULL, w;
	__u32 j;

	for (j = 0; j + 8 <= n; j += 8) {
		memcpy(&w, b + j, 8);
		c = rotl(c ^ w, 23) * 0x100000001b3ULL;
	}
	for (; j < n; j++)
		c = rotl(c ^ b[j], 7) * 0x100000001b3ULL;
	return c;
}

static void fill(unsigned char *p, __u32 len, __u64 seq)
{
	__u64 w;
	__u32 j;

	if (len < 16) {
		for (j = 0; j < len; j++)
			p[j] = (unsigned char)(mix(seq, j) >> 56);
		return;
	}
	memcpy(p, &seq, 8);
	for (j = 16; j + 8 <= len; j += 8) {
		w = mix(seq, j);
		memcpy(p + j, &w, 8);
	}
	for (; j < len; j++)
		p[j] = (unsigned char)mix(seq, j);
	w = body_sum(p + 16, len - 16);
	memcpy(p + 8, &w, 8);
}

/* 0 when the payload is record @seq, else a code saying what is wrong. */
static int check(const unsigned char *p, __u32 len, __u64 seq)
{
	__u64 s, c;
	__u32 j;

	if (len < 16) {
		for (j = 0; j < len; j++)
			if (p[j] != (unsigned char)(mix(seq, j) >> 56))
				return 1;
		return 0;
	}
	memcpy(&s, p, 8);
	memcpy(&c, p + 8, 8);
	if (s != seq)
		return 2;
	if (c != body_sum(p + 16, len - 16))
		return 3;
	/* and it is this record's body, not a stale one with its own sum */
	if (len >= 24) {
		memcpy(&c, p + 16, 8);
		if (c != mix(seq, 16))
			return 4;
	}
	return 0;
}

FIXTURE(stream) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
	pid_t pid;
};

FIXTURE_VARIANT(stream) {
	__u32 len;	/* payload bytes; 0: mixed sizes */
	__u32 count;	/* records in the long profile; a tenth by default */
	__u32 spin;	/* position checks before sleeping */
};

/*
 * The 1,000,000-record runs use small records; the others move fewer
 * records (at most 32 MiB of payload) to keep the long profile near 30 s in
 * the TCG VM, where small records move at roughly 100,000-200,000 per
 * second.
 */
FIXTURE_VARIANT_ADD(stream, len_1) { .len = 1, .count = 1000000, .spin = 200 };
FIXTURE_VARIANT_ADD(stream, len_8) { .len = 8, .count = 1000000, .spin = 200 };
FIXTURE_VARIANT_ADD(stream, len_7) { .len = 7, .count = 200000, .spin = 200 };
FIXTURE_VARIANT_ADD(stream, len_16) { .len = 16, .count = 200000, .spin = 200 };
FIXTURE_VARIANT_ADD(stream, len_61) { .len = 61, .count = 200000, .spin = 200 };
FIXTURE_VARIANT_ADD(stream, len_64) { .len = 64, .count = 200000, .spin = 200 };
FIXTURE_VARIANT_ADD(stream, len_509) { .len = 509, .count = 50000, .spin = 200 };
FIXTURE_VARIANT_ADD(stream, len_4096) { .len = 4096, .count = 8192, .spin = 200 };
FIXTURE_VARIANT_ADD(stream, len_12345) { .len = 12345, .count = 2500, .spin = 200 };
/* Half the ring: record = 32768 bytes = D / 2, two fit at a time. */
FIXTURE_VARIANT_ADD(stream, len_half_ring) {
	.len = RING_PAGES * 4096 / 2 - 8, .count = 1024, .spin = 200,
};
FIXTURE_VARIANT_ADD(stream, mixed_1_to_997) { .len = 0, .count = 100000, .spin = 200 };
/* Never spin: every wait goes through the flags and the kernel. */
FIXTURE_VARIANT_ADD(stream, sleepy_len_8) { .len = 8, .count = 100000, .spin = 0 };
FIXTURE_VARIANT_ADD(stream, sleepy_mixed) { .len = 0, .count = 20000, .spin = 0 };
FIXTURE_VARIANT_ADD(stream, sleepy_half_ring) {
	.len = RING_PAGES * 4096 / 2 - 8, .count = 512, .spin = 0,
};

FIXTURE_SETUP(stream)
{
	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(getpagesize() == 4096, "record sizes assume 4 KiB pages");
	ipcchan_test_name(self->name, sizeof(self->name), "rstream");
	self->fd = ipcchan_test_attach_sz(self->name,
					  IPCCHAN_CREATE | IPCCHAN_EXCL,
					  IPCCHAN_ACCESS_RDWR, 0600, 0, 0,
					  RING_PAGES);
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(-self->fd));
	self->pid = -1;
}

FIXTURE_TEARDOWN(stream)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	close(self->fd);
	ipcchan_test_unlink(self->name);
}

/* The producer process: exit 0 after @count records, else a code. */
static int producer(const char *name, __u32 vlen, __u32 count, __u32 spin)
{
	struct ipcchan_tring r;
	unsigned char *p;
	__u64 seq;
	__u32 len;
	int fd, err;

	fd = ipcchan_test_attach(name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 10;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_PROD))
		return 11;
	r.spin = spin;
	for (seq = 0; seq < count; seq++) {
		len = rec_len(vlen, seq);
		p = ipcchan_tring_reserve(&r, len, OP_TIMEOUT, &err);
		if (!p)
			return err == -ETIMEDOUT ? 12 : 13;
		fill(p, len, seq);
		ipcchan_tring_commit(&r, len);
	}
	return 0;
}

TEST_F(stream, exactly_once)
{
	__u32 count = ipcchan_long() ? variant->count : variant->count / 10;
	struct ipcchan_tring c;
	long long t0, dt;
	__u64 seq, bytes = 0, prod_end;
	const unsigned char *p;
	int err, st, bad;
	__u32 len;

	/* map before the fork is fine: the child maps its own view anyway */
	ASSERT_EQ(0, ipcchan_tring_map(&c, self->fd, IPCCHAN_RING_CONS));
	c.spin = variant->spin;
	t0 = ipcchan_now_ns();
	fflush(stdout);
	fflush(stderr);
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (self->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ipcchan_tring_unmap(&c);
		_exit(producer(self->name, variant->len, count,
			       variant->spin));
	}

	for (seq = 0; seq < count; seq++) {
		p = ipcchan_tring_peek(&c, &len, OP_TIMEOUT, &err);
		ASSERT_NE(NULL, p) TH_LOG("record %llu: %s",
					  (unsigned long long)seq,
					  strerror(-err));
		ASSERT_EQ(rec_len(variant->len, seq), len)
			TH_LOG("record %llu", (unsigned long long)seq);
		bad = check(p, len, seq);
		ASSERT_EQ(0, bad) TH_LOG("record %llu (len %u) corrupt: %d",
					 (unsigned long long)seq, len, bad);
		ipcchan_tring_release(&c, len);
		bytes += len;
	}
	dt = ipcchan_now_ns() - t0;

	ASSERT_EQ(self->pid, waitpid(self->pid, &st, 0));
	self->pid = -1;
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	/* no extra record: the producer's final position is ours */
	prod_end = __atomic_load_n(&c.hdr->prod.pos, __ATOMIC_ACQUIRE);
	EXPECT_EQ(c.pos, prod_end);
	EXPECT_EQ(0U, c.hdr->prod.waiting);
	EXPECT_EQ(0U, c.hdr->cons.waiting);
	/*
	 * Never spinning, a side that must wait goes through its waiting flag
	 * and the kernel: the consumer sleeps on an empty ring, or the
	 * producer on a full one, which the consumer then notifies.  Which
	 * one happens depends on who runs ahead.
	 */
	if (!variant->spin)
		EXPECT_LT(0ULL, c.sleeps + c.notifies);
	TH_LOG("%u records, %llu payload bytes in %.2f s: %.0f rec/s, "
	       "consumer slept %llu times, notified %llu times",
	       count, (unsigned long long)bytes, dt / 1e9,
	       count / (dt / 1e9), (unsigned long long)c.sleeps,
	       (unsigned long long)c.notifies);
	ipcchan_tring_unmap(&c);
}

IPCCHAN_HARNESS_MAIN(NULL)
