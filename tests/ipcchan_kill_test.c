// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: SIGKILL producers and consumers at random moments while
 * they send, receive, block on a full or empty queue, wait on the ring or
 * hold a ring mapping (IPCCHAN_KILLS rounds, default 200, 500 in the long
 * profile, IPCCHAN_LONG=1).  Afterwards the
 * channel must still work and its counters must agree: queued messages =
 * sent - received, nobody blocked, only our own file attached, no mapping.
 */
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

enum role { SENDER, RECEIVER, RING_WAITER, MAPPER, NROLES };

static int open_attached(const char *name, __u32 access)
{
	return ipcchan_test_attach(name, 0, access, 0);
}

static void child(const char *name, enum role role, unsigned int seed)
{
	char buf[512];
	struct ipcchan_msg m;
	int fd = open_attached(name, IPCCHAN_ACCESS_RDWR);
	struct ipcchan_info info;
	char *ring;

	if (fd < 0)
		_exit(1);
	if (ioctl(fd, IPCCHAN_IOC_INFO, &info))
		_exit(2);
	ring = mmap(NULL, info.ring_map_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED)
		_exit(3);
	memset(buf, (int)seed, sizeof(buf));
	for (;;) {
		memset(&m, 0, sizeof(m));
		m.buf = (uintptr_t)buf;
		switch (role) {
		case SENDER:
			/* Blocks when the queue is full. */
			m.len = 1 + rand_r(&seed) % sizeof(buf);
			m.prio = rand_r(&seed) % 32;
			if (ioctl(fd, IPCCHAN_IOC_SEND, &m))
				_exit(4);
			break;
		case RECEIVER:
			/* Blocks when the queue is empty. */
			m.len = sizeof(buf);
			if (ioctl(fd, IPCCHAN_IOC_RECV, &m))
				_exit(5);
			break;
		case RING_WAITER: {
			struct ipcchan_ring_wait rw = {
				.which = IPCCHAN_RING_PROD,
				.expected = ((struct ipcchan_ring_hdr *)ring)->prod.pos,
			};

			ioctl(fd, IPCCHAN_IOC_RING_WAIT, &rw);
			break;
		}
		default:
			/* Touch the mapping: write the spare part of the header. */
			ring[256 + rand_r(&seed) % 256] = (char)seed;
			sched_yield();
			break;
		}
	}
}

FIXTURE(faults) {
	int unused;
};

FIXTURE_SETUP(faults)
{
}

FIXTURE_TEARDOWN(faults)
{
}

/*
 * @kills times: start a child of a random role in a random free slot of
 * eight, let the children run up to 3 ms, and SIGKILL a random one (a kill
 * of an empty slot does not count).  Returns how many children ran.
 */
static unsigned int kill_storm(struct __test_metadata *_metadata,
			       const char *name, unsigned int kills)
{
	unsigned int i, seed = 12345, alive = 0;
	pid_t pids[8] = { 0 };
	int st;

	for (i = 0; i < kills; i++) {
		unsigned int slot = rand_r(&seed) % 8;
		struct timespec ts = { 0, (rand_r(&seed) % 3000) * 1000 };

		if (!pids[slot]) {
			enum role role = rand_r(&seed) % NROLES;
			unsigned int s = rand_r(&seed);

			pids[slot] = fork();
			ASSERT_LE(0, pids[slot]);
			if (!pids[slot])
				child(name, role, s);
			alive++;
		}
		nanosleep(&ts, NULL);
		/* Kill a random live child, wherever it is. */
		slot = rand_r(&seed) % 8;
		if (pids[slot]) {
			ASSERT_EQ(0, kill(pids[slot], SIGKILL));
			ASSERT_EQ(pids[slot], waitpid(pids[slot], &st, 0));
			/* Killed, not exited early with an error. */
			EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
				TH_LOG("child exited with status %#x", st);
			pids[slot] = 0;
		} else {
			i--;	/* count only real kills */
		}
	}
	for (i = 0; i < 8; i++) {
		if (!pids[i])
			continue;
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &st, 0);
	}
	return alive;
}

/* 200 kills take 1-5 s in the TCG VM; 500 under KASAN get half an hour. */
TEST_F_TIMEOUT(faults, sigkill_storm, 40)
{
	struct ipcchan_info info;
	char name[IPCCHAN_NAME_MAX];
	unsigned int kills, alive;
	int fd;

	if (!ipcchan_present())
		SKIP(return, "%s absent (module not loaded)", IPCCHAN_DEVICE);
	kills = ipcchan_count("IPCCHAN_KILLS", 200, 500);
	ipcchan_test_name(name, sizeof(name), "kill");
	fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				    IPCCHAN_ACCESS_RDWR, 0600, 8, 512, 2);
	ASSERT_LE(0, fd);

	alive = kill_storm(_metadata, name, kills);
	TH_LOG("%u SIGKILLs delivered over %u children", kills, alive);

	ASSERT_EQ(0, ioctl(fd, IPCCHAN_IOC_INFO, &info));
	EXPECT_EQ(info.sent - info.received, info.cur_msgs);
	EXPECT_EQ(0, info.blocked_senders);
	EXPECT_EQ(0, info.blocked_receivers);
	EXPECT_EQ(1, info.attached);
	EXPECT_EQ(0, info.mappings);
	EXPECT_LE(info.cur_msgs, 8);

	/* Still usable: drain, then one round trip. */
	ipcchan_check_alive(_metadata, fd, fd, fd);
	ASSERT_EQ(0, ioctl(fd, IPCCHAN_IOC_INFO, &info));
	EXPECT_EQ(info.sent, info.received);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
	close(fd);
}
IPCCHAN_LONG_TIMEOUT(faults, sigkill_storm, 1800)

IPCCHAN_HARNESS_MAIN(NULL)
