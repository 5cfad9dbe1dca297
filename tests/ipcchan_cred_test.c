// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan credential tests: forked and exec'd (unrelated) peers, the
 * sender pid each message carries (0 where it is not visible, in a child
 * pid namespace) and per-sender order.
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
	char *argv[] = { "ipcchan_cred_test", (char *)role, (char *)name, c, e,
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

IPCCHAN_HARNESS_MAIN(role_main)
