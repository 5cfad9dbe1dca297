// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan message tests: SEND/RECV (boundaries, priorities, FIFO, EMSGSIZE,
 * blocking, EAGAIN, O_NONBLOCK, timeouts, signals), SEND_BATCH/RECV_BATCH
 * (partial success), read(2)/write(2), poll/epoll, credentials and sequence
 * numbers, forked and exec'd peers, EFAULT, and close while blocked.
 *
 * Processes are sequenced with INFO.blocked_senders/blocked_receivers and
 * pipes, never with sleeps alone, so every assertion is deterministic.
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
#include "ipcchan_util.h"

#define PAIR_MSGS	8	/* queue depth of the fixture's channel */
#define PAIR_SIZE	256	/* largest message of the fixture's channel */
#define WAIT_MS		5000	/* bound on waiting for a peer to block */
#define SEC		1000000000LL
#define MS		1000000LL
#define SLACK		(2 * SEC)	/* allowed lateness of a timeout (TCG) */

/* --- the producer/consumer pair -------------------------------------------- */

FIXTURE(pair) {
	char name[IPCCHAN_NAME_MAX];
	int tx;		/* attached with send access (creator) */
	int rx;		/* attached with receive access */
};

/*
 * Create a channel PAIR_MSGS deep for messages of up to PAIR_SIZE bytes:
 * *tx is the creator's send-only file, *rx a receive-only one.
 */
static void pair_open(struct __test_metadata *_metadata, char *name,
		      size_t len, int *tx, int *rx)
{
	IPCCHAN_REQUIRE_DEV();
	ipcchan_test_name(name, len, "pair");
	*tx = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				     IPCCHAN_ACCESS_SEND, 0600,
				     PAIR_MSGS, PAIR_SIZE, 0);
	ASSERT_LE(0, *tx);
	*rx = ipcchan_test_attach(name, 0, IPCCHAN_ACCESS_RECV, 0);
	ASSERT_LE(0, *rx);
}

static void pair_close(const char *name, int tx, int rx)
{
	if (rx > 0)
		close(rx);
	if (tx > 0)
		close(tx);
	ipcchan_test_unlink(name);
}

FIXTURE_SETUP(pair)
{
	pair_open(_metadata, self->name, sizeof(self->name), &self->tx,
		  &self->rx);
}

FIXTURE_TEARDOWN(pair)
{
	pair_close(self->name, self->tx, self->rx);
}

static __u64 cur_msgs(int fd)
{
	struct ipcchan_info info;

	if (ipcchan_test_info(fd, &info))
		return ~0ULL;
	return info.cur_msgs;
}

/* Fill the pair's queue with PAIR_MSGS one-byte messages. */
static void fill_queue(struct __test_metadata *_metadata, int tx)
{
	int i;

	for (i = 0; i < PAIR_MSGS; i++)
		ASSERT_EQ(0, ipcchan_test_send(tx, "f", 1, 0, IPCCHAN_NONBLOCK,
					       0, NULL));
	ASSERT_EQ((__u64)PAIR_MSGS, cur_msgs(tx));
}

/* --- send and receive ------------------------------------------------------ */

TEST_F(pair, send_recv_reports_every_field)
{
	struct ipcchan_msg m;
	char buf[PAIR_SIZE];

	memset(&m, 0, sizeof(m));
	m.buf = (__u64)(unsigned long)"hello";
	m.len = 5;
	m.prio = 7;
	m.pid = 0xa5a5a5a5;	/* out fields are ignored on input */
	m.uid = 0xa5a5a5a5;
	m.seq = 0xa5a5a5a5a5a5a5a5ULL;
	ASSERT_EQ(0, ipcchan_ioctl(self->tx, IPCCHAN_IOC_SEND, &m));
	EXPECT_EQ(1ULL, m.seq);

	memset(&m, 0, sizeof(m));
	memset(buf, 0, sizeof(buf));
	m.buf = (__u64)(unsigned long)buf;
	m.len = sizeof(buf);
	m.prio = 0xa5a5a5a5;	/* ignored by RECV */
	m.pid = 0xa5a5a5a5;
	m.uid = 0xa5a5a5a5;
	m.seq = 0xa5a5a5a5a5a5a5a5ULL;
	ASSERT_EQ(0, ipcchan_ioctl(self->rx, IPCCHAN_IOC_RECV, &m));
	EXPECT_EQ(5U, m.len);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(0, buf[5]);
	EXPECT_EQ(7U, m.prio);
	EXPECT_EQ((__u32)getpid(), m.pid);
	EXPECT_EQ((__u32)getuid(), m.uid);
	EXPECT_EQ(1ULL, m.seq);
	EXPECT_EQ(0U, m.reserved0);
	EXPECT_TRUE(ipcchan_all_zero(m.reserved, sizeof(m.reserved)));
}

TEST_F(pair, seq_starts_at_one_and_counts_sends)
{
	__u64 seq;
	int i;

	for (i = 1; i <= 5; i++) {
		seq = 0;
		ASSERT_EQ(0, ipcchan_test_send(self->tx, "s", 1, i % 3, 0, 0,
					       &seq));
		EXPECT_EQ((__u64)i, seq);
	}
}

TEST_F(pair, recv_seq_is_the_send_seq)
{
	struct ipcchan_msg m;
	__u64 seq[3];
	char buf[8];

	ASSERT_EQ(0, ipcchan_test_send(self->tx, "0", 1, 0, 0, 0, &seq[0]));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "1", 1, 9, 0, 0, &seq[1]));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "2", 1, 4, 0, 0, &seq[2]));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ('1', buf[0]);
	EXPECT_EQ(seq[1], m.seq);
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ('2', buf[0]);
	EXPECT_EQ(seq[2], m.seq);
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ('0', buf[0]);
	EXPECT_EQ(seq[0], m.seq);
}

TEST_F(pair, boundaries_preserved)
{
	static const __u32 lens[] = { 1, 200, 3, PAIR_SIZE, 17 };
	struct ipcchan_msg m;
	char out[PAIR_SIZE], in[PAIR_SIZE * 2];
	unsigned int i, j;

	for (i = 0; i < 5; i++) {
		for (j = 0; j < lens[i]; j++)
			out[j] = (char)(i * 31 + j);
		ASSERT_EQ(0, ipcchan_test_send(self->tx, out, lens[i], 0, 0,
					       0, NULL));
	}
	for (i = 0; i < 5; i++) {
		memset(in, 0, sizeof(in));
		ASSERT_EQ(0, ipcchan_test_recv(self->rx, in, sizeof(in), 0, 0,
					       &m));
		ASSERT_EQ(lens[i], m.len);
		for (j = 0; j < lens[i]; j++)
			ASSERT_EQ((char)(i * 31 + j), in[j]);
	}
}

TEST_F(pair, zero_length_message)
{
	struct ipcchan_msg m;
	char buf[8] = "xxxxxxx";

	ASSERT_EQ(0, ipcchan_test_send(self->tx, buf, 0, 3, 0, 0, NULL));
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(0U, m.len);
	EXPECT_EQ(3U, m.prio);
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, zero_length_into_zero_buffer)
{
	struct ipcchan_msg m;
	char buf[1];

	ASSERT_EQ(0, ipcchan_test_send(self->tx, buf, 0, 0, 0, 0, NULL));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, 0, 0, 0, &m));
	EXPECT_EQ(0U, m.len);
}

TEST_F(pair, higher_priority_first)
{
	static const __u32 prios[] = { 0, 31, 5, 30, 1 };
	static const __u32 order[] = { 31, 30, 5, 1, 0 };
	struct ipcchan_msg m;
	char buf[8];
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, ipcchan_test_send(self->tx, &prios[i], 4,
					       prios[i], 0, 0, NULL));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0,
					       0, &m));
		EXPECT_EQ(order[i], m.prio);
		EXPECT_EQ(0, memcmp(buf, &order[i], 4));
	}
}

TEST_F(pair, fifo_within_priority)
{
	struct ipcchan_msg m;
	int i, next[2] = { 0, 0 };
	char buf[8];

	/* interleave two priorities, 4 messages each */
	for (i = 0; i < PAIR_MSGS; i++) {
		buf[0] = (char)i;
		ASSERT_EQ(0, ipcchan_test_send(self->tx, buf, 1, (i & 1) * 2,
					       0, 0, NULL));
	}
	for (i = 0; i < PAIR_MSGS; i++) {
		ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0,
					       0, &m));
		if (i < PAIR_MSGS / 2) {
			EXPECT_EQ(2U, m.prio);
			EXPECT_EQ(2 * next[1] + 1, buf[0]);
			next[1]++;
		} else {
			EXPECT_EQ(0U, m.prio);
			EXPECT_EQ(2 * next[0], buf[0]);
			next[0]++;
		}
	}
}

TEST_F(pair, prio_max_ok)
{
	struct ipcchan_msg m;
	char buf[4];

	ASSERT_EQ(0, ipcchan_test_send(self->tx, "p", 1, IPCCHAN_PRIO_MAX, 0,
				       0, NULL));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ((__u32)IPCCHAN_PRIO_MAX, m.prio);
}

TEST_F(pair, prio_above_max_einval)
{
	EXPECT_EQ(-EINVAL, ipcchan_test_send(self->tx, "p", 1,
					     IPCCHAN_PRIO_MAX + 1, 0, 0,
					     NULL));
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, prio_u32_max_einval)
{
	EXPECT_EQ(-EINVAL, ipcchan_test_send(self->tx, "p", 1, UINT32_MAX, 0,
					     0, NULL));
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, send_max_size_ok)
{
	char buf[PAIR_SIZE] = { 1 };

	EXPECT_EQ(0, ipcchan_test_send(self->tx, buf, PAIR_SIZE, 0, 0, 0,
				       NULL));
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
}

TEST_F(pair, send_above_max_size_emsgsize)
{
	char buf[PAIR_SIZE + 1] = { 1 };

	EXPECT_EQ(-EMSGSIZE, ipcchan_test_send(self->tx, buf, PAIR_SIZE + 1,
					       0, 0, 0, NULL));
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, recv_small_buffer_emsgsize_keeps_message)
{
	struct ipcchan_msg m;
	char out[100], in[100];
	__u64 seq;

	memset(out, 'm', sizeof(out));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, out, 100, 4, 0, 0, &seq));
	ASSERT_EQ(-EMSGSIZE, ipcchan_test_recv(self->rx, in, 99, 0, 0, &m));
	EXPECT_EQ(100U, m.len);
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
	ASSERT_EQ(-EMSGSIZE, ipcchan_test_recv(self->rx, in, 0, 0, 0, &m));
	EXPECT_EQ(100U, m.len);
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, in, 100, 0, 0, &m));
	EXPECT_EQ(100U, m.len);
	EXPECT_EQ(4U, m.prio);
	EXPECT_EQ(seq, m.seq);
	EXPECT_EQ(0, memcmp(in, out, 100));
}

/* --- non-blocking -------------------------------------------------------- */

TEST_F(pair, recv_empty_nonblock_eagain)
{
	char buf[8];

	EXPECT_EQ(-EAGAIN, ipcchan_test_recv(self->rx, buf, sizeof(buf),
					     IPCCHAN_NONBLOCK, 0, NULL));
}

TEST_F(pair, send_full_nonblock_eagain)
{
	fill_queue(_metadata, self->tx);
	EXPECT_EQ(-EAGAIN, ipcchan_test_send(self->tx, "x", 1, 0,
					     IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ((__u64)PAIR_MSGS, cur_msgs(self->tx));
}

/* A full queue refuses every priority: there is no preemption of slots. */
TEST_F(pair, send_full_high_prio_eagain)
{
	fill_queue(_metadata, self->tx);
	EXPECT_EQ(-EAGAIN, ipcchan_test_send(self->tx, "x", 1,
					     IPCCHAN_PRIO_MAX,
					     IPCCHAN_NONBLOCK, 0, NULL));
}

static void set_nonblock(struct __test_metadata *_metadata, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

TEST_F(pair, o_nonblock_recv_eagain)
{
	char buf[8];

	set_nonblock(_metadata, self->rx);
	EXPECT_EQ(-EAGAIN, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
					     NULL));
}

TEST_F(pair, o_nonblock_send_eagain)
{
	fill_queue(_metadata, self->tx);
	set_nonblock(_metadata, self->tx);
	EXPECT_EQ(-EAGAIN, ipcchan_test_send(self->tx, "x", 1, 0, 0, 0, NULL));
}

/* O_NONBLOCK given to open(2), before the attach, counts too. */
TEST_F(pair, o_nonblock_at_open_recv_eagain)
{
	struct ipcchan_attach at;
	char buf[8];
	int fd;

	fd = open(IPCCHAN_DEVICE, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	memset(&at, 0, sizeof(at));
	memcpy(at.name, self->name, sizeof(at.name));
	at.access = IPCCHAN_ACCESS_RECV;
	ASSERT_EQ(0, ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, &at));
	EXPECT_EQ(-EAGAIN, ipcchan_test_recv(fd, buf, sizeof(buf), 0, 0,
					     NULL));
	close(fd);
}

/* O_NONBLOCK wins over TIMEOUT: the file behaves as if NONBLOCK were set. */
TEST_F(pair, o_nonblock_recv_is_immediate)
{
	char buf[8];
	long long t0;
	int ret;

	set_nonblock(_metadata, self->rx);
	t0 = ipcchan_now_ns();
	ret = ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0, NULL);
	EXPECT_EQ(-EAGAIN, ret);
	EXPECT_GT(SEC, ipcchan_now_ns() - t0);
}

/* --- timeouts ------------------------------------------------------------ */

TEST_F(pair, recv_timeout_etimedout_measured)
{
	const long long to = 100 * MS;
	long long t0, dt;
	char buf[8];

	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_test_recv(self->rx, buf, sizeof(buf),
						IPCCHAN_TIMEOUT, to, NULL));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(to, dt);
	EXPECT_GT(to + SLACK, dt);
}

TEST_F(pair, send_timeout_etimedout_measured)
{
	const long long to = 150 * MS;
	long long t0, dt;

	fill_queue(_metadata, self->tx);
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_test_send(self->tx, "x", 1, 0,
						IPCCHAN_TIMEOUT, to, NULL));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(to, dt);
	EXPECT_GT(to + SLACK, dt);
	EXPECT_EQ((__u64)PAIR_MSGS, cur_msgs(self->tx));
}

TEST_F(pair, recv_timeout_zero_does_not_wait)
{
	long long t0, dt;
	char buf[8];

	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_test_recv(self->rx, buf, sizeof(buf),
						IPCCHAN_TIMEOUT, 0, NULL));
	dt = ipcchan_now_ns() - t0;
	EXPECT_GT(SLACK, dt);
}

TEST_F(pair, recv_timeout_with_message_returns_it)
{
	char buf[8];

	ASSERT_EQ(0, ipcchan_test_send(self->tx, "t", 1, 0, 0, 0, NULL));
	EXPECT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf),
				       IPCCHAN_TIMEOUT, 0, NULL));
}

struct peer {
	int fd;		/* file the child uses */
	int watch;	/* file the child watches INFO on */
	int arg;
};

/* Child: wait until the parent blocks in RECV, then send one message. */
static int send_when_receiver_blocked(void *p)
{
	struct peer *pe = p;

	if (ipcchan_wait_blocked(pe->watch, 1, 1, WAIT_MS))
		return 10;
	return ipcchan_test_send(pe->fd, "late", 4, 0, 0, 0, NULL) ? 11 : 0;
}

TEST_F(pair, recv_timeout_satisfied_by_send)
{
	struct peer pe = { .fd = self->tx, .watch = self->tx };
	long long t0, dt;
	char buf[8];
	pid_t pid;

	pid = ipcchan_spawn(send_when_receiver_blocked, &pe);
	ASSERT_LT(0, pid);
	t0 = ipcchan_now_ns();
	EXPECT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf),
				       IPCCHAN_TIMEOUT, 20 * SEC, NULL));
	dt = ipcchan_now_ns() - t0;
	EXPECT_EQ(0, memcmp(buf, "late", 4));
	EXPECT_GT(10 * SEC, dt);
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
}

/* --- parameter validation ---------------------------------------------- */

static void check_msg_bad(struct __test_metadata *_metadata, int tx, int rx,
			  int recv, struct ipcchan_msg *m)
{
	char buf[PAIR_SIZE];

	/* RECV: a queued message must stay queued after the EINVAL */
	ASSERT_EQ(0, ipcchan_test_send(tx, "q", 1, 0, 0, 0, NULL));
	m->buf = (__u64)(unsigned long)buf;
	m->len = recv ? sizeof(buf) : 1;
	EXPECT_EQ(-EINVAL, ipcchan_ioctl(recv ? rx : tx, recv ?
					 IPCCHAN_IOC_RECV : IPCCHAN_IOC_SEND,
					 m));
	EXPECT_EQ(1ULL, cur_msgs(tx));
}

/*
 * One bad field per variant: a SEND or RECV that fails with EINVAL and
 * leaves the queue as it was (a queued message stays queued).
 */
FIXTURE(msg_inval) {
	char name[IPCCHAN_NAME_MAX];
	int tx, rx;
};

FIXTURE_VARIANT(msg_inval) {
	int recv;			/* RECV on rx, else SEND on tx */
	struct ipcchan_msg m;		/* buf and len are filled in */
};

/* Unknown flag bits, one variant each. */
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit2) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 2 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit3) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 3 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit4) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 4 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit5) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 5 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit6) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 6 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit7) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 7 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit8) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 8 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit9) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 9 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit10) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 10 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit11) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 11 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit12) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 12 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit13) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 13 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit14) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 14 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit15) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 15 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit16) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 16 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit17) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 17 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit18) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 18 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit19) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 19 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit20) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 20 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit21) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 21 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit22) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 22 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit23) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 23 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit24) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 24 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit25) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 25 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit26) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 26 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit27) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 27 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit28) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 28 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit29) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 29 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit30) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 30 };
FIXTURE_VARIANT_ADD(msg_inval, send_flags_bit31) {
	.recv = 0, .m.flags = IPCCHAN_NONBLOCK | 1U << 31 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit2) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 2 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit3) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 3 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit4) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 4 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit5) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 5 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit6) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 6 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit7) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 7 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit8) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 8 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit9) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 9 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit10) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 10 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit11) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 11 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit12) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 12 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit13) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 13 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit14) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 14 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit15) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 15 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit16) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 16 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit17) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 17 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit18) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 18 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit19) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 19 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit20) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 20 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit21) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 21 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit22) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 22 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit23) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 23 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit24) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 24 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit25) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 25 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit26) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 26 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit27) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 27 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit28) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 28 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit29) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 29 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit30) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 30 };
FIXTURE_VARIANT_ADD(msg_inval, recv_flags_bit31) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | 1U << 31 };

/* Reserved fields, contradictory and out-of-range timeouts. */
FIXTURE_VARIANT_ADD(msg_inval, send_reserved0) {
	.m = { .flags = IPCCHAN_NONBLOCK, .reserved0 = 1 } };
FIXTURE_VARIANT_ADD(msg_inval, send_reserved_0) {
	.m = { .flags = IPCCHAN_NONBLOCK, .reserved[0] = 1 } };
FIXTURE_VARIANT_ADD(msg_inval, send_reserved_1) {
	.m = { .flags = IPCCHAN_NONBLOCK, .reserved[1] = 1ULL << 63 } };
FIXTURE_VARIANT_ADD(msg_inval, recv_reserved0) {
	.recv = 1, .m = { .flags = IPCCHAN_NONBLOCK, .reserved0 = 1 } };
FIXTURE_VARIANT_ADD(msg_inval, recv_reserved_0) {
	.recv = 1, .m = { .flags = IPCCHAN_NONBLOCK, .reserved[0] = 1 } };
FIXTURE_VARIANT_ADD(msg_inval, recv_reserved_1) {
	.recv = 1, .m = { .flags = IPCCHAN_NONBLOCK, .reserved[1] = 1ULL << 63 } };
FIXTURE_VARIANT_ADD(msg_inval, send_nonblock_and_timeout) {
	.m.flags = IPCCHAN_NONBLOCK | IPCCHAN_TIMEOUT };
FIXTURE_VARIANT_ADD(msg_inval, recv_nonblock_and_timeout) {
	.recv = 1, .m.flags = IPCCHAN_NONBLOCK | IPCCHAN_TIMEOUT };
/* timeout_ns set without IPCCHAN_TIMEOUT */
FIXTURE_VARIANT_ADD(msg_inval, send_timeout_without_flag) {
	.m = { .flags = IPCCHAN_NONBLOCK, .timeout_ns = MS } };
FIXTURE_VARIANT_ADD(msg_inval, recv_timeout_without_flag) {
	.recv = 1, .m = { .flags = IPCCHAN_NONBLOCK, .timeout_ns = MS } };
FIXTURE_VARIANT_ADD(msg_inval, send_negative_timeout) {
	.m = { .flags = IPCCHAN_TIMEOUT, .timeout_ns = -1 } };
FIXTURE_VARIANT_ADD(msg_inval, recv_negative_timeout) {
	.recv = 1, .m = { .flags = IPCCHAN_TIMEOUT, .timeout_ns = INT64_MIN } };

FIXTURE_SETUP(msg_inval)
{
	pair_open(_metadata, self->name, sizeof(self->name), &self->tx,
		  &self->rx);
}

FIXTURE_TEARDOWN(msg_inval)
{
	pair_close(self->name, self->tx, self->rx);
}

TEST_F(msg_inval, einval)
{
	struct ipcchan_msg m = variant->m;

	check_msg_bad(_metadata, self->tx, self->rx, variant->recv, &m);
}

/* --- access of the file: EBADF ------------------------------------------- */

TEST_F(pair, send_on_recv_only_file_ebadf)
{
	EXPECT_EQ(-EBADF, ipcchan_test_send(self->rx, "x", 1, 0, 0, 0, NULL));
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, recv_on_send_only_file_ebadf)
{
	char buf[8];

	ASSERT_EQ(0, ipcchan_test_send(self->tx, "x", 1, 0, 0, 0, NULL));
	EXPECT_EQ(-EBADF, ipcchan_test_recv(self->tx, buf, sizeof(buf), 0, 0,
					    NULL));
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
}

TEST_F(pair, write_on_recv_only_file_ebadf)
{
	EXPECT_EQ(-1, write(self->rx, "x", 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, read_on_send_only_file_ebadf)
{
	char buf[8];

	ASSERT_EQ(0, ipcchan_test_send(self->tx, "x", 1, 0, 0, 0, NULL));
	EXPECT_EQ(-1, read(self->tx, buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
}

/* --- EFAULT ------------------------------------------------------------ */

/* A page that is mapped read-only, and one that is not mapped at all. */
static void *ro_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void *unmapped_page(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, 4096);
	return p;
}

TEST_F(pair, send_bad_buffer_efault_queues_nothing)
{
	void *bad = unmapped_page();

	ASSERT_NE(NULL, bad);
	EXPECT_EQ(-EFAULT, ipcchan_test_send(self->tx, bad, 10, 0, 0, 0,
					     NULL));
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, recv_unmapped_buffer_efault_keeps_message)
{
	struct ipcchan_msg m;
	void *bad = unmapped_page();
	char buf[16];
	__u64 seq;

	ASSERT_NE(NULL, bad);
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "precious", 8, 5, 0, 0,
				       &seq));
	EXPECT_EQ(-EFAULT, ipcchan_test_recv(self->rx, bad, 16, 0, 0, NULL));
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf),
				       IPCCHAN_NONBLOCK, 0, &m));
	EXPECT_EQ(8U, m.len);
	EXPECT_EQ(5U, m.prio);
	EXPECT_EQ(seq, m.seq);
	EXPECT_EQ(0, memcmp(buf, "precious", 8));
}

/* The message stays at the head of its priority, before later ones. */
TEST_F(pair, recv_readonly_buffer_efault_keeps_order)
{
	char *ro = ro_page(), buf[16];

	ASSERT_NE(NULL, ro);
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "first", 5, 1, 0, 0, NULL));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "second", 6, 1, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, ipcchan_test_recv(self->rx, ro, 16, 0, 0, NULL));
	EXPECT_EQ(2ULL, cur_msgs(self->tx));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_STREQ("first", buf);
	munmap(ro, 4096);
}

/* A buffer that runs from a good page into an unmapped one. */
TEST_F(pair, recv_straddling_buffer_efault_keeps_message)
{
	char *two, buf[PAIR_SIZE];

	two = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, munmap(two + 4096, 4096));
	memset(buf, 'z', sizeof(buf));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, buf, 200, 0, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, ipcchan_test_recv(self->rx, two + 4096 - 100, 200,
					     0, 0, NULL));
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
	munmap(two, 4096);
}

TEST_F(pair, send_recv_null_struct_efault)
{
	EXPECT_EQ(-EFAULT, ipcchan_ioctl(self->tx, IPCCHAN_IOC_SEND, NULL));
	EXPECT_EQ(-EFAULT, ipcchan_ioctl(self->rx, IPCCHAN_IOC_RECV, NULL));
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

/* --- blocking and wakeups -------------------------------------------------- */

/* Child: blocking RECV on pe->fd; exit code = first payload byte. */
static int blocking_recv(void *p)
{
	struct peer *pe = p;
	char buf[PAIR_SIZE];

	if (ipcchan_test_recv(pe->fd, buf, sizeof(buf), 0, 0, NULL))
		return 1;
	return (unsigned char)buf[0];
}

/* Child: blocking SEND of one byte on pe->fd. */
static int blocking_send(void *p)
{
	struct peer *pe = p;
	char c = (char)pe->arg;

	return ipcchan_test_send(pe->fd, &c, 1, 0, 0, 0, NULL) ? 1 : 0;
}

TEST_F(pair, blocked_recv_woken_by_send)
{
	struct peer pe = { .fd = self->rx };
	pid_t pid;

	pid = ipcchan_spawn(blocking_recv, &pe);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 1, 1, WAIT_MS));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "W", 1, 0, 0, 0, NULL));
	EXPECT_EQ('W', ipcchan_reap(pid, WAIT_MS));
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, blocked_send_woken_by_recv)
{
	struct peer pe = { .fd = self->tx, .arg = 'S' };
	struct ipcchan_info info;
	char buf[8];
	pid_t pid;
	int i;

	fill_queue(_metadata, self->tx);
	pid = ipcchan_spawn(blocking_send, &pe);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 0, 1, WAIT_MS));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
	ASSERT_EQ(0, ipcchan_test_info(self->tx, &info));
	EXPECT_EQ((__u64)PAIR_MSGS, info.cur_msgs);
	EXPECT_EQ(0U, info.blocked_senders);
	for (i = 0; i < PAIR_MSGS - 1; i++)
		ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0,
					       0, NULL));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_EQ('S', buf[0]);
}

/* One message goes to exactly one of two blocked receivers. */
TEST_F(pair, one_message_one_receiver)
{
	struct peer pe = { .fd = self->rx };
	struct ipcchan_info info;
	pid_t a, b, first, other;
	int ra, rb;

	a = ipcchan_spawn(blocking_recv, &pe);
	ASSERT_LT(0, a);
	b = ipcchan_spawn(blocking_recv, &pe);
	ASSERT_LT(0, b);
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 1, 2, WAIT_MS));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "A", 1, 0, 0, 0, NULL));

	/* wait for one of them to finish */
	first = 0;
	for (int i = 0; i < WAIT_MS && !first; i++) {
		if (!ipcchan_still_running(a))
			first = a;
		else if (!ipcchan_still_running(b))
			first = b;
		else
			usleep(1000);
	}
	ASSERT_NE(0, first);
	other = first == a ? b : a;
	usleep(100 * 1000);
	EXPECT_TRUE(ipcchan_still_running(other));
	ASSERT_EQ(0, ipcchan_test_info(self->tx, &info));
	EXPECT_EQ(1U, info.blocked_receivers);
	EXPECT_EQ(1ULL, info.received);

	ASSERT_EQ(0, ipcchan_test_send(self->tx, "B", 1, 0, 0, 0, NULL));
	ra = ipcchan_reap(first, WAIT_MS);
	rb = ipcchan_reap(other, WAIT_MS);
	EXPECT_EQ('A', ra);
	EXPECT_EQ('B', rb);
	ASSERT_EQ(0, ipcchan_test_info(self->tx, &info));
	EXPECT_EQ(2ULL, info.received);
	EXPECT_EQ(0U, info.blocked_receivers);
}

/* One freed slot lets exactly one of two blocked senders through. */
TEST_F(pair, one_slot_one_sender)
{
	struct peer pa = { .fd = self->tx, .arg = 'a' };
	struct peer pb = { .fd = self->tx, .arg = 'b' };
	struct ipcchan_info info;
	pid_t a, b, first = 0, other;
	char buf[8];
	int i;

	fill_queue(_metadata, self->tx);
	a = ipcchan_spawn(blocking_send, &pa);
	ASSERT_LT(0, a);
	b = ipcchan_spawn(blocking_send, &pb);
	ASSERT_LT(0, b);
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 0, 2, WAIT_MS));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	for (i = 0; i < WAIT_MS && !first; i++) {
		if (!ipcchan_still_running(a))
			first = a;
		else if (!ipcchan_still_running(b))
			first = b;
		else
			usleep(1000);
	}
	ASSERT_NE(0, first);
	other = first == a ? b : a;
	usleep(100 * 1000);
	EXPECT_TRUE(ipcchan_still_running(other));
	ASSERT_EQ(0, ipcchan_test_info(self->tx, &info));
	EXPECT_EQ(1U, info.blocked_senders);
	EXPECT_EQ((__u64)PAIR_MSGS, info.cur_msgs);
	EXPECT_EQ(0, ipcchan_reap(first, WAIT_MS));

	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_EQ(0, ipcchan_reap(other, WAIT_MS));
	ASSERT_EQ(0, ipcchan_test_info(self->tx, &info));
	EXPECT_EQ(0U, info.blocked_senders);
	EXPECT_EQ((__u64)PAIR_MSGS, info.cur_msgs);
	EXPECT_EQ((__u64)PAIR_MSGS + 2, info.sent);
}

/* --- signals ------------------------------------------------------------ */

static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	char c = (char)sig;

	if (write(sig_pipe[1], &c, 1) < 0)
		_exit(99);
}

static void install_handler(int restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

/* Child: one blocking call as pe->arg says; exit code = errno or 0. */
enum { SIG_RECV, SIG_RECV_RESTART, SIG_RECV_TIMEOUT_RESTART, SIG_SEND };

static int call_with_signal(void *p)
{
	struct peer *pe = p;
	char buf[PAIR_SIZE];
	int ret;

	install_handler(pe->arg == SIG_RECV_RESTART ||
			pe->arg == SIG_RECV_TIMEOUT_RESTART);
	switch (pe->arg) {
	case SIG_SEND:
		ret = ipcchan_test_send(pe->fd, "x", 1, 0, 0, 0, NULL);
		break;
	case SIG_RECV_TIMEOUT_RESTART:
		ret = ipcchan_test_recv(pe->fd, buf, sizeof(buf),
					IPCCHAN_TIMEOUT, 30 * SEC, NULL);
		break;
	default:
		ret = ipcchan_test_recv(pe->fd, buf, sizeof(buf), 0, 0, NULL);
		break;
	}
	if (ret == 0 && pe->arg == SIG_RECV_RESTART && buf[0] != 'R')
		return 98;
	return -ret;
}

/* Start a child blocked in a call, signal it once it sleeps. */
static pid_t signal_blocked_child(struct __test_metadata *_metadata,
				  struct peer *pe, int watch_receivers)
{
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe2(sig_pipe, O_CLOEXEC));
	pid = ipcchan_spawn(call_with_signal, pe);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ipcchan_wait_blocked(pe->watch, watch_receivers, 1,
					  WAIT_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	/* the handler ran in the child */
	ASSERT_EQ(1, read(sig_pipe[0], &c, 1));
	EXPECT_EQ(SIGUSR1, c);
	return pid;
}

TEST_F(pair, recv_signal_eintr)
{
	struct peer pe = { .fd = self->rx, .watch = self->tx, .arg = SIG_RECV };
	pid_t pid = signal_blocked_child(_metadata, &pe, 1);

	struct ipcchan_info info;

	EXPECT_EQ(EINTR, ipcchan_reap(pid, WAIT_MS));
	ASSERT_EQ(0, ipcchan_test_info(self->tx, &info));
	EXPECT_EQ(0U, info.blocked_receivers);
}

TEST_F(pair, send_signal_eintr)
{
	struct peer pe = { .fd = self->tx, .watch = self->tx, .arg = SIG_SEND };
	pid_t pid;

	fill_queue(_metadata, self->tx);
	pid = signal_blocked_child(_metadata, &pe, 0);
	EXPECT_EQ(EINTR, ipcchan_reap(pid, WAIT_MS));
	EXPECT_EQ((__u64)PAIR_MSGS, cur_msgs(self->tx));
}

/* With SA_RESTART a RECV without TIMEOUT resumes and gets the message. */
TEST_F(pair, recv_sa_restart_restarts)
{
	struct peer pe = { .fd = self->rx, .watch = self->tx,
			   .arg = SIG_RECV_RESTART };
	pid_t pid = signal_blocked_child(_metadata, &pe, 1);

	/* blocked again after the handler: the call was restarted */
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 1, 1, WAIT_MS));
	EXPECT_TRUE(ipcchan_still_running(pid));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "R", 1, 0, 0, 0, NULL));
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
}

/* A call with TIMEOUT fails with EINTR even under SA_RESTART. */
TEST_F(pair, recv_timeout_sa_restart_eintr)
{
	struct peer pe = { .fd = self->rx, .watch = self->tx,
			   .arg = SIG_RECV_TIMEOUT_RESTART };
	pid_t pid = signal_blocked_child(_metadata, &pe, 1);

	EXPECT_EQ(EINTR, ipcchan_reap(pid, WAIT_MS));
}

/* --- read(2) / write(2) ------------------------------------------------ */

TEST_F(pair, write_sends_one_message_prio0)
{
	struct ipcchan_msg m;
	char buf[16];

	ASSERT_EQ(0, ipcchan_test_send(self->tx, "low", 3, 0, 0, 0, NULL));
	EXPECT_EQ(5, write(self->tx, "hello", 5));
	EXPECT_EQ(2ULL, cur_msgs(self->tx));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(3U, m.len);	/* same priority 0: FIFO */
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(5U, m.len);
	EXPECT_EQ(0U, m.prio);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
}

TEST_F(pair, read_receives_one_message_in_prio_order)
{
	char buf[16];

	ASSERT_EQ(0, ipcchan_test_send(self->tx, "lo", 2, 0, 0, 0, NULL));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "high", 4, 9, 0, 0, NULL));
	EXPECT_EQ(4, read(self->rx, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "high", 4));
	EXPECT_EQ(2, read(self->rx, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "lo", 2));
}

TEST_F(pair, read_small_buffer_emsgsize_keeps_message)
{
	char buf[16];

	ASSERT_EQ(0, ipcchan_test_send(self->tx, "0123456789", 10, 0, 0, 0,
				       NULL));
	EXPECT_EQ(-1, read(self->rx, buf, 9));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
	EXPECT_EQ(10, read(self->rx, buf, 10));
}

TEST_F(pair, read_o_nonblock_empty_eagain)
{
	char buf[16];

	set_nonblock(_metadata, self->rx);
	EXPECT_EQ(-1, read(self->rx, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(pair, write_o_nonblock_full_eagain)
{
	fill_queue(_metadata, self->tx);
	set_nonblock(_metadata, self->tx);
	EXPECT_EQ(-1, write(self->tx, "x", 1));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(pair, write_above_max_size_emsgsize)
{
	char buf[PAIR_SIZE + 1] = { 0 };

	EXPECT_EQ(-1, write(self->tx, buf, sizeof(buf)));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, write_efault_queues_nothing)
{
	void *bad = unmapped_page();

	ASSERT_NE(NULL, bad);
	EXPECT_EQ(-1, write(self->tx, bad, 10));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

TEST_F(pair, read_efault_keeps_message)
{
	void *bad = unmapped_page();

	ASSERT_NE(NULL, bad);
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "keep", 4, 0, 0, 0, NULL));
	EXPECT_EQ(-1, read(self->rx, bad, 10));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1ULL, cur_msgs(self->tx));
}

/* Child: blocking read(2) on pe->fd, exit code = first byte. */
static int blocking_read(void *p)
{
	struct peer *pe = p;
	char buf[PAIR_SIZE];

	if (read(pe->fd, buf, sizeof(buf)) != 2)
		return 1;
	return (unsigned char)buf[0];
}

TEST_F(pair, blocked_read_woken_by_write)
{
	struct peer pe = { .fd = self->rx };
	pid_t pid;

	pid = ipcchan_spawn(blocking_read, &pe);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 1, 1, WAIT_MS));
	ASSERT_EQ(2, write(self->tx, "Rd", 2));
	EXPECT_EQ('R', ipcchan_reap(pid, WAIT_MS));
}

/* --- poll / epoll ---------------------------------------------------- */

static short poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

TEST_F(pair, poll_empty_channel)
{
	EXPECT_EQ(0, poll_now(self->rx, POLLIN | POLLRDNORM));
	EXPECT_EQ(POLLOUT | POLLWRNORM,
		  poll_now(self->tx, POLLOUT | POLLWRNORM));
}

TEST_F(pair, poll_in_after_send)
{
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "x", 1, 0, 0, 0, NULL));
	EXPECT_EQ(POLLIN | POLLRDNORM, poll_now(self->rx, POLLIN | POLLRDNORM));
}

TEST_F(pair, poll_out_cleared_when_full_and_back)
{
	char buf[8];

	fill_queue(_metadata, self->tx);
	EXPECT_EQ(0, poll_now(self->tx, POLLOUT | POLLWRNORM));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_EQ(POLLOUT | POLLWRNORM,
		  poll_now(self->tx, POLLOUT | POLLWRNORM));
}

/* Child: wait 100 ms, then send (the parent sleeps in poll meanwhile). */
static int send_later(void *p)
{
	struct peer *pe = p;

	usleep(100 * 1000);
	return ipcchan_test_send(pe->fd, "P", 1, 0, 0, 0, NULL) ? 1 : 0;
}

/* Child: wait 100 ms, then receive one message. */
static int recv_later(void *p)
{
	struct peer *pe = p;
	char buf[PAIR_SIZE];

	usleep(100 * 1000);
	return ipcchan_test_recv(pe->fd, buf, sizeof(buf), 0, 0, NULL) ? 1 : 0;
}

TEST_F(pair, poll_wakes_on_send)
{
	struct peer pe = { .fd = self->tx };
	struct pollfd p = { .fd = self->rx, .events = POLLIN };
	pid_t pid;

	pid = ipcchan_spawn(send_later, &pe);
	ASSERT_LT(0, pid);
	EXPECT_EQ(1, poll(&p, 1, 10000));
	EXPECT_EQ(POLLIN, p.revents & (POLLIN | POLLERR | POLLHUP));
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
}

TEST_F(pair, poll_wakes_on_free_slot)
{
	struct peer pe = { .fd = self->rx };
	struct pollfd p = { .fd = self->tx, .events = POLLOUT };
	pid_t pid;

	fill_queue(_metadata, self->tx);
	pid = ipcchan_spawn(recv_later, &pe);
	ASSERT_LT(0, pid);
	EXPECT_EQ(1, poll(&p, 1, 10000));
	EXPECT_EQ(POLLOUT, p.revents & (POLLOUT | POLLERR | POLLHUP));
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
}

static int epoll_for(struct __test_metadata *_metadata, int fd, __u32 ev)
{
	struct epoll_event e = { .events = ev };
	int ep;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_epoll(), "CONFIG_EPOLL");
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	e.data.fd = fd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e));
	return ep;
}

TEST_F(pair, epoll_in_level)
{
	struct epoll_event e;
	int ep = epoll_for(_metadata, self->rx, EPOLLIN);
	char buf[8];

	EXPECT_EQ(0, epoll_wait(ep, &e, 1, 0));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "x", 1, 0, 0, 0, NULL));
	ASSERT_EQ(1, epoll_wait(ep, &e, 1, 0));
	EXPECT_EQ((__u32)EPOLLIN, e.events);
	EXPECT_EQ(self->rx, e.data.fd);
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_EQ(0, epoll_wait(ep, &e, 1, 0));
	close(ep);
}

TEST_F(pair, epoll_out_level)
{
	struct epoll_event e;
	int ep = epoll_for(_metadata, self->tx, EPOLLOUT);
	char buf[8];

	ASSERT_EQ(1, epoll_wait(ep, &e, 1, 0));
	EXPECT_EQ((__u32)EPOLLOUT, e.events);
	fill_queue(_metadata, self->tx);
	EXPECT_EQ(0, epoll_wait(ep, &e, 1, 0));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_EQ(1, epoll_wait(ep, &e, 1, 0));
	close(ep);
}

TEST_F(pair, epoll_edge_wakes_on_send)
{
	struct peer pe = { .fd = self->tx };
	struct epoll_event e;
	int ep = epoll_for(_metadata, self->rx, EPOLLIN | EPOLLET);
	pid_t pid;

	EXPECT_EQ(0, epoll_wait(ep, &e, 1, 0));
	pid = ipcchan_spawn(send_later, &pe);
	ASSERT_LT(0, pid);
	EXPECT_EQ(1, epoll_wait(ep, &e, 1, 10000));
	EXPECT_EQ((__u32)EPOLLIN, e.events);
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
	close(ep);
}

TEST_F(pair, epoll_wakes_on_free_slot)
{
	struct peer pe = { .fd = self->rx };
	struct epoll_event e;
	int ep;
	pid_t pid;

	fill_queue(_metadata, self->tx);
	ep = epoll_for(_metadata, self->tx, EPOLLOUT);
	EXPECT_EQ(0, epoll_wait(ep, &e, 1, 0));
	pid = ipcchan_spawn(recv_later, &pe);
	ASSERT_LT(0, pid);
	EXPECT_EQ(1, epoll_wait(ep, &e, 1, 10000));
	EXPECT_EQ((__u32)EPOLLOUT, e.events);
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
	close(ep);
}

/* EPOLLHUP comes once the channel is unlinked and empty, not before. */
TEST_F(pair, pollhup_after_unlink_and_drain)
{
	char buf[8];
	short r;

	ASSERT_EQ(0, ipcchan_test_send(self->tx, "x", 1, 0, 0, 0, NULL));
	EXPECT_EQ(0, poll_now(self->rx, POLLIN) & POLLHUP);
	ASSERT_EQ(0, ipcchan_test_unlink(self->name));
	r = poll_now(self->rx, POLLIN);
	EXPECT_EQ(POLLIN, r & (POLLIN | POLLHUP));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	r = poll_now(self->rx, POLLIN);
	EXPECT_EQ(POLLHUP, r & (POLLIN | POLLHUP));
}

TEST_F(pair, no_pollhup_while_linked_and_empty)
{
	EXPECT_EQ(0, poll_now(self->rx, POLLIN) & POLLHUP);
	EXPECT_EQ(0, poll_now(self->tx, POLLOUT) & POLLHUP);
}

TEST_F(pair, epollhup_after_unlink)
{
	struct epoll_event e;
	int ep = epoll_for(_metadata, self->rx, EPOLLIN);

	EXPECT_EQ(0, epoll_wait(ep, &e, 1, 0));
	ASSERT_EQ(0, ipcchan_test_unlink(self->name));
	ASSERT_EQ(1, epoll_wait(ep, &e, 1, 0));
	EXPECT_EQ((__u32)EPOLLHUP, e.events & (EPOLLHUP | EPOLLIN));
	close(ep);
}

/* Child: wait until the parent sleeps in poll... then unlink. */
static int unlink_later(void *p)
{
	usleep(100 * 1000);
	return ipcchan_test_unlink(p) ? 1 : 0;
}

TEST_F(pair, poll_wakes_on_unlink)
{
	struct pollfd p = { .fd = self->rx, .events = POLLIN };
	pid_t pid;

	pid = ipcchan_spawn(unlink_later, self->name);
	ASSERT_LT(0, pid);
	EXPECT_EQ(1, poll(&p, 1, 10000));
	EXPECT_EQ(POLLHUP, p.revents & (POLLHUP | POLLIN));
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
}

/*
 * Large messages (over 256 bytes) reuse a delivered message's buffer when
 * it is big enough.  Sizes go up and down so that a buffer is reused for a
 * shorter message, replaced by a longer one and displaced; every message
 * must arrive with its own length and bytes, and nothing past its length
 * may be written (no stale bytes of an earlier, longer message).
 */
TEST(large_messages_keep_length_and_bytes_across_reuse)
{
	static const __u32 sizes[] = { 8000, 300, 20000, 257, 65536, 4096,
				       300, 65536, 1000, 40000 };
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_msg m[3], r;
	struct ipcchan_batch b;
	unsigned int i, k, round;
	char *out, *in;
	__u32 len;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	ipcchan_test_name(name, sizeof(name), "large");
	fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				    IPCCHAN_ACCESS_RDWR, 0600, 4, 65536, 0);
	ASSERT_LE(0, fd);
	in = malloc(3 * 65536);
	out = malloc(3 * 65536 + 1);
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);

	for (round = 0; round < 4; round++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			len = sizes[(i + round) % ARRAY_SIZE(sizes)];
			memset(in, 'a' + (int)(i % 26), len);
			ASSERT_EQ(0, ipcchan_test_send(fd, in, len, 0, 0, 0,
						       NULL));
			memset(out, 'Z', 65537);
			ASSERT_EQ(0, ipcchan_test_recv(fd, out, 65537, 0, 0,
						       &r));
			EXPECT_EQ(len, r.len);
			EXPECT_EQ(0, memcmp(out, in, len)) TH_LOG("len %u", len);
			EXPECT_EQ('Z', out[len]) TH_LOG("len %u", len);
			EXPECT_EQ('Z', out[65536]);
		}
	}

	/* The same through batches of three, queued before any is received. */
	for (i = 0; i + 3 <= ARRAY_SIZE(sizes); i++) {
		memset(m, 0, sizeof(m));
		for (k = 0; k < 3; k++) {
			memset(in + k * 65536, 'A' + (int)(i + k), sizes[i + k]);
			m[k].buf = (__u64)(unsigned long)(in + k * 65536);
			m[k].len = sizes[i + k];
		}
		memset(&b, 0, sizeof(b));
		b.msgs = (__u64)(unsigned long)m;
		b.count = 3;
		ASSERT_EQ(3, ipcchan_ioctl(fd, IPCCHAN_IOC_SEND_BATCH, &b));
		memset(out, 'Z', 3 * 65536 + 1);
		memset(m, 0, sizeof(m));
		for (k = 0; k < 3; k++) {
			m[k].buf = (__u64)(unsigned long)(out + k * 65536);
			m[k].len = 65536;
		}
		memset(&b, 0, sizeof(b));
		b.msgs = (__u64)(unsigned long)m;
		b.count = 3;
		ASSERT_EQ(3, ipcchan_ioctl(fd, IPCCHAN_IOC_RECV_BATCH, &b));
		for (k = 0; k < 3; k++) {
			len = sizes[i + k];
			EXPECT_EQ(len, m[k].len);
			EXPECT_EQ(0, memcmp(out + k * 65536, in + k * 65536,
					    len)) TH_LOG("batch %u entry %u", i, k);
			if (len < 65536)
				EXPECT_EQ('Z', out[k * 65536 + len]);
		}
	}
	free(in);
	free(out);
	close(fd);
	ipcchan_test_unlink(name);
}

TEST(pollerr_unattached)
{
	struct pollfd p = { .events = POLLIN | POLLOUT };

	IPCCHAN_REQUIRE_DEV();
	p.fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, p.fd);
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLERR, p.revents & (POLLERR | POLLIN | POLLOUT));
	close(p.fd);
}

/* --- credentials and other processes ------------------------------------- */

struct named {
	const char *name;
	int count;
};

/* Child: attach by name (send access) and send count numbered messages. */
static int send_numbered(void *p)
{
	struct named *n = p;
	int fd, i;

	fd = ipcchan_test_attach(n->name, 0, IPCCHAN_ACCESS_SEND, 0);
	if (fd < 0)
		return 2;
	for (i = 0; i < n->count; i++)
		if (ipcchan_test_send(fd, &i, sizeof(i), 0, 0, 0, NULL))
			return 3;
	close(fd);
	return 0;
}

TEST_F(pair, fork_child_attaches_by_name)
{
	struct named n = { .name = self->name, .count = 40 };
	struct ipcchan_msg m;
	int i, v;
	pid_t pid;

	pid = ipcchan_spawn(send_numbered, &n);
	ASSERT_LT(0, pid);
	for (i = 0; i < n.count; i++) {
		ASSERT_EQ(0, ipcchan_test_recv(self->rx, &v, sizeof(v),
					       IPCCHAN_TIMEOUT, 10 * SEC,
					       &m));
		EXPECT_EQ(sizeof(v), m.len);
		EXPECT_EQ(i, v);
		EXPECT_EQ((__u32)pid, m.pid);
		EXPECT_EQ((__u32)getuid(), m.uid);
	}
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
}

/* A forked child shares the parent's attached file. */
static int send_on_inherited(void *p)
{
	struct peer *pe = p;

	return ipcchan_test_send(pe->fd, "inh", 3, 1, 0, 0, NULL) ? 1 : 0;
}

TEST_F(pair, fork_shares_attached_file)
{
	struct peer pe = { .fd = self->tx };
	struct ipcchan_info info;
	struct ipcchan_msg m;
	char buf[8];
	pid_t pid;

	pid = ipcchan_spawn(send_on_inherited, &pe);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
	ASSERT_EQ(0, ipcchan_test_info(self->tx, &info));
	EXPECT_EQ(2U, info.attached);
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ((__u32)pid, m.pid);
	EXPECT_EQ(0, memcmp(buf, "inh", 3));
}

/* Several senders: every message arrives once, in order per sender. */
TEST_F(pair, three_senders_exactly_once_in_order)
{
	struct named n = { .name = self->name, .count = 100 };
	int next[3] = { 0, 0, 0 }, i, k, v;
	struct ipcchan_msg m;
	pid_t pid[3];

	for (k = 0; k < 3; k++) {
		pid[k] = ipcchan_spawn(send_numbered, &n);
		ASSERT_LT(0, pid[k]);
	}
	for (i = 0; i < 3 * n.count; i++) {
		ASSERT_EQ(0, ipcchan_test_recv(self->rx, &v, sizeof(v),
					       IPCCHAN_TIMEOUT, 10 * SEC,
					       &m));
		for (k = 0; k < 3; k++)
			if (m.pid == (__u32)pid[k])
				break;
		ASSERT_GT(3, k) TH_LOG("unknown sender pid %u", m.pid);
		EXPECT_EQ(next[k], v);
		next[k]++;
	}
	for (k = 0; k < 3; k++) {
		EXPECT_EQ(n.count, next[k]);
		EXPECT_EQ(0, ipcchan_reap(pid[k], WAIT_MS));
	}
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

/* Child: send one message carrying its own pid. */
static int send_own_pid(void *p)
{
	struct named *n = p;
	pid_t me = getpid();
	int fd;

	fd = ipcchan_test_attach(n->name, 0, IPCCHAN_ACCESS_SEND, 0);
	if (fd < 0)
		return 2;
	if (ipcchan_test_send(fd, &me, sizeof(me), 0, 0, 0, NULL))
		return 3;
	close(fd);
	return 0;
}

/*
 * The channel keeps a few senders' pids (4) with one reference each and
 * gives further senders with messages queued at the same time a reference
 * of their own.  Seven senders at once, twice (the second round replaces
 * the first round's cached pids): every message reports its own sender,
 * even after the sender has exited.
 */
TEST_F(pair, more_senders_than_cached_pids)
{
	struct named n = { .name = self->name, .count = 1 };
	struct ipcchan_msg m;
	int round, k, i;
	pid_t pid[7], v;

	for (round = 0; round < 2; round++) {
		for (k = 0; k < 7; k++) {
			pid[k] = ipcchan_spawn(send_own_pid, &n);
			ASSERT_LT(0, pid[k]);
		}
		for (k = 0; k < 7; k++)
			ASSERT_EQ(0, ipcchan_reap(pid[k], WAIT_MS));
		ASSERT_EQ(7ULL, cur_msgs(self->tx));
		for (i = 0; i < 7; i++) {
			ASSERT_EQ(0, ipcchan_test_recv(self->rx, &v, sizeof(v),
						       IPCCHAN_NONBLOCK, 0, &m));
			EXPECT_EQ((__u32)v, m.pid);
			for (k = 0; k < 7; k++)
				if (pid[k] == v)
					pid[k] = 0;
		}
		for (k = 0; k < 7; k++)
			EXPECT_EQ(0, pid[k]) TH_LOG("no message from a sender");
	}
}

/*
 * exec'd helper roles (argv[1] "--role=send" or "--role=recv", argv[2] the
 * channel name, argv[3] the count, argv[4] the expected sender pid): an
 * unrelated program that finds the channel by name only.
 */
static int role_main(int argc, char **argv)
{
	int fd, i, v, count;
	struct ipcchan_msg m;

	if (argc < 4)
		return 20;
	count = atoi(argv[3]);
	if (!strcmp(argv[1], "--role=send")) {
		fd = ipcchan_test_attach(argv[2], 0, IPCCHAN_ACCESS_SEND, 0);
		if (fd < 0)
			return 21;
		for (i = 0; i < count; i++)
			if (ipcchan_test_send(fd, &i, sizeof(i), i % 2, 0, 0,
					      NULL))
				return 22;
		return 0;
	}
	if (!strcmp(argv[1], "--role=recv") && argc > 4) {
		fd = ipcchan_test_attach(argv[2], 0, IPCCHAN_ACCESS_RECV, 0);
		if (fd < 0)
			return 31;
		for (i = 0; i < count; i++) {
			if (ipcchan_test_recv(fd, &v, sizeof(v),
					      IPCCHAN_TIMEOUT, 10 * SEC, &m))
				return 32;
			if (v != i || m.len != sizeof(v))
				return 33;
			if (m.pid != (__u32)atoi(argv[4]))
				return 34;
		}
		return 0;
	}
	return 23;
}

static pid_t spawn_role(const char *role, const char *name, int count,
			pid_t expect)
{
	char c[16], e[16];
	char *argv[] = { "ipcchan_msg_test", (char *)role, (char *)name, c, e,
			 NULL };

	snprintf(c, sizeof(c), "%d", count);
	snprintf(e, sizeof(e), "%d", (int)expect);
	return ipcchan_spawn_self(argv);
}

TEST_F(pair, exec_unrelated_sender)
{
	int i, v, next[2] = { 0, 1 };
	struct ipcchan_msg m;
	pid_t pid;

	pid = spawn_role("--role=send", self->name, 20, 0);
	ASSERT_LT(0, pid);
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, ipcchan_test_recv(self->rx, &v, sizeof(v),
					       IPCCHAN_TIMEOUT, 10 * SEC,
					       &m));
		/* two priorities interleaved: FIFO within each holds */
		ASSERT_GT(2U, m.prio);
		EXPECT_EQ(next[m.prio], v);
		next[m.prio] += 2;
		EXPECT_EQ((__u32)pid, m.pid);
	}
	EXPECT_EQ(0, ipcchan_reap(pid, 10000));
}

TEST_F(pair, exec_unrelated_receiver)
{
	pid_t pid;
	int i;

	for (i = 0; i < PAIR_MSGS; i++)
		ASSERT_EQ(0, ipcchan_test_send(self->tx, &i, sizeof(i), 0, 0, 0,
					       NULL));
	/* the child attaches after the messages were sent: no overlap */
	pid = spawn_role("--role=recv", self->name, PAIR_MSGS, getpid());
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, ipcchan_reap(pid, 10000));
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

/* The receiver sees the sender's pid in its own pid namespace: 0 outside. */
static int recv_in_new_pidns(void *p)
{
	struct peer *pe = p;
	struct ipcchan_msg m;
	char buf[8];
	pid_t pid;
	int st;

	if (unshare(CLONE_NEWPID))
		return 40;
	pid = fork();
	if (pid < 0)
		return 41;
	if (pid == 0) {
		/* pid 1 of the new namespace; the sender is not visible */
		if (ipcchan_test_recv(pe->fd, buf, sizeof(buf),
				      IPCCHAN_TIMEOUT, 10 * SEC, &m))
			_exit(42);
		_exit(m.pid == 0 ? 0 : 43);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 44;
	return WEXITSTATUS(st);
}

TEST_F(pair, pid_not_visible_in_child_pidns_is_zero)
{
	struct peer pe = { .fd = self->rx };
	pid_t pid;

	IPCCHAN_SKIP_UNLESS(geteuid() == 0, "needs root for CLONE_NEWPID");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWPID) != -EINVAL,
			       "CONFIG_PID_NS");
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "ns", 2, 0, 0, 0, NULL));
	pid = ipcchan_spawn(recv_in_new_pidns, &pe);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, ipcchan_reap(pid, WAIT_MS));
}

/* --- close while another thread is blocked --------------------------------- */

struct blocked_thread {
	int fd;
	int ret;
	char buf[PAIR_SIZE];
};

static void *thread_recv(void *p)
{
	struct blocked_thread *bt = p;

	bt->ret = ipcchan_test_recv(bt->fd, bt->buf, sizeof(bt->buf), 0, 0,
				    NULL);
	return NULL;
}

static void *thread_send(void *p)
{
	struct blocked_thread *bt = p;

	bt->ret = ipcchan_test_send(bt->fd, "T", 1, 0, 0, 0, NULL);
	return NULL;
}

/*
 * close(2) while a thread sleeps in RECV on the same file: the sleeping
 * call keeps the file alive and still completes; then the file detaches.
 */
TEST_F(pair, close_while_thread_blocked_in_recv)
{
	struct blocked_thread bt = { .ret = 1 };
	struct ipcchan_info info;
	pthread_t th;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_futex(), "CONFIG_FUTEX");
	bt.fd = self->rx;
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_recv, &bt));
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 1, 1, WAIT_MS));
	ASSERT_EQ(0, close(self->rx));
	self->rx = -1;
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "C", 1, 0, 0, 0, NULL));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, bt.ret);
	EXPECT_EQ('C', bt.buf[0]);
	ASSERT_EQ(0, ipcchan_test_info(self->tx, &info));
	EXPECT_EQ(1U, info.attached);
	EXPECT_EQ(0U, info.blocked_receivers);
}

TEST_F(pair, close_while_thread_blocked_in_send)
{
	struct blocked_thread bt = { .ret = 1 };
	struct ipcchan_info info;
	pthread_t th;
	int fd;
	char buf[8];

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_futex(), "CONFIG_FUTEX");
	fill_queue(_metadata, self->tx);
	fd = ipcchan_test_attach(self->name, 0, IPCCHAN_ACCESS_SEND, 0);
	ASSERT_LE(0, fd);
	bt.fd = fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_send, &bt));
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 0, 1, WAIT_MS));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, bt.ret);
	ASSERT_EQ(0, ipcchan_test_info(self->tx, &info));
	EXPECT_EQ(2U, info.attached);
	EXPECT_EQ((__u64)PAIR_MSGS, info.cur_msgs);
}

/* Unlink while a receiver sleeps: it stays asleep, a send still wakes it. */
TEST_F(pair, unlink_while_receiver_blocked)
{
	struct peer pe = { .fd = self->rx };
	pid_t pid;

	pid = ipcchan_spawn(blocking_recv, &pe);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 1, 1, WAIT_MS));
	ASSERT_EQ(0, ipcchan_test_unlink(self->name));
	usleep(50 * 1000);
	EXPECT_TRUE(ipcchan_still_running(pid));
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "U", 1, 0, 0, 0, NULL));
	EXPECT_EQ('U', ipcchan_reap(pid, WAIT_MS));
}

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

/* --- message sizes ----------------------------------------------------- */

FIXTURE(sizes) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
	__u32 size;	/* the message size under test */
	__u32 max;	/* the channel's max_msg_size */
	char *out, *in;
};

FIXTURE_VARIANT(sizes) {
	__u32 size;	/* UINT32_MAX: the module's max_msg_size_limit */
};

FIXTURE_VARIANT_ADD(sizes, zero) { .size = 0 };
FIXTURE_VARIANT_ADD(sizes, one) { .size = 1 };
FIXTURE_VARIANT_ADD(sizes, odd7) { .size = 7 };
FIXTURE_VARIANT_ADD(sizes, line64) { .size = 64 };
FIXTURE_VARIANT_ADD(sizes, page) { .size = 4096 };
FIXTURE_VARIANT_ADD(sizes, page_plus_one) { .size = 4097 };
FIXTURE_VARIANT_ADD(sizes, k64) { .size = 65536 };
FIXTURE_VARIANT_ADD(sizes, limit) { .size = UINT32_MAX };

FIXTURE_SETUP(sizes)
{
	struct ipcchan_modinfo mi;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	self->size = variant->size == UINT32_MAX ? mi.max_msg_size_limit :
						   variant->size;
	IPCCHAN_SKIP_UNLESS(self->size <= mi.max_msg_size_limit,
			    "%u above max_msg_size_limit %u", self->size,
			    mi.max_msg_size_limit);
	self->max = self->size ? self->size : 1;
	IPCCHAN_SKIP_UNLESS(2ULL * self->max <= mi.user_bytes_limit &&
			    mi.reserved_bytes + 2ULL * self->max <=
			    mi.total_bytes_limit, "quota too small");
	ipcchan_test_name(self->name, sizeof(self->name), "size");
	self->fd = ipcchan_test_attach_sz(self->name, IPCCHAN_CREATE,
					  IPCCHAN_ACCESS_RDWR, 0600, 2,
					  self->max, 0);
	ASSERT_LE(0, self->fd);
	self->out = malloc(self->max + 1);
	self->in = malloc(self->max + 1);
	ASSERT_NE(NULL, self->out);
	ASSERT_NE(NULL, self->in);
	for (__u32 i = 0; i <= self->max; i++)
		self->out[i] = (char)(i * 7 + (i >> 8) + 1);
}

FIXTURE_TEARDOWN(sizes)
{
	if (self->fd > 0)
		close(self->fd);
	ipcchan_test_unlink(self->name);
	free(self->out);
	free(self->in);
}

TEST_F(sizes, ioctl_roundtrip)
{
	struct ipcchan_msg m;

	ASSERT_EQ(0, ipcchan_test_send(self->fd, self->out, self->size, 0, 0,
				       0, NULL));
	memset(self->in, 0, self->max + 1);
	ASSERT_EQ(0, ipcchan_test_recv(self->fd, self->in, self->max + 1, 0,
				       0, &m));
	ASSERT_EQ(self->size, m.len);
	EXPECT_EQ(0, memcmp(self->in, self->out, self->size));
	/* nothing written past the message */
	EXPECT_EQ(0, self->in[self->size]);
}

TEST_F(sizes, read_write_roundtrip)
{
	ASSERT_EQ((ssize_t)self->size, write(self->fd, self->out, self->size));
	memset(self->in, 0, self->max + 1);
	ASSERT_EQ((ssize_t)self->size, read(self->fd, self->in,
					    self->max + 1));
	EXPECT_EQ(0, memcmp(self->in, self->out, self->size));
}

TEST_F(sizes, one_byte_short_emsgsize)
{
	struct ipcchan_msg m;

	IPCCHAN_SKIP_UNLESS(self->size > 0, "nothing is shorter than 0");
	ASSERT_EQ(0, ipcchan_test_send(self->fd, self->out, self->size, 0, 0,
				       0, NULL));
	EXPECT_EQ(-EMSGSIZE, ipcchan_test_recv(self->fd, self->in,
					       self->size - 1, 0, 0, &m));
	EXPECT_EQ(self->size, m.len);
	ASSERT_EQ(0, ipcchan_test_recv(self->fd, self->in, self->size, 0, 0,
				       &m));
	EXPECT_EQ(0, memcmp(self->in, self->out, self->size));
}

TEST_F(sizes, one_byte_over_channel_max_emsgsize)
{
	EXPECT_EQ(-EMSGSIZE, ipcchan_test_send(self->fd, self->out,
					       self->max + 1, 0, 0, 0, NULL));
	EXPECT_EQ(0ULL, cur_msgs(self->fd));
}

IPCCHAN_HARNESS_MAIN(role_main)
