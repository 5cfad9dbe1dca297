// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan message error tests: one bad field per SEND/RECV (EINVAL, a
 * FIXTURE_VARIANT table), a file without the access (EBADF), and bad
 * buffers for SEND/RECV and write(2)/read(2) (EFAULT), each leaving the
 * queue as it was.
 *
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

TEST_F(pair, send_recv_null_struct_efault)
{
	EXPECT_EQ(-EFAULT, ipcchan_ioctl(self->tx, IPCCHAN_IOC_SEND, NULL));
	EXPECT_EQ(-EFAULT, ipcchan_ioctl(self->rx, IPCCHAN_IOC_RECV, NULL));
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

IPCCHAN_HARNESS_MAIN(NULL)
