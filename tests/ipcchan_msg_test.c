// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan message tests: SEND/RECV (boundaries, priorities, FIFO, EMSGSIZE,
 * EAGAIN, O_NONBLOCK, timeouts), read(2)/write(2), and every message size
 * from empty to the module's limit.  The other message tests:
 * ipcchan_msg_err_test.c (EINVAL, EBADF, EFAULT), ipcchan_wait_test.c
 * (blocking, wakeups, signals, poll/epoll, close while blocked),
 * ipcchan_cred_test.c (forked and exec'd peers, pids, sequence numbers)
 * and ipcchan_batch_test.c (SEND_BATCH/RECV_BATCH).
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

IPCCHAN_HARNESS_MAIN(NULL)
