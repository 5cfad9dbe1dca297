// SPDX-License-Identifier: GPL-2.0
/*
 * Exactly-once stress of the ioctl path: 8 producer and 8 consumer
 * processes on one channel move IPCCHAN_STRESS_MSGS messages (default
 * 200,000, 1,000,000 in the long profile, IPCCHAN_LONG=1) of mixed sizes
 * (0..1 KiB) and priorities (0..31).  Each payload
 * carries its producer, a per-producer sequence number and a checksum.
 * Consumers verify the checksum, that each (producer, priority) arrives in
 * increasing sequence order at every consumer, and mark each message in a
 * shared table; at the end every message must have been seen exactly once,
 * and the channel's counters must agree.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

#define NPROD	8
#define NCONS	8
#define MAXLEN	1024

struct payload {
	uint32_t producer;
	uint32_t prio;
	uint64_t seq;		/* per producer, over all priorities */
	uint32_t len;
	uint32_t sum;
	uint8_t fill[];
};

struct shared {
	uint64_t per_producer;
	uint8_t seen[];		/* NPROD * per_producer counters */
};

static uint32_t checksum(const uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t h = seed * 2654435761U;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619U;
	return h;
}

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int attach(const char *name, __u32 access)
{
	return ipcchan_test_attach(name, 0, access, 0);
}

static int producer(const char *name, unsigned int id, uint64_t count)
{
	uint8_t buf[sizeof(struct payload) + MAXLEN];
	struct payload *p = (struct payload *)buf;
	uint64_t s = 0x1234567ULL + id, i;
	struct ipcchan_msg m;
	int fd = attach(name, IPCCHAN_ACCESS_SEND);

	if (fd < 0)
		return 10;
	for (i = 0; i < count; i++) {
		uint32_t len = xs(&s) % 8 ? xs(&s) % 64 : xs(&s) % MAXLEN;
		uint32_t j;

		p->producer = id;
		p->prio = xs(&s) % (IPCCHAN_PRIO_MAX + 1);
		p->seq = i;
		p->len = len;
		for (j = 0; j < len; j++)
			p->fill[j] = (uint8_t)(i * 31 + j * 7 + id);
		p->sum = checksum(p->fill, len, (uint32_t)i ^ id);
		memset(&m, 0, sizeof(m));
		m.buf = (uintptr_t)p;
		m.len = sizeof(*p) + len;
		m.prio = p->prio;
		if (ioctl(fd, IPCCHAN_IOC_SEND, &m))
			return 11;
	}
	close(fd);
	return 0;
}

static int consumer(const char *name, struct shared *sh, uint64_t total)
{
	static uint64_t last[NPROD][IPCCHAN_PRIO_MAX + 1];
	uint8_t buf[sizeof(struct payload) + MAXLEN];
	struct payload *p = (struct payload *)buf;
	struct ipcchan_msg m;
	int fd = attach(name, IPCCHAN_ACCESS_RECV);
	uint64_t got = 0;

	if (fd < 0)
		return 20;
	memset(last, 0xff, sizeof(last));
	for (;;) {
		memset(&m, 0, sizeof(m));
		m.buf = (uintptr_t)buf;
		m.len = sizeof(buf);
		if (ioctl(fd, IPCCHAN_IOC_RECV, &m))
			return 21;
		if (m.len == 0)		/* end marker from the parent */
			break;
		if (m.len < sizeof(*p) || p->producer >= NPROD ||
		    p->seq >= sh->per_producer || m.len != sizeof(*p) + p->len)
			return 22;
		if (p->prio != m.prio)
			return 23;
		if (checksum(p->fill, p->len, (uint32_t)p->seq ^ p->producer) !=
		    p->sum)
			return 24;
		/* FIFO within a priority: increasing per-producer sequence. */
		if (last[p->producer][p->prio] != UINT64_MAX &&
		    p->seq <= last[p->producer][p->prio])
			return 25;
		last[p->producer][p->prio] = p->seq;
		__atomic_fetch_add(&sh->seen[p->producer * sh->per_producer +
					     p->seq], 1, __ATOMIC_RELAXED);
		got++;
	}
	(void)total;
	close(fd);
	return 0;
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* Fork the NCONS consumers, then the NPROD producers, into @pids. */
static void stress_start(struct __test_metadata *_metadata, pid_t *pids,
			 const char *name, struct shared *sh, uint64_t per)
{
	int k;

	for (k = 0; k < NCONS; k++) {
		pids[NPROD + k] = fork();
		ASSERT_LE(0, pids[NPROD + k]);
		if (!pids[NPROD + k])
			_exit(consumer(name, sh, per * NPROD));
	}
	for (k = 0; k < NPROD; k++) {
		pids[k] = fork();
		ASSERT_LE(0, pids[k]);
		if (!pids[k])
			_exit(producer(name, k, per));
	}
}

/* Wait for the producers, then end the consumers and wait for them. */
static void stress_finish(struct __test_metadata *_metadata, int fd,
			  pid_t *pids)
{
	int k, st;

	for (k = 0; k < NPROD; k++) {
		ASSERT_EQ(pids[k], waitpid(pids[k], &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
			TH_LOG("producer %d: status %#x", k, st);
	}
	/* One empty message per consumer ends it (lowest priority: last). */
	for (k = 0; k < NCONS; k++) {
		struct ipcchan_msg m = { 0 };

		ASSERT_EQ(0, ioctl(fd, IPCCHAN_IOC_SEND, &m));
	}
	for (k = 0; k < NCONS; k++) {
		ASSERT_EQ(pids[NPROD + k], waitpid(pids[NPROD + k], &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
			TH_LOG("consumer %d: status %#x", k, st);
	}
}

/* Every message arrived exactly once, and INFO agrees. */
static void stress_check(struct __test_metadata *_metadata, int fd,
			 const struct shared *sh, uint64_t total)
{
	uint64_t i, missing = 0, dup = 0;
	struct ipcchan_info info;

	for (i = 0; i < total; i++) {
		missing += sh->seen[i] == 0;
		dup += sh->seen[i] > 1;
	}
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dup);

	ASSERT_EQ(0, ioctl(fd, IPCCHAN_IOC_INFO, &info));
	EXPECT_EQ(total + NCONS, info.sent);
	EXPECT_EQ(total + NCONS, info.received);
	EXPECT_EQ(0, info.cur_msgs);
	EXPECT_EQ(0, info.cur_bytes);
	EXPECT_EQ(0, info.blocked_senders);
	EXPECT_EQ(0, info.blocked_receivers);
	EXPECT_EQ(1, info.attached);
	TH_LOG("moved %llu messages: %llu lost, %llu duplicated",
	       (unsigned long long)total, (unsigned long long)missing,
	       (unsigned long long)dup);
}

/*
 * 200,000 messages take 4-8 s in the TCG VM; the long profile's million
 * under KASAN gets half an hour.
 */
TEST_F_TIMEOUT(stress, eight_by_eight_exactly_once, 40)
{
	pid_t pids[NPROD + NCONS];
	char name[IPCCHAN_NAME_MAX];
	uint64_t total, per;
	struct shared *sh;
	size_t shsize;
	int fd;

	if (!ipcchan_present())
		SKIP(return, "%s absent (module not loaded)", IPCCHAN_DEVICE);
	total = ipcchan_count("IPCCHAN_STRESS_MSGS", 200000, 1000000);
	per = total / NPROD;
	total = per * NPROD;
	TH_LOG("%d producers x %d consumers, %llu messages", NPROD, NCONS,
	       (unsigned long long)total);

	shsize = sizeof(*sh) + NPROD * per;
	sh = mmap(NULL, shsize, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	sh->per_producer = per;

	ipcchan_test_name(name, sizeof(name), "stress");
	fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				    IPCCHAN_ACCESS_RDWR, 0600, 256,
				    sizeof(struct payload) + MAXLEN, 0);
	ASSERT_LE(0, fd);

	stress_start(_metadata, pids, name, sh, per);
	/* rmmod under load is refused (the kernel says EWOULDBLOCK). */
	if (geteuid() == 0 && ipcchan_have_module_unload()) {
		EXPECT_EQ(-1, syscall(SYS_delete_module, "ipcchan", O_NONBLOCK));
		EXPECT_EQ(EWOULDBLOCK, errno);
	}
	stress_finish(_metadata, fd, pids);
	stress_check(_metadata, fd, sh, total);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
	close(fd);
	munmap(sh, shsize);
}
IPCCHAN_LONG_TIMEOUT(stress, eight_by_eight_exactly_once, 1800)

IPCCHAN_HARNESS_MAIN(NULL)
