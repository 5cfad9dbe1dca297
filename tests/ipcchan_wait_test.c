// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan waiting tests: blocked SEND/RECV woken by the peer, one
 * wakeup per message or slot, signals (EINTR, SA_RESTART), poll/epoll
 * (levels, edges, POLLHUP, POLLERR), and close/unlink while another thread
 * is blocked.
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
#include "ipcchan_ring.h"

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

/*
 * A slot a receive frees goes to the sender blocked for it, at once: a
 * sender that did not wait finds the queue still full (EAGAIN, no
 * POLLOUT) even before the woken one runs, and two blocked senders are
 * served in the order they blocked.
 */
TEST_F(pair, freed_slot_goes_to_blocked_sender)
{
	struct peer pa = { .fd = self->tx, .arg = 'a' };
	struct peer pb = { .fd = self->tx, .arg = 'b' };
	struct pollfd pfd = { .fd = self->tx, .events = POLLOUT };
	char buf[8];
	pid_t a, b;
	int i;

	fill_queue(_metadata, self->tx);
	a = ipcchan_spawn(blocking_send, &pa);
	ASSERT_LT(0, a);
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 0, 1, WAIT_MS));
	b = ipcchan_spawn(blocking_send, &pb);
	ASSERT_LT(0, b);
	ASSERT_EQ(0, ipcchan_wait_blocked(self->tx, 0, 2, WAIT_MS));

	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_EQ(-EAGAIN, ipcchan_test_send(self->tx, "n", 1, 0,
					     IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(0, ipcchan_reap(a, WAIT_MS));
	EXPECT_TRUE(ipcchan_still_running(b));

	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_EQ(-EAGAIN, ipcchan_test_send(self->tx, "n", 1, 0,
					     IPCCHAN_NONBLOCK, 0, NULL));
	EXPECT_EQ(0, ipcchan_reap(b, WAIT_MS));

	/* The six fillers left, then a, then b: nothing else got in. */
	for (i = 0; i < PAIR_MSGS - 2; i++) {
		ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0,
					       0, NULL));
		EXPECT_EQ('f', buf[0]);
	}
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_EQ('a', buf[0]);
	ASSERT_EQ(0, ipcchan_test_recv(self->rx, buf, sizeof(buf), 0, 0,
				       NULL));
	EXPECT_EQ('b', buf[0]);
	EXPECT_EQ(0ULL, cur_msgs(self->tx));
}

/* --- signals ------------------------------------------------------------ */

static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	char c = (char)sig;

	if (write(sig_pipe[1], &c, 1) < 0)
		_exit(99);
}

/* Child: one blocking call as pe->arg says; exit code = errno or 0. */
enum { SIG_RECV, SIG_RECV_RESTART, SIG_RECV_TIMEOUT_RESTART, SIG_SEND };

static int call_with_signal(void *p)
{
	struct peer *pe = p;
	char buf[PAIR_SIZE];
	int ret;

	ipcchan_handle_signal(SIGUSR1, on_signal,
			      pe->arg == SIG_RECV_RESTART ||
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

/* Child: poll pe->fd for POLLIN, 10 s at most; 0 when it reports POLLIN. */
static int poll_in_child(void *p)
{
	struct peer *pe = p;
	struct pollfd pfd = { .fd = pe->fd, .events = POLLIN };

	if (poll(&pfd, 1, 10000) != 1)
		return 1;
	return (pfd.revents & (POLLIN | POLLERR | POLLHUP)) == POLLIN ? 0 : 2;
}

/*
 * The send comes only once the poller sleeps in poll() (/proc/<pid>/syscall
 * and state S), so only a wake-up can report it, never the poller's first
 * look at the queue (poll_wakes_on_send's send may come before that look
 * on a loaded machine).
 */
TEST_F(pair, poll_asleep_woken_by_send)
{
	struct peer pe = { .fd = self->rx };
	pid_t pid;
	int ret;

	pid = ipcchan_spawn(poll_in_child, &pe);
	ASSERT_LT(0, pid);
	ret = ipcchan_wait_in_syscall(pid, SYS_poll, SYS_ppoll, 0, WAIT_MS);
	if (ret == -ENOENT)	/* no /proc/<pid>/syscall: a plain delay */
		usleep(500 * 1000);
	else
		ASSERT_EQ(0, ret);
	ASSERT_EQ(0, ipcchan_test_send(self->tx, "P", 1, 0, 0, 0, NULL));
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

IPCCHAN_HARNESS_MAIN(NULL)
