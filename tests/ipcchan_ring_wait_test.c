// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan ring wait tests: RING_WAIT / RING_NOTIFY (timeouts, signals,
 * the waiting-flag path, every EINVAL as a FIXTURE_VARIANT table), a
 * waiter whose peer unmaps, closes and unlinks, and poll (EPOLLIN for the
 * consumer, EPOLLWRBAND for the producer).
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

/* --- RING_WAIT ------------------------------------------------------------ */

TEST_F(ring, wait_returns_at_once_when_position_differs)
{
	long long t0;

	ASSERT_NE(NULL, map_all(self));
	HDR(self)->prod.pos = 8;
	HDR(self)->cons.pos = 16;
	t0 = ipcchan_now_ns();
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD, 0,
					   IPCCHAN_TIMEOUT, 5 * SEC));
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_CONS, 8,
					   IPCCHAN_TIMEOUT, 5 * SEC));
	/* without a timeout too (a hang would hit the harness timeout) */
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD, 16, 0,
					   0));
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_CONS, 8, 0,
					   0));
	EXPECT_GT(SEC, ipcchan_now_ns() - t0);
}

TEST_F(ring, wait_timeout_etimedout)
{
	long long t0, dt;

	ASSERT_NE(NULL, map_all(self));
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD,
						    0, IPCCHAN_TIMEOUT,
						    300 * MS));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(300 * MS, dt);
	EXPECT_GT(300 * MS + SLACK_NS, dt);

	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_CONS,
						    0, IPCCHAN_TIMEOUT,
						    100 * MS));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(100 * MS, dt);
	EXPECT_GT(100 * MS + SLACK_NS, dt);

	/* timeout 0: just check */
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD,
						    0, IPCCHAN_TIMEOUT, 0));
	EXPECT_GT(SLACK_NS, ipcchan_now_ns() - t0);
}

/* A signal interrupts a timed wait with EINTR, SA_RESTART or not. */
static void timed_wait_signal(struct __test_metadata *_metadata, int fd,
			      int restart)
{
	long long t0, dt;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_posix_timers(),
			       "CONFIG_POSIX_TIMERS");
	alarm_in(100, restart);
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-EINTR, ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_PROD, 0,
						IPCCHAN_TIMEOUT, 5 * SEC));
	dt = ipcchan_now_ns() - t0;
	alarm_off();
	EXPECT_EQ(1, got_signal);
	EXPECT_LE(90 * MS, dt);
	EXPECT_GT(100 * MS + SLACK_NS, dt);
}

TEST_F(ring, wait_eintr_on_signal_with_timeout)
{
	ASSERT_NE(NULL, map_all(self));
	timed_wait_signal(_metadata, self->fd, 0);
}

TEST_F(ring, wait_eintr_on_signal_with_timeout_sa_restart)
{
	ASSERT_NE(NULL, map_all(self));
	timed_wait_signal(_metadata, self->fd, 1);
}

TEST_F(ring, wait_untimed_eintr_on_signal)
{
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_posix_timers(),
			       "CONFIG_POSIX_TIMERS");
	ASSERT_NE(NULL, map_all(self));
	alarm_in(100, 0);
	EXPECT_EQ(-EINTR, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_CONS, 0,
						0, 0));
	alarm_off();
	EXPECT_EQ(1, got_signal);
}

TEST_F(ring, wait_untimed_restarts_after_sa_restart_handler)
{
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_posix_timers(),
			       "CONFIG_POSIX_TIMERS");
	ASSERT_NE(NULL, map_all(self));
	/*
	 * The handler moves prod.pos: the restarted wait sees it and returns
	 * 0 (a non-restarted one would have failed with EINTR).
	 */
	signal_store = (volatile __u64 *)&HDR(self)->prod.pos;
	alarm_in(100, 1);
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD, 0, 0, 0));
	alarm_off();
	EXPECT_EQ(1, got_signal);
	EXPECT_EQ(8ULL, HDR(self)->prod.pos);
}

/* A consumer (own file, own mapping) that sleeps at once for one record. */
static int sleepy_consumer(void *a)
{
	struct waker_arg *wa = a;
	struct ipcchan_tring r;
	unsigned char buf[64];
	__u32 len, k;
	int fd, ret;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 40;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_CONS))
		return 41;
	r.spin = 0;
	ret = ipcchan_tring_recv(&r, buf, sizeof(buf), &len, 20 * SEC);
	if (ret)
		return ret == -ETIMEDOUT ? 42 : 43;
	if (len != wa->len)
		return 44;
	for (k = 0; k < len; k++)
		if (buf[k] != pat(77, k))
			return 45;
	if (r.sleeps < 1)
		return 46;
	if (r.hdr->cons.waiting)
		return 47;
	return 0;
}

TEST_F(ring, waiter_flag_path_wakes_sleeping_consumer)
{
	struct ipcchan_ring_rec *rec;
	struct waker_arg wa = { self->name, 21 };
	struct ipcchan_ring_hdr *h;
	long long t0;
	pid_t pid;
	__u32 k;

	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	pid = ipcchan_spawn(sleepy_consumer, &wa);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_asleep_in(pid, 0));
	ASSERT_EQ(1U, __atomic_load_n(&h->cons.waiting, __ATOMIC_ACQUIRE));

	/* the producer: memory writes, release, fence, flag, one notify */
	t0 = ipcchan_now_ns();
	rec = (struct ipcchan_ring_rec *)DATA(self);
	rec->len = wa.len;
	rec->flags = 0;
	for (k = 0; k < wa.len; k++)
		((unsigned char *)(rec + 1))[k] = pat(77, k);
	__atomic_store_n(&h->prod.pos, ipcchan_tring_recsize(wa.len),
			 __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ASSERT_NE(0U, __atomic_load_n(&h->cons.waiting, __ATOMIC_RELAXED));
	EXPECT_EQ(1, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
	EXPECT_GT(5 * SEC, ipcchan_now_ns() - t0);
	EXPECT_EQ(ipcchan_tring_recsize(wa.len),
		  __atomic_load_n(&h->cons.pos, __ATOMIC_ACQUIRE));
}

/* A producer that fills the ring, then sleeps for room for one more. */
static int sleepy_producer(void *a)
{
	struct waker_arg *wa = a;
	struct ipcchan_tring r;
	unsigned char buf[64];
	int fd, ret;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 50;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_PROD))
		return 51;
	r.spin = 0;
	memset(buf, 0x3c, sizeof(buf));
	while (!(ret = ipcchan_tring_send(&r, buf, wa->len, 0)))
		;
	if (ret != -ETIMEDOUT || r.pos != r.size)
		return 52;
	ret = ipcchan_tring_send(&r, buf, wa->len, 20 * SEC);
	if (ret)
		return ret == -ETIMEDOUT ? 53 : 54;
	if (r.sleeps < 1)
		return 55;
	return 0;
}

TEST_F(ring, waiter_flag_path_wakes_sleeping_producer)
{
	struct waker_arg wa = { self->name, 56 };	/* 64-byte records */
	struct ipcchan_ring_hdr *h;
	pid_t pid;

	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	pid = ipcchan_spawn(sleepy_producer, &wa);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_asleep_in(pid, 0));
	ASSERT_EQ(DSIZE(self), __atomic_load_n(&h->prod.pos, __ATOMIC_ACQUIRE));
	ASSERT_EQ(1U, __atomic_load_n(&h->prod.waiting, __ATOMIC_ACQUIRE));
	/* the consumer frees one record: release, fence, flag, one notify */
	__atomic_store_n(&h->cons.pos, ipcchan_tring_recsize(wa.len),
			 __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ASSERT_NE(0U, __atomic_load_n(&h->prod.waiting, __ATOMIC_RELAXED));
	EXPECT_EQ(1, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_CONS));
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
	EXPECT_EQ(DSIZE(self) + ipcchan_tring_recsize(wa.len),
		  __atomic_load_n(&h->prod.pos, __ATOMIC_ACQUIRE));
}

struct plain_wait_arg {
	const char *name;
	__u32 which;
	__u64 expected;
	__s64 timeout_ns;
	int expect;	/* the result the child must get */
};

/* RING_WAIT on its own file (no mapping needed), exit 0 on the expected result. */
static int plain_waiter(void *a)
{
	struct plain_wait_arg *pw = a;
	int fd, ret;

	fd = ipcchan_test_attach(pw->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 60;
	ret = ipcchan_ring_wait_ioc(fd, pw->which, pw->expected,
				    IPCCHAN_TIMEOUT, pw->timeout_ns);
	if (ret != pw->expect)
		return ret == -ETIMEDOUT ? 61 : ret == 0 ? 62 : 63;
	close(fd);
	return 0;
}

TEST_F(ring, notify_returns_number_of_waiters)
{
	struct plain_wait_arg pw = { self->name, IPCCHAN_RING_PROD, 0,
				     20 * SEC, 0 };
	pid_t pid[3];
	int i;

	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_CONS));
	for (i = 0; i < 3; i++) {
		pid[i] = ipcchan_spawn(plain_waiter, &pw);
		ASSERT_LT(0, pid[i]);
	}
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, wait_asleep_in(pid[i], 0));
	/* nobody waits on the other position */
	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_CONS));
	/* a notify wakes them even though the position did not move */
	EXPECT_EQ(3, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, ipcchan_reap(pid[i], 10000)) TH_LOG("waiter %d", i);
	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
}

/* --- RING_WAIT / RING_NOTIFY validation: one bad field per variant ------- */

FIXTURE(wait_inval) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
};

FIXTURE_VARIANT(wait_inval) {
	__u32 which;
	__u32 flags;
	__s64 timeout_ns;
	__u64 reserved0;
	__u64 reserved1;
	int err;
};

/* The valid baseline: a position that already differs returns at once. */
FIXTURE_VARIANT_ADD(wait_inval, valid_baseline) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT,
	.timeout_ns = SEC, .err = 0,
};
FIXTURE_VARIANT_ADD(wait_inval, valid_untimed_baseline) {
	.which = IPCCHAN_RING_CONS, .err = 0,
};
FIXTURE_VARIANT_ADD(wait_inval, which_2) {
	.which = 2, .flags = IPCCHAN_TIMEOUT, .timeout_ns = SEC,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, which_all_ones) {
	.which = ~0U, .flags = IPCCHAN_TIMEOUT, .timeout_ns = SEC,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, flag_nonblock) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_NONBLOCK, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, flag_nonblock_with_timeout) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_NONBLOCK | IPCCHAN_TIMEOUT,
	.timeout_ns = SEC, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, flag_unknown_bit2) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT | (1U << 2),
	.timeout_ns = SEC, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, flag_unknown_bit31) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT | (1U << 31),
	.timeout_ns = SEC, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, negative_timeout) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT,
	.timeout_ns = -1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, timeout_without_flag) {
	.which = IPCCHAN_RING_PROD, .timeout_ns = SEC, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, reserved0_nonzero) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT,
	.timeout_ns = SEC, .reserved0 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, reserved1_nonzero) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT,
	.timeout_ns = SEC, .reserved1 = 1ULL << 63, .err = EINVAL,
};

FIXTURE_SETUP(wait_inval)
{
	IPCCHAN_REQUIRE_DEV();
	self->fd = create_ring(self->name, sizeof(self->name), "winv", 1);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(wait_inval)
{
	close(self->fd);
	ipcchan_test_unlink(self->name);
}

TEST_F(wait_inval, ring_wait)
{
	struct ipcchan_ring_wait rw;

	memset(&rw, 0, sizeof(rw));
	rw.which = variant->which;
	rw.flags = variant->flags;
	/* positions are 0: a valid call returns 0 at once, never sleeps */
	rw.expected = 12345;
	rw.timeout_ns = variant->timeout_ns;
	rw.reserved[0] = variant->reserved0;
	rw.reserved[1] = variant->reserved1;
	EXPECT_EQ(-variant->err, ipcchan_ioctl(self->fd, IPCCHAN_IOC_RING_WAIT,
					       &rw));
}

FIXTURE(notify_inval) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
};

FIXTURE_VARIANT(notify_inval) {
	__u32 which;
	__u32 reserved0;
	__u64 reserved1;
	__u64 reserved2;
	int err;
};

FIXTURE_VARIANT_ADD(notify_inval, valid_prod) {
	.which = IPCCHAN_RING_PROD, .err = 0,
};
FIXTURE_VARIANT_ADD(notify_inval, valid_cons) {
	.which = IPCCHAN_RING_CONS, .err = 0,
};
FIXTURE_VARIANT_ADD(notify_inval, which_2) {
	.which = 2, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(notify_inval, which_all_ones) {
	.which = ~0U, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(notify_inval, reserved0_nonzero) {
	.reserved0 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(notify_inval, reserved_0_nonzero) {
	.reserved1 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(notify_inval, reserved_1_nonzero) {
	.reserved2 = 1ULL << 63, .err = EINVAL,
};

FIXTURE_SETUP(notify_inval)
{
	IPCCHAN_REQUIRE_DEV();
	self->fd = create_ring(self->name, sizeof(self->name), "ninv", 1);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(notify_inval)
{
	close(self->fd);
	ipcchan_test_unlink(self->name);
}

TEST_F(notify_inval, ring_notify)
{
	struct ipcchan_ring_notify rn;

	memset(&rn, 0, sizeof(rn));
	rn.which = variant->which;
	rn.reserved0 = variant->reserved0;
	rn.reserved[0] = variant->reserved1;
	rn.reserved[1] = variant->reserved2;
	/* valid: nobody waits, 0 woken */
	EXPECT_EQ(-variant->err, ipcchan_ioctl(self->fd,
					       IPCCHAN_IOC_RING_NOTIFY, &rn));
}

TEST(ring_ioctls_unattached_enotconn)
{
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTCONN, ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_PROD, 1,
						   IPCCHAN_TIMEOUT, SEC));
	EXPECT_EQ(-ENOTCONN, ipcchan_ring_notify_ioc(fd, IPCCHAN_RING_PROD));
	close(fd);
}

TEST(ring_ioctls_no_ring_enxio)
{
	char name[IPCCHAN_NAME_MAX];
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = create_ring(name, sizeof(name), "noring", 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENXIO, ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_PROD, 1,
						IPCCHAN_TIMEOUT, SEC));
	EXPECT_EQ(-ENXIO, ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_CONS, 0, 0, 0));
	EXPECT_EQ(-ENXIO, ipcchan_ring_notify_ioc(fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(-ENXIO, ipcchan_ring_notify_ioc(fd, IPCCHAN_RING_CONS));
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
}

/*
 * A peer sleeps in RING_WAIT with no mapping of its own while the parent
 * unmaps (and unlinks); the kernel still reads the header page safely.
 */
static int unmapped_waiter(void *a)
{
	struct plain_wait_arg *pw = a;
	struct ipcchan_tring r;
	int fd, ret;

	fd = ipcchan_test_attach(pw->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 70;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_CONS))
		return 71;
	ipcchan_tring_unmap(&r);
	ret = ipcchan_ring_wait_ioc(fd, pw->which, pw->expected,
				    IPCCHAN_TIMEOUT, pw->timeout_ns);
	if (ret != pw->expect)
		return ret == -ETIMEDOUT ? 72 : ret == 0 ? 73 : 74;
	/* still attached after all that: the ring is still there */
	if (ipcchan_ring_notify_ioc(fd, IPCCHAN_RING_CONS) != 0)
		return 75;
	close(fd);
	return 0;
}

TEST_F(ring, munmap_while_peer_waits_then_notify)
{
	struct plain_wait_arg pw = { self->name, IPCCHAN_RING_PROD, 0,
				     20 * SEC, 0 };
	pid_t pid;

	/* the child first, so that it inherits no mapping of ours */
	pid = ipcchan_spawn(unmapped_waiter, &pw);
	ASSERT_LT(0, pid);
	ASSERT_NE(NULL, map_all(self));
	ASSERT_EQ(0, wait_asleep_in(pid, 0));
	EXPECT_EQ(1U, mappings(self->fd));
	ASSERT_EQ(0, munmap(self->map, self->info.ring_map_size));
	self->map = NULL;
	EXPECT_EQ(0U, mappings(self->fd));
	ASSERT_EQ(0, ipcchan_test_unlink(self->name));
	EXPECT_EQ(1, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
}

TEST_F(ring, munmap_close_unlink_while_peer_waits_times_out)
{
	struct plain_wait_arg pw = { self->name, IPCCHAN_RING_CONS, 0,
				     1500 * MS, -ETIMEDOUT };
	long long base = live_channels();
	pid_t pid;

	pid = ipcchan_spawn(unmapped_waiter, &pw);
	ASSERT_LT(0, pid);
	ASSERT_NE(NULL, map_all(self));
	ASSERT_EQ(0, wait_asleep_in(pid, 0));
	EXPECT_EQ(1U, mappings(self->fd));
	/* everything of ours goes away while the peer sleeps */
	ASSERT_EQ(0, munmap(self->map, self->info.ring_map_size));
	self->map = NULL;
	EXPECT_EQ(0U, mappings(self->fd));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, ipcchan_test_unlink(self->name));
	EXPECT_EQ(base, live_channels());	/* the sleeper keeps it alive */
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
	EXPECT_EQ(base - 1, live_channels());
}

/* --- poll ------------------------------------------------------------------ */

TEST_F(ring, poll_pollin_iff_positions_differ)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct ipcchan_ring_hdr *h;
	int ep;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_epoll(), "CONFIG_EPOLL");
	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);	/* empty queue, empty ring */
	h->prod.pos = 8;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents);
	h->cons.pos = 8;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	h->cons.pos = 4096;	/* any difference counts, even a bogus one */
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 0));
	h->cons.pos = 8;
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	close(ep);
}

static int poller(void *a)
{
	struct waker_arg *wa = a;
	struct pollfd pfd;
	long long t0;
	int fd, ret;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 80;
	pfd.fd = fd;
	pfd.events = POLLIN;
	t0 = ipcchan_now_ns();
	ret = poll(&pfd, 1, 20000);
	if (ret != 1)
		return ret == 0 ? 81 : 82;
	if (!(pfd.revents & POLLIN))
		return 83;
	if (ipcchan_now_ns() - t0 > 10 * SEC)
		return 84;
	return 0;
}

TEST_F(ring, poll_woken_by_notify)
{
	struct waker_arg wa = { self->name, 0 };
	struct ipcchan_ring_hdr *h;
	pid_t pid;

	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	pid = ipcchan_spawn(poller, &wa);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_asleep_in(pid, 1));
	/* a record appears in memory; the notify is what wakes the poller */
	((struct ipcchan_ring_rec *)DATA(self))->len = 0;
	__atomic_store_n(&h->prod.pos, ipcchan_tring_recsize(0),
			 __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	EXPECT_LE(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
}

/*
 * EPOLLWRBAND, the producer's event: at least half the data area is free
 * (prod.pos - cons.pos <= D / 2, unsigned), whatever the queue does.
 */
TEST_F(ring, poll_wrband_iff_half_free)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLWRBAND };
	struct epoll_event ev = { .events = EPOLLWRBAND }, out;
	struct ipcchan_ring_hdr *h;
	__u64 d;
	int ep;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_epoll(), "CONFIG_EPOLL");
	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	d = DSIZE(self);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLWRBAND, pfd.revents);		/* empty */
	h->prod.pos = d / 2;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLWRBAND, pfd.revents);	/* exactly half */
	h->prod.pos = d / 2 + 8;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);			/* less than half */
	h->prod.pos = d;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);			/* full */
	h->cons.pos = d / 2;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLWRBAND, pfd.revents);
	/* free-running: the same near 2^64 */
	h->prod.pos = -(__u64)8;
	h->cons.pos = -(__u64)8 - d / 2;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLWRBAND, pfd.revents);
	h->cons.pos = -(__u64)16 - d / 2;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	/* a consumer ahead of the producer (corrupt) is no room */
	h->prod.pos = 0;
	h->cons.pos = 8;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	/*
	 * epoll looks again only after a wake-up: RING_NOTIFY(CONS) is the
	 * one for this event, RING_NOTIFY(PROD) (EPOLLIN's) is not.
	 */
	h->cons.pos = 0;
	EXPECT_LE(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	EXPECT_LE(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_CONS));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((__u32)EPOLLWRBAND, out.events);
	close(ep);
}

/* What a producer-side poller child reports through its exit status. */
#define PW_OK		0
#define PW_TIMEOUT	81	/* slept the whole 3 s */
#define PW_ERROR	82
#define PW_EVENTS	83	/* returned without EPOLLWRBAND */

struct wrband_arg {
	const char *name;
	int epoll;	/* epoll_wait() instead of poll() */
};

/*
 * A producer whose ring is full sleeps in poll(2) or epoll_wait() for
 * EPOLLWRBAND, with a 3 s timeout, on a file of its own.
 */
static int wrband_poller(void *a)
{
	struct wrband_arg *wa = a;
	struct epoll_event ev = { .events = EPOLLWRBAND }, out;
	struct pollfd pfd;
	unsigned int got;
	int fd, ep, ret;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return PW_ERROR;
	if (wa->epoll) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			return PW_ERROR;
		ret = epoll_wait(ep, &out, 1, 3000);
		got = out.events;
	} else {
		pfd.fd = fd;
		pfd.events = POLLWRBAND;
		ret = poll(&pfd, 1, 3000);
		got = pfd.revents;
	}
	if (ret == 0)
		return PW_TIMEOUT;
	if (ret != 1)
		return PW_ERROR;
	return got == EPOLLWRBAND ? PW_OK : PW_EVENTS;
}

/*
 * The ring is full; the consumer (this process) frees it and announces it
 * with RING_NOTIFY(CONS): the sleeping producer returns at once with
 * EPOLLWRBAND, long before its 3 s timeout.
 */
static void wrband_woken_by_cons_notify(struct __test_metadata *_metadata,
					FIXTURE_DATA(ring) *self, int epoll)
{
	struct wrband_arg wa = { self->name, epoll };
	struct ipcchan_ring_hdr *h;
	long long t0, dt;
	pid_t pid;
	int ret;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_epoll(), "CONFIG_EPOLL");
	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	/* full: the consumer is one whole data area behind */
	h->prod.pos = 2 * DSIZE(self);
	h->cons.pos = DSIZE(self);
	pid = ipcchan_spawn(wrband_poller, &wa);
	ASSERT_LT(0, pid);
	if (epoll)
		ret = ipcchan_wait_in_syscall(pid, SYS_epoll_wait,
					      SYS_epoll_pwait, 0, 10000);
	else
		ret = wait_asleep_in(pid, 1);
	if (ret == -ENOENT)
		usleep(500000);
	else
		ASSERT_EQ(0, ret);
	/* the consumer takes every record, then announces it */
	t0 = ipcchan_now_ns();
	__atomic_store_n(&h->cons.pos, 2 * DSIZE(self), __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	EXPECT_LE(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_CONS));
	ret = ipcchan_reap(pid, 20000);
	dt = ipcchan_now_ns() - t0;
	EXPECT_EQ(PW_OK, ret);
	/* 3 s is the poller's timeout; TCG wakes in well under a second */
	EXPECT_GT(2 * SEC, dt);
	TH_LOG("woken %lld us after RING_NOTIFY(CONS)", dt / 1000);
}

TEST_F(ring, poll_wrband_woken_by_cons_notify)
{
	wrband_woken_by_cons_notify(_metadata, self, 0);
}

TEST_F(ring, epoll_wrband_woken_by_cons_notify)
{
	wrband_woken_by_cons_notify(_metadata, self, 1);
}

IPCCHAN_HARNESS_MAIN(NULL)
