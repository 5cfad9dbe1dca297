// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan batch tests: SEND_BATCH/RECV_BATCH (partial success, waiting,
 * timeouts, EMSGSIZE, EBADF, EFAULT), every EINVAL (a FIXTURE_VARIANT
 * table) and the IPCCHAN_BATCH_MAX cap.
 *
 * Processes are sequenced with INFO.blocked_senders/blocked_receivers and
 * pipes, never with sleeps alone, so every assertion is deterministic.
 *
 * Run as root with the module loaded; skips when /dev/ipcchan is absent.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_pair.h"

/* --- batches ----------------------------------------------------------- */

static int has_batch(void)
{
	struct ipcchan_modinfo mi;

	return !ipcchan_get_modinfo(&mi) && (mi.features & IPCCHAN_FEAT_BATCH);
}

#define REQUIRE_BATCH()							\
	IPCCHAN_SKIP_UNLESS(has_batch(), "no IPCCHAN_FEAT_BATCH")

#define SEQ_POISON	0xa5a5a5a5a5a5a5a5ULL

static void init_entries(struct ipcchan_msg *m, int n, char (*bufs)[16],
			 __u32 len)
{
	int i;

	memset(m, 0, n * sizeof(*m));
	for (i = 0; i < n; i++) {
		m[i].buf = (__u64)(unsigned long)bufs[i];
		m[i].len = len;
		m[i].seq = SEQ_POISON;
		m[i].pid = 0xa5a5a5a5;
	}
}

static long batch(int fd, unsigned long cmd, struct ipcchan_msg *m,
		  __u32 count, __u32 flags, __s64 to, struct ipcchan_batch *b)
{
	struct ipcchan_batch lb;

	if (!b)
		b = &lb;
	memset(b, 0, sizeof(*b));
	b->msgs = (__u64)(unsigned long)m;
	b->count = count;
	b->flags = flags;
	b->timeout_ns = to;
	b->done = 0xa5a5a5a5;
	return ipcchan_ioctl(fd, cmd, b);
}

TEST_F(pair, send_batch_all_then_recv_batch_partial)
{
	struct ipcchan_msg m[PAIR_MSGS];
	struct ipcchan_batch b;
	char bufs[PAIR_MSGS][16];
	int i;

	REQUIRE_BATCH();
	init_entries(m, 5, bufs, 4);
	for (i = 0; i < 5; i++) {
		memcpy(bufs[i], &i, 4);
		m[i].prio = (__u32)i;
	}
	ASSERT_EQ(5, batch(self->tx, IPCCHAN_IOC_SEND_BATCH, m, 5, 0, 0, &b));
	EXPECT_EQ(5U, b.done);
	for (i = 0; i < 5; i++)
		EXPECT_EQ((__u64)i + 1, m[i].seq);
	EXPECT_EQ(5ULL, cur_msgs(self->tx));

	/* receive with room for 8: partial success moves the 5 there are */
	init_entries(m, PAIR_MSGS, bufs, 16);
	ASSERT_EQ(5, batch(self->rx, IPCCHAN_IOC_RECV_BATCH, m, PAIR_MSGS,
			   IPCCHAN_NONBLOCK, 0, &b));
	EXPECT_EQ(5U, b.done);
	for (i = 0; i < 5; i++) {
		int v;

		memcpy(&v, bufs[i], 4);
		EXPECT_EQ(4U, m[i].len);
		EXPECT_EQ((__u32)(4 - i), m[i].prio);
		EXPECT_EQ(4 - i, v);
		EXPECT_EQ((__u64)(5 - i), m[i].seq);
		EXPECT_EQ((__u32)getpid(), m[i].pid);
		EXPECT_EQ((__u32)getuid(), m[i].uid);
	}
	for (i = 5; i < PAIR_MSGS; i++) {
		/* entries not moved are left as they were */
		EXPECT_EQ(16U, m[i].len);
		EXPECT_EQ(SEQ_POISON, m[i].seq);
		EXPECT_EQ(0xa5a5a5a5U, m[i].pid);
	}
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, send_batch_partial_when_queue_fills)
{
	struct ipcchan_msg m[5];
	struct ipcchan_batch b;
	char bufs[5][16];
	int i;

	REQUIRE_BATCH();
	for (i = 0; i < PAIR_MSGS - 2; i++)
		ASSERT_EQ(0, ipcchan_test_send(self->tx, "f", 1, 0, 0, 0,
					       NULL));
	init_entries(m, 5, bufs, 1);
	ASSERT_EQ(2, batch(self->tx, IPCCHAN_IOC_SEND_BATCH, m, 5,
			   IPCCHAN_NONBLOCK, 0, &b));
	EXPECT_EQ(2U, b.done);
	EXPECT_EQ((__u64)PAIR_MSGS - 1, m[0].seq);
	EXPECT_EQ((__u64)PAIR_MSGS, m[1].seq);
	for (i = 2; i < 5; i++)
		EXPECT_EQ(SEQ_POISON, m[i].seq);
	EXPECT_EQ((__u64)PAIR_MSGS, cur_msgs(self->tx));
}

TEST_F(pair, send_batch_full_nonblock_eagain)
{
	struct ipcchan_msg m[2];
	char bufs[2][16];

	REQUIRE_BATCH();
	fill_queue(_metadata, self->tx);
	init_entries(m, 2, bufs, 1);
	EXPECT_EQ(-EAGAIN, batch(self->tx, IPCCHAN_IOC_SEND_BATCH, m, 2,
				 IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ(SEQ_POISON, m[0].seq);
}

TEST_F(pair, recv_batch_empty_nonblock_eagain)
{
	struct ipcchan_msg m[2];
	char bufs[2][16];

	REQUIRE_BATCH();
	init_entries(m, 2, bufs, 16);
	EXPECT_EQ(-EAGAIN, batch(self->rx, IPCCHAN_IOC_RECV_BATCH, m, 2,
				 IPCCHAN_NONBLOCK, 0, NULL));
}

TEST_F(pair, recv_batch_o_nonblock_eagain)
{
	struct ipcchan_msg m[2];
	char bufs[2][16];

	REQUIRE_BATCH();
	set_nonblock(_metadata, self->rx);
	init_entries(m, 2, bufs, 16);
	EXPECT_EQ(-EAGAIN, batch(self->rx, IPCCHAN_IOC_RECV_BATCH, m, 2, 0, 0,
				 NULL));
}

TEST_F(pair, recv_batch_timeout_etimedout)
{
	const long long to = 50 * MS;
	struct ipcchan_msg m[2];
	char bufs[2][16];
	long long t0, dt;

	REQUIRE_BATCH();
	init_entries(m, 2, bufs, 16);
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, batch(self->rx, IPCCHAN_IOC_RECV_BATCH, m, 2,
				    IPCCHAN_TIMEOUT, to, NULL));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(to, dt);
	EXPECT_GT(to + SLACK, dt);
}

TEST_F(pair, send_batch_timeout_etimedout)
{
	const long long to = 50 * MS;
	struct ipcchan_msg m[2];
	char bufs[2][16];
	long long t0, dt;

	REQUIRE_BATCH();
	fill_queue(_metadata, self->tx);
	init_entries(m, 2, bufs, 1);
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, batch(self->tx, IPCCHAN_IOC_SEND_BATCH, m, 2,
				    IPCCHAN_TIMEOUT, to, NULL));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(to, dt);
	EXPECT_GT(to + SLACK, dt);
}

/* Child: once the parent blocks in SEND_BATCH, free exactly one slot. */
static int recv_one_when_sender_blocked(void *p)
{
	struct peer *pe = p;
	char buf[PAIR_SIZE];

	if (ipcchan_wait_blocked(pe->watch, 0, 1, WAIT_MS))
		return 10;
	return ipcchan_test_recv(pe->fd, buf, sizeof(buf), 0, 0, NULL) ? 11 : 0;
}

TEST_F(pair, send_batch_waits_for_first_slot)
{
	struct peer pe = { .fd = self->rx, .watch = self->rx };
	struct ipcchan_msg m[3];
	char bufs[3][16];
	pid_t pid;

	REQUIRE_BATCH();
	fill_queue(_metadata, self->tx);
	init_entries(m, 3, bufs, 1);
	pid = ipcchan_spawn(recv_one_when_sender_blocked, &pe);
	ASSERT_LT(0, pid);
	EXPECT_EQ(1, batch(self->tx, IPCCHAN_IOC_SEND_BATCH, m, 3,
			   IPCCHAN_TIMEOUT, 20 * SEC, NULL));
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
	EXPECT_EQ((__u64)PAIR_MSGS, cur_msgs(self->tx));
}

TEST_F(pair, recv_batch_waits_for_first_message)
{
	struct peer pe = { .fd = self->tx, .watch = self->tx };
	struct ipcchan_msg m[3];
	char bufs[3][16];
	pid_t pid;

	REQUIRE_BATCH();
	init_entries(m, 3, bufs, 16);
	pid = ipcchan_spawn(send_when_receiver_blocked, &pe);
	ASSERT_LT(0, pid);
	EXPECT_EQ(1, batch(self->rx, IPCCHAN_IOC_RECV_BATCH, m, 3, 0, 0, NULL));
	EXPECT_EQ(4U, m[0].len);
	EXPECT_EQ(0, memcmp(bufs[0], "late", 4));
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
}

TEST_F(pair, recv_batch_stops_before_message_that_does_not_fit)
{
	struct ipcchan_msg m[2];
	char bufs[2][16], big[100] = { 0 };

	REQUIRE_BATCH();
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "small", 5, 0, 0, 0, NULL));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, big, 100, 0, 0, 0, NULL));
	init_entries(m, 2, bufs, 16);
	EXPECT_EQ(1, batch(self->rx, IPCCHAN_IOC_RECV_BATCH, m, 2,
			   IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ(5U, m[0].len);
	EXPECT_EQ(SEQ_POISON, m[1].seq);
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
}

/*
 * One batch takes the rest of a priority's FIFO, goes on to the next lower
 * priority, and stops in the middle of that FIFO at the first message that
 * does not fit its entry; the next batch starts right there.
 */
TEST_F(pair, recv_batch_crosses_priorities_stops_at_cap)
{
	static const char *const want[] = { "a", "b", "c", NULL, "e" };
	struct ipcchan_msg m[6];
	char bufs[6][16], big[100], out[100];
	int i;

	REQUIRE_BATCH();
	memset(big, 'x', sizeof(big));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "c", 1, 1, 0, 0, NULL));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "a", 1, 3, 0, 0, NULL));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, big, 100, 1, 0, 0, NULL));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "b", 1, 3, 0, 0, NULL));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "e", 1, 1, 0, 0, NULL));
	init_entries(m, 6, bufs, 16);
	ASSERT_EQ(3, batch(self->rx, IPCCHAN_IOC_RECV_BATCH, m, 6,
			   IPCCHAN_NONBLOCK, 0, NULL));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1U, m[i].len);
		EXPECT_EQ(i < 2 ? 3U : 1U, m[i].prio);
		EXPECT_EQ(want[i][0], bufs[i][0]);
	}
	EXPECT_EQ(SEQ_POISON, m[3].seq);
	EXPECT_EQ(2ULL, cur_msgs(self->tx));

	/* The 100-byte message is next, then "e": nothing was reordered. */
	init_entries(m, 2, bufs, 16);
	m[0].buf = (__u64)(unsigned long)out;
	m[0].len = sizeof(out);
	ASSERT_EQ(2, batch(self->rx, IPCCHAN_IOC_RECV_BATCH, m, 2,
			   IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ(100U, m[0].len);
	EXPECT_EQ(0, memcmp(out, big, sizeof(big)));
	EXPECT_EQ(1U, m[1].len);
	EXPECT_EQ(want[4][0], bufs[1][0]);
	EXPECT_LT(m[0].seq, m[1].seq);
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, recv_batch_first_too_big_emsgsize)
{
	struct ipcchan_msg m[2];
	char bufs[2][16], big[100] = { 0 };

	REQUIRE_BATCH();
	ASSERT_EQ(0, ipcchan_test_send(self->tx, big, 100, 0, 0, 0, NULL));
	init_entries(m, 2, bufs, 16);
	EXPECT_EQ(-EMSGSIZE, batch(self->rx, IPCCHAN_IOC_RECV_BATCH, m, 2,
				   IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
}

TEST_F(pair, send_batch_on_recv_file_ebadf)
{
	struct ipcchan_msg m[1];
	char bufs[1][16];

	REQUIRE_BATCH();
	init_entries(m, 1, bufs, 1);
	EXPECT_EQ(-EBADF, batch(self->rx, IPCCHAN_IOC_SEND_BATCH, m, 1, 0, 0,
				NULL));
}

TEST_F(pair, recv_batch_on_send_file_ebadf)
{
	struct ipcchan_msg m[1];
	char bufs[1][16];

	REQUIRE_BATCH();
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "x", 1, 0, 0, 0, NULL));
	init_entries(m, 1, bufs, 16);
	EXPECT_EQ(-EBADF, batch(self->tx, IPCCHAN_IOC_RECV_BATCH, m, 1,
				IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
}

TEST_F(pair, batch_msgs_null_efault)
{
	REQUIRE_BATCH();
	EXPECT_EQ(-EFAULT, batch(self->tx, IPCCHAN_IOC_SEND_BATCH, NULL, 1,
				 IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "x", 1, 0, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, batch(self->rx, IPCCHAN_IOC_RECV_BATCH, NULL, 1,
				 IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
}

TEST_F(pair, batch_struct_null_efault)
{
	REQUIRE_BATCH();
	EXPECT_EQ(-EFAULT, ipcchan_ioctl(self->tx, IPCCHAN_IOC_SEND_BATCH,
					 NULL));
	EXPECT_EQ(-EFAULT, ipcchan_ioctl(self->rx, IPCCHAN_IOC_RECV_BATCH,
					 NULL));
}

/*
 * Validation of a batch with one entry: the call must fail with EINVAL
 * and move nothing.  For RECV a message is queued and must stay.
 */
static void check_batch_bad(struct __test_metadata *_metadata, int tx, int rx,
			    int recv, struct ipcchan_batch *b,
			    struct ipcchan_msg *m)
{
	char buf[PAIR_SIZE];

	ASSERT_EQ(0, ipcchan_test_send(tx, "q", 1, 0, 0, 0, NULL));
	m->buf = (__u64)(unsigned long)buf;
	m->len = recv ? sizeof(buf) : 1;
	b->msgs = (__u64)(unsigned long)m;
	EXPECT_EQ(-EINVAL, ipcchan_ioctl(recv ? rx : tx,
					 recv ? IPCCHAN_IOC_RECV_BATCH :
						IPCCHAN_IOC_SEND_BATCH, b));
	EXPECT_EQ(1ULL, cur_msgs(tx));
}

/*
 * One bad field per variant, in the batch or in its one entry: the batch
 * fails with EINVAL and the queue stays as it was.
 */
FIXTURE(batch_inval) {
	char name[IPCCHAN_NAME_MAX];
	int tx, rx;
};

FIXTURE_VARIANT(batch_inval) {
	int recv;			/* RECV_BATCH on rx, else SEND_BATCH */
	struct ipcchan_batch b;		/* msgs is filled in */
	struct ipcchan_msg m;		/* buf and len are filled in */
};

FIXTURE_VARIANT_ADD(batch_inval, send_batch_count_zero) {
	.b = { .count = 0, .flags = IPCCHAN_NONBLOCK } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_count_zero) {
	.recv = 1, .b = { .count = 0, .flags = IPCCHAN_NONBLOCK } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_reserved0) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK, .reserved0 = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_reserved_0) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK, .reserved[0] = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_reserved_1) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK, .reserved[1] = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_reserved0) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK, .reserved0 = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_reserved_0) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK, .reserved[0] = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_reserved_1) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK, .reserved[1] = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_nonblock_and_timeout) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | IPCCHAN_TIMEOUT } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_nonblock_and_timeout) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | IPCCHAN_TIMEOUT } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_timeout_without_flag) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK, .timeout_ns = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_timeout_without_flag) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK, .timeout_ns = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_negative_timeout) {
	.b = { .count = 1, .flags = IPCCHAN_TIMEOUT, .timeout_ns = -5 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_negative_timeout) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_TIMEOUT, .timeout_ns = -5 } };
/* One bad field in the entry. */
FIXTURE_VARIANT_ADD(batch_inval, send_batch_entry_flags) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .flags = IPCCHAN_NONBLOCK } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_entry_flags) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .flags = IPCCHAN_NONBLOCK } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_entry_timeout) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .timeout_ns = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_entry_timeout) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .timeout_ns = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_entry_reserved0) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .reserved0 = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_entry_reserved_0) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .reserved[0] = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_entry_reserved_1) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .reserved[1] = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_entry_reserved0) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .reserved0 = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_entry_reserved_0) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .reserved[0] = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_entry_reserved_1) {
	.recv = 1,
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .reserved[1] = 1 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_entry_prio_above_max) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK },
	.m = { .prio = IPCCHAN_PRIO_MAX + 1 } };
/* Unknown flag bits, one variant each. */
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit2) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 2 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit3) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 3 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit4) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 4 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit5) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 5 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit6) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 6 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit7) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 7 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit8) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 8 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit9) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 9 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit10) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 10 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit11) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 11 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit12) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 12 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit13) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 13 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit14) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 14 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit15) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 15 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit16) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 16 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit17) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 17 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit18) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 18 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit19) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 19 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit20) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 20 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit21) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 21 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit22) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 22 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit23) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 23 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit24) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 24 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit25) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 25 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit26) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 26 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit27) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 27 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit28) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 28 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit29) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 29 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit30) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 30 } };
FIXTURE_VARIANT_ADD(batch_inval, send_batch_flags_bit31) {
	.b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 31 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit2) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 2 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit3) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 3 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit4) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 4 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit5) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 5 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit6) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 6 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit7) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 7 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit8) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 8 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit9) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 9 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit10) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 10 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit11) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 11 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit12) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 12 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit13) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 13 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit14) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 14 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit15) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 15 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit16) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 16 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit17) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 17 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit18) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 18 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit19) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 19 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit20) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 20 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit21) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 21 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit22) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 22 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit23) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 23 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit24) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 24 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit25) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 25 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit26) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 26 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit27) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 27 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit28) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 28 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit29) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 29 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit30) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 30 } };
FIXTURE_VARIANT_ADD(batch_inval, recv_batch_flags_bit31) {
	.recv = 1, .b = { .count = 1, .flags = IPCCHAN_NONBLOCK | 1U << 31 } };

FIXTURE_SETUP(batch_inval)
{
	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(has_batch(), "no IPCCHAN_FEAT_BATCH");
	pair_open(_metadata, self->name, sizeof(self->name), &self->tx,
		  &self->rx);
}

FIXTURE_TEARDOWN(batch_inval)
{
	pair_close(self->name, self->tx, self->rx);
}

TEST_F(batch_inval, einval)
{
	struct ipcchan_batch b = variant->b;
	struct ipcchan_msg m = variant->m;

	check_batch_bad(_metadata, self->tx, self->rx, variant->recv, &b, &m);
}

/* The count cap: IPCCHAN_BATCH_MAX passes, one more is EINVAL. */
FIXTURE(big) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
	__u32 depth;
	struct ipcchan_msg *m;
	char *bufs;
};

FIXTURE_SETUP(big)
{
	struct ipcchan_modinfo mi;

	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(has_batch(), "no IPCCHAN_FEAT_BATCH");
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	self->depth = mi.max_msgs_limit < IPCCHAN_BATCH_MAX ?
		      mi.max_msgs_limit : IPCCHAN_BATCH_MAX;
	ipcchan_test_name(self->name, sizeof(self->name), "big");
	self->fd = ipcchan_test_attach_sz(self->name, IPCCHAN_CREATE,
					  IPCCHAN_ACCESS_RDWR, 0600,
					  self->depth, 4, 0);
	ASSERT_LE(0, self->fd);
	self->m = calloc(IPCCHAN_BATCH_MAX + 1, sizeof(*self->m));
	self->bufs = calloc(IPCCHAN_BATCH_MAX + 1, 4);
	ASSERT_NE(NULL, self->m);
	ASSERT_NE(NULL, self->bufs);
	for (int i = 0; i <= IPCCHAN_BATCH_MAX; i++) {
		memcpy(self->bufs + 4 * i, &i, 4);
		self->m[i].buf = (__u64)(unsigned long)(self->bufs + 4 * i);
		self->m[i].len = 4;
	}
}

FIXTURE_TEARDOWN(big)
{
	if (self->fd > 0)
		close(self->fd);
	ipcchan_test_unlink(self->name);
	free(self->m);
	free(self->bufs);
}

TEST_F(big, batch_count_max_ok)
{
	int i, v;

	ASSERT_EQ((long)self->depth,
		  batch(self->fd, IPCCHAN_IOC_SEND_BATCH, self->m,
			IPCCHAN_BATCH_MAX, IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ((__u64)self->depth, cur_msgs(self->fd));
	memset(self->bufs, 0xff, 4 * (IPCCHAN_BATCH_MAX + 1));
	ASSERT_EQ((long)self->depth,
		  batch(self->fd, IPCCHAN_IOC_RECV_BATCH, self->m,
			IPCCHAN_BATCH_MAX, IPCCHAN_NONBLOCK, 0, NULL));
	for (i = 0; i < (int)self->depth; i++) {
		memcpy(&v, self->bufs + 4 * i, 4);
		ASSERT_EQ(i, v);
	}
}

TEST_F(big, send_batch_count_above_max_einval)
{
	EXPECT_EQ(-EINVAL, batch(self->fd, IPCCHAN_IOC_SEND_BATCH, self->m,
				 IPCCHAN_BATCH_MAX + 1, IPCCHAN_NONBLOCK, 0,
				 NULL));
	EXPECT_EQ(0ULL, cur_msgs(self->fd));
}

TEST_F(big, recv_batch_count_above_max_einval)
{
	ASSERT_EQ(0, ipcchan_test_send(self->fd, "abcd", 4, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, batch(self->fd, IPCCHAN_IOC_RECV_BATCH, self->m,
				 IPCCHAN_BATCH_MAX + 1, IPCCHAN_NONBLOCK, 0,
				 NULL));
	EXPECT_EQ(1ULL, cur_msgs(self->fd));
}

IPCCHAN_HARNESS_MAIN(NULL)
