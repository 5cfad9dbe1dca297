// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl/mmap/read/write fuzzer for /dev/ipcchan.
 *
 * Several threads hammer a handful of files (unattached, attached with and
 * without a ring, receive-only, send-only) with random command numbers in and
 * out of the ipcchan magic and with struct-aware mutations of every command's
 * argument: each field set to 0, 1, max, max + 1, huge, negative or random;
 * reserved fields and flag bits set; user pointers NULL, kernel, inaccessible,
 * read-only, misaligned or straddling an inaccessible page.  mmap gets random
 * offsets, lengths, protections and flags.  A 5 ms interval timer without
 * SA_RESTART per thread interrupts any call that blocks.
 *
 * The kernel must survive all of it (the VM runner fails the run on any
 * oops, WARN, KASAN or lockdep report) and a channel must still work at the
 * end.  The run is reproducible from its seed.
 *
 * Environment: IPCCHAN_FUZZ_CALLS (default 20,000; 1,000,000 in the long
 * profile, IPCCHAN_LONG=1), IPCCHAN_FUZZ_SEED (default: time),
 * IPCCHAN_FUZZ_THREADS (default 4).
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

#define NFDS	6

struct fuzz {
	int fds[NFDS];
	char names[3][IPCCHAN_NAME_MAX];
	long page;
	char *ro_page;		/* PROT_READ page */
	char *hole;		/* PROT_NONE page */
	char *edge;		/* last page before a PROT_NONE guard */
	unsigned long calls_per_thread;
	unsigned long ok, fail, mapped;
	unsigned int seed;
};

static struct fuzz fz;

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64*: tiny, fast, reproducible per thread. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static uint64_t pick_u64(uint64_t *s, uint64_t max)
{
	switch (rnd(s) % 9) {
	case 0: return 0;
	case 1: return 1;
	case 2: return max;
	case 3: return max + 1;
	case 4: return ~0ULL;
	case 5: return 1ULL << 63;
	case 6: return (uint64_t)-1 >> 1;
	case 7: return rnd(s) % (max + 2);
	default: return rnd(s);
	}
}

static uint64_t pick_ptr(uint64_t *s, void *good, size_t good_len)
{
	switch (rnd(s) % 10) {
	case 0: return 0;
	case 1: return 0xffff888000000000ULL;		/* kernel direct map */
	case 2: return 0xffffffff81000000ULL;		/* kernel text */
	case 3: return (uintptr_t)fz.hole;
	case 4: return (uintptr_t)fz.ro_page;
	case 5: return (uintptr_t)good + 1;		/* misaligned */
	case 6: return (uintptr_t)fz.edge + fz.page - (rnd(s) % 64);
	case 7: return rnd(s);
	default: return good_len ? (uintptr_t)good : 0;
	}
}

static void mutate_name(uint64_t *s, char *name)
{
	size_t i;

	switch (rnd(s) % 6) {
	case 0:
		memset(name, 'a', IPCCHAN_NAME_MAX);	/* no NUL */
		break;
	case 1:
		name[0] = 0;
		break;
	case 2:
		for (i = 0; i < IPCCHAN_NAME_MAX; i++)
			name[i] = (char)rnd(s);
		break;
	case 3:
		snprintf(name, IPCCHAN_NAME_MAX, "%s", fz.names[rnd(s) % 3]);
		break;
	default:
		snprintf(name, IPCCHAN_NAME_MAX, "fz.%u", (unsigned int)(rnd(s) % 8));
		break;
	}
}

/* A valid-looking message entry, then mutate some fields. */
static void fill_msg(uint64_t *s, struct ipcchan_msg *m, char *buf, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->buf = (uintptr_t)buf;
	m->len = rnd(s) % len;
	m->prio = rnd(s) % (IPCCHAN_PRIO_MAX + 1);
	m->flags = IPCCHAN_NONBLOCK;
	if (rnd(s) % 3 == 0) {
		m->flags = IPCCHAN_TIMEOUT;
		m->timeout_ns = rnd(s) % 2000000;
	}
	switch (rnd(s) % 12) {
	case 0: m->buf = pick_ptr(s, buf, len); break;
	case 1: m->len = (uint32_t)pick_u64(s, 1 << 22); break;
	case 2: m->prio = (uint32_t)pick_u64(s, IPCCHAN_PRIO_MAX); break;
	case 3: m->flags = (uint32_t)pick_u64(s, 3); break;
	case 4: m->timeout_ns = (int64_t)pick_u64(s, 1000000); break;
	case 5: m->reserved0 = (uint32_t)rnd(s) | 1; break;
	case 6: m->reserved[rnd(s) % 2] = rnd(s) | 1; break;
	case 7: m->pid = (uint32_t)rnd(s); m->seq = rnd(s); m->uid = 7; break;
	default: break;
	}
}

/* One fuzzed call: its argument, and the buffer messages point into. */
struct fuzz_call {
	union {
		struct ipcchan_attach at;
		struct ipcchan_msg m;
		struct ipcchan_batch b;
		struct ipcchan_info in;
		struct ipcchan_modinfo mi;
		struct ipcchan_unlink un;
		struct ipcchan_ring_wait rw;
		struct ipcchan_ring_notify rn;
		char raw[512];
	} a;
	struct ipcchan_msg msgs[9];	/* 8 used; msgs + 1 (misaligned) fits */
	void *arg;			/* what the ioctl gets: &a or a bad one */
	char *buf;
	size_t buflen;
};

static unsigned long fuzz_attach(uint64_t *s, struct fuzz_call *c)
{
	struct ipcchan_attach *at = &c->a.at;

	mutate_name(s, at->name);
	at->flags = (uint32_t)(rnd(s) % 4);
	at->access = 1 + rnd(s) % 3;
	at->mode = rnd(s) % 01000;
	at->max_msgs = rnd(s) % 16;
	at->max_msg_size = rnd(s) % 8192;
	at->ring_pages = 1U << (rnd(s) % 3);
	switch (rnd(s) % 8) {
	case 0: at->flags = (uint32_t)pick_u64(s, 3); break;
	case 1: at->access = (uint32_t)pick_u64(s, 3); break;
	case 2: at->mode = (uint32_t)pick_u64(s, 0777); break;
	case 3: at->max_msgs = (uint32_t)pick_u64(s, 65536); break;
	case 4: at->max_msg_size = (uint32_t)pick_u64(s, 4 << 20); break;
	case 5: at->ring_pages = (uint32_t)pick_u64(s, 1024); break;
	case 6: at->reserved[rnd(s) % 2] = rnd(s) | 1; break;
	default: at->reserved0 = 1; break;
	}
	return IPCCHAN_IOC_ATTACH;
}

static unsigned long fuzz_send(uint64_t *s, struct fuzz_call *c)
{
	fill_msg(s, &c->a.m, c->buf, c->buflen);
	return IPCCHAN_IOC_SEND;
}

static unsigned long fuzz_recv(uint64_t *s, struct fuzz_call *c)
{
	fill_msg(s, &c->a.m, c->buf, c->buflen);
	return IPCCHAN_IOC_RECV;
}

static unsigned long fuzz_batch(uint64_t *s, struct fuzz_call *c)
{
	struct ipcchan_batch *b = &c->a.b;
	unsigned int i, n = 1 + rnd(s) % 8;

	for (i = 0; i < n; i++) {
		fill_msg(s, &c->msgs[i], c->buf, c->buflen);
		c->msgs[i].flags = 0;
		c->msgs[i].timeout_ns = 0;
		if (rnd(s) % 16 == 0)
			c->msgs[i].flags = 1;
	}
	b->msgs = (uintptr_t)c->msgs;
	b->count = n;
	b->flags = IPCCHAN_NONBLOCK;
	switch (rnd(s) % 6) {
	case 0: b->msgs = pick_ptr(s, c->msgs, sizeof(c->msgs)); break;
	case 1: b->count = (uint32_t)pick_u64(s, IPCCHAN_BATCH_MAX); break;
	case 2: b->flags = (uint32_t)pick_u64(s, 3);
		b->timeout_ns = rnd(s) % 1000000; break;
	case 3: b->reserved[rnd(s) % 2] = 1; break;
	default: break;
	}
	/* Never point the kernel at more entries than we own. */
	if (b->msgs == (uintptr_t)c->msgs && b->count > n &&
	    b->count <= IPCCHAN_BATCH_MAX)
		b->count = n;
	return rnd(s) % 2 ? IPCCHAN_IOC_SEND_BATCH : IPCCHAN_IOC_RECV_BATCH;
}

static unsigned long fuzz_info(uint64_t *s, struct fuzz_call *c)
{
	unsigned long cmd = rnd(s) % 2 ? IPCCHAN_IOC_INFO : IPCCHAN_IOC_MODINFO;

	if (rnd(s) % 3 == 0)
		c->arg = (void *)(uintptr_t)pick_ptr(s, &c->a, sizeof(c->a));
	return cmd;
}

static unsigned long fuzz_unlink(uint64_t *s, struct fuzz_call *c)
{
	struct ipcchan_unlink *un = &c->a.un;

	mutate_name(s, un->name);
	/* Unlink only fuzzer-made names, never the shared ones. */
	if (strncmp(un->name, "fz.", 3) && rnd(s) % 4)
		snprintf(un->name, sizeof(un->name), "fz.%u",
			 (unsigned int)(rnd(s) % 8));
	if (!strncmp(un->name, "fuzz.", 5))
		un->name[0] = 'x';
	if (rnd(s) % 8 == 0)
		un->reserved[0] = 1;
	return IPCCHAN_IOC_UNLINK;
}

static unsigned long fuzz_ring_wait(uint64_t *s, struct fuzz_call *c)
{
	struct ipcchan_ring_wait *rw = &c->a.rw;

	rw->which = (uint32_t)(rnd(s) % 3 ? rnd(s) % 2 : pick_u64(s, 1));
	rw->flags = IPCCHAN_TIMEOUT;
	rw->timeout_ns = rnd(s) % 1000000;
	rw->expected = rnd(s) % 3 ? 0 : rnd(s);
	switch (rnd(s) % 5) {
	case 0: rw->flags = (uint32_t)pick_u64(s, 3); break;
	case 1: rw->timeout_ns = (int64_t)pick_u64(s, 1000000); break;
	case 2: rw->reserved[rnd(s) % 2] = 1; break;
	default: break;
	}
	return IPCCHAN_IOC_RING_WAIT;
}

static unsigned long fuzz_ring_notify(uint64_t *s, struct fuzz_call *c)
{
	c->a.rn.which = (uint32_t)pick_u64(s, 1);
	if (rnd(s) % 6 == 0)
		c->a.rn.reserved0 = 1;
	return IPCCHAN_IOC_RING_NOTIFY;
}

/* Random command numbers: inside the magic, any size/dir, or anything. */
static unsigned long fuzz_raw_cmd(uint64_t *s, struct fuzz_call *c)
{
	unsigned int dir = rnd(s) % 4, nr = rnd(s) % 256, i;
	unsigned int size = rnd(s) % 2 ? rnd(s) % 512 : sizeof(c->a.m);
	unsigned long cmd = _IOC(dir, IPCCHAN_IOC_MAGIC, nr, size);

	for (i = 0; i < sizeof(c->a.raw); i++)
		c->a.raw[i] = (char)rnd(s);
	if (rnd(s) % 2)
		cmd = (unsigned long)rnd(s);
	/* Keep random bytes from asking for an endless wait. */
	c->a.m.flags = IPCCHAN_NONBLOCK;
	c->a.rw.flags = IPCCHAN_TIMEOUT;
	c->a.rw.timeout_ns = 1000;
	c->a.b.flags = IPCCHAN_NONBLOCK;
	return cmd;
}

/* mmap with random geometry and protections; 0 or -1. */
static long fuzz_mmap(uint64_t *s, int fd, struct fuzz_call *c)
{
	size_t len = (1 + rnd(s) % 12) * fz.page;
	off_t off = (off_t)(rnd(s) % 12) * fz.page;
	int prot = (int)(rnd(s) % 8), flags;
	char *p;

	(void)c;
	flags = rnd(s) % 4 ? MAP_SHARED : MAP_PRIVATE;
	if (rnd(s) % 8 == 0)
		len = rnd(s) % (64 * fz.page);
	p = mmap(NULL, len, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return -1;
	__atomic_fetch_add(&fz.mapped, 1, __ATOMIC_RELAXED);
	if ((prot & PROT_READ) && len >= 8)
		(void)*(volatile char *)p;
	if ((prot & PROT_WRITE) && len > 200 && rnd(s) % 4 == 0)
		memset(p + 128, (int)rnd(s), 64);	/* cons.* */
	if (rnd(s) % 4 == 0)
		mprotect(p, len, PROT_READ | PROT_EXEC);
	if (rnd(s) % 4 == 0)
		mremap(p, len, len * 2, MREMAP_MAYMOVE);
	munmap(p, len);
	return 0;
}

/* read/write/poll with random buffers and sizes. */
static long fuzz_rw(uint64_t *s, int fd, struct fuzz_call *c)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	void *ptr;

	switch (rnd(s) % 3) {
	case 0:
		ptr = (void *)(uintptr_t)pick_ptr(s, c->buf, c->buflen);
		return read(fd, ptr, rnd(s) % (c->buflen + 64));
	case 1:
		ptr = (void *)(uintptr_t)pick_ptr(s, c->buf, c->buflen);
		return write(fd, ptr, rnd(s) % (c->buflen + 64));
	default:
		return poll(&p, 1, 0);
	}
}

/*
 * The fuzzers, by weight (one row each out of 16): an ioctl fuzzer fills
 * in the argument and returns the command, a call fuzzer makes a call of
 * its own and returns its result.
 */
static const struct fuzzer {
	unsigned long (*ioctl)(uint64_t *s, struct fuzz_call *c);
	long (*call)(uint64_t *s, int fd, struct fuzz_call *c);
} fuzzers[16] = {
	{ .ioctl = fuzz_attach },
	{ .ioctl = fuzz_send },
	{ .ioctl = fuzz_send },
	{ .ioctl = fuzz_send },
	{ .ioctl = fuzz_recv },
	{ .ioctl = fuzz_recv },
	{ .ioctl = fuzz_recv },
	{ .ioctl = fuzz_batch },
	{ .ioctl = fuzz_batch },
	{ .ioctl = fuzz_info },
	{ .ioctl = fuzz_unlink },
	{ .ioctl = fuzz_ring_wait },
	{ .ioctl = fuzz_ring_notify },
	{ .ioctl = fuzz_raw_cmd },
	{ .call = fuzz_mmap },
	{ .call = fuzz_rw },
};

static void fuzz_one(uint64_t *s, int fd, char *buf, size_t buflen)
{
	const struct fuzzer *f;
	struct fuzz_call c;
	unsigned long cmd;
	long ret;

	memset(&c.a, 0, sizeof(c.a));
	c.arg = &c.a;
	c.buf = buf;
	c.buflen = buflen;
	f = &fuzzers[rnd(s) % 16];
	if (f->call) {
		ret = f->call(s, fd, &c);
	} else {
		cmd = f->ioctl(s, &c);
		if (rnd(s) % 16 == 0)
			c.arg = (void *)(uintptr_t)pick_ptr(s, &c.a,
							    sizeof(c.a));
		ret = ioctl(fd, cmd, c.arg);
	}
	if (ret >= 0)
		__atomic_fetch_add(&fz.ok, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&fz.fail, 1, __ATOMIC_RELAXED);
}

/*
 * A process-wide SIGALRM reaches only one thread; each thread gets its own
 * 5 ms timer so that whichever thread blocks is interrupted.
 */
static int thread_timer(timer_t *timer)
{
	struct sigevent sev = { 0 };
	struct itimerspec its = { { 0, 5000000 }, { 0, 5000000 } };

	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, timer))
		return -1;
	return timer_settime(*timer, 0, &its, NULL);
}

/*
 * Each thread's good buffer is followed by an inaccessible guard larger
 * than any message (max_msg_size_limit is 4 MiB): the fuzzer passes that
 * buffer with random lengths, and a RECV or read() that delivers a long
 * message into it must hit the guard (EFAULT) rather than the fuzzer's
 * own memory.
 */
#define FUZZ_BUF	16384UL
#define FUZZ_GUARD	(8UL << 20)

static void *fuzz_thread(void *p)
{
	uint64_t s = (uintptr_t)p * 0x9E3779B97F4A7C15ULL + fz.seed + 1;
	unsigned long i;
	timer_t timer;
	char *buf;

	buf = mmap(NULL, FUZZ_BUF + FUZZ_GUARD, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED ||
	    mprotect(buf, FUZZ_BUF, PROT_READ | PROT_WRITE))
		return (void *)1;
	if (thread_timer(&timer))
		return (void *)1;

	for (i = 0; i < fz.calls_per_thread; i++) {
		int fd = fz.fds[rnd(&s) % NFDS];

		fuzz_one(&s, fd, buf, FUZZ_BUF);
	}
	timer_delete(timer);
	munmap(buf, FUZZ_BUF + FUZZ_GUARD);
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int attach_fd(const char *name, __u32 flags, __u32 access,
		     __u32 ring_pages)
{
	int fd = ipcchan_test_attach_sz(name, flags, access, 0600, 32, 8192,
					ring_pages);

	if (fd >= 0 && fcntl(fd, F_SETFL, O_NONBLOCK)) {
		close(fd);
		return -errno;
	}
	return fd;
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* Calls, threads and seed from the environment; returns the threads. */
static unsigned long fuzz_config(struct __test_metadata *_metadata)
{
	unsigned long calls, threads = 4;
	const char *env;

	calls = ipcchan_count("IPCCHAN_FUZZ_CALLS", 20000, 1000000);
	env = getenv("IPCCHAN_FUZZ_THREADS");
	if (env)
		threads = strtoul(env, NULL, 0);
	if (threads < 1 || threads > 16)
		threads = 4;
	env = getenv("IPCCHAN_FUZZ_SEED");
	fz.seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	fz.calls_per_thread = calls / threads;
	fz.page = sysconf(_SC_PAGESIZE);
	TH_LOG("seed %u, %lu calls, %lu threads (IPCCHAN_FUZZ_SEED=%u reproduces)",
	       fz.seed, calls, threads, fz.seed);
	return threads;
}

/*
 * Pages: read-only, inaccessible, and a writable one right before an
 * inaccessible guard as long as the thread buffers' guards.  The
 * inaccessible pages are PROT_NONE reservations, not holes: another
 * thread's mmap() of a ring page lands in the highest free gap, so a
 * munmap()ed page next to the edge was soon a ring mapping, and a long
 * RECV through the edge then wrote on into whatever lay above it (the
 * harness's shared page and the main thread's TCB).
 */
static void fuzz_pages(struct __test_metadata *_metadata)
{
	char *area = mmap(NULL, 3 * fz.page + FUZZ_GUARD, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, area);
	fz.ro_page = area;
	ASSERT_EQ(0, mprotect(fz.ro_page, fz.page, PROT_READ));
	fz.hole = area + fz.page;
	fz.edge = area + 2 * fz.page;
	ASSERT_EQ(0, mprotect(fz.edge, fz.page, PROT_READ | PROT_WRITE));
}

/* The fuzzed files: unattached, with and without a ring, RECV, SEND. */
static void fuzz_open_files(struct __test_metadata *_metadata)
{
	int i;

	for (i = 0; i < 3; i++)
		snprintf(fz.names[i], sizeof(fz.names[i]), "fuzz.%d.%d",
			 (int)getpid(), i);
	fz.fds[0] = open(IPCCHAN_DEVICE, O_RDWR | O_NONBLOCK);	/* unattached */
	fz.fds[1] = attach_fd(fz.names[0], IPCCHAN_CREATE, IPCCHAN_ACCESS_RDWR, 4);
	fz.fds[2] = attach_fd(fz.names[1], IPCCHAN_CREATE, IPCCHAN_ACCESS_RDWR, 0);
	fz.fds[3] = attach_fd(fz.names[0], 0, IPCCHAN_ACCESS_RECV, 0);
	fz.fds[4] = attach_fd(fz.names[0], 0, IPCCHAN_ACCESS_SEND, 0);
	fz.fds[5] = attach_fd(fz.names[2], IPCCHAN_CREATE, IPCCHAN_ACCESS_RDWR, 1);
	for (i = 0; i < NFDS; i++) {
		int fd = fz.fds[i];

		ASSERT_LE(0, fd) TH_LOG("setup fd %d: %d", i, fd);
	}
}

/*
 * Close the files and unlink the channels.  A random command number that
 * happens to be UNLINK's, called with another command's struct (an ATTACH
 * naming a shared channel), may have unlinked a shared name already: that
 * is the kernel doing what it was asked, so ENOENT is fine here; the
 * attached files kept the channel working, as checked before.
 */
static void fuzz_cleanup(struct __test_metadata *_metadata)
{
	struct ipcchan_unlink un;
	int fd, i, r;

	for (i = 0; i < NFDS; i++)
		close(fz.fds[i]);
	for (i = 0; i < 3; i++) {
		memset(&un, 0, sizeof(un));
		snprintf(un.name, sizeof(un.name), "%s", fz.names[i]);
		fd = open(IPCCHAN_DEVICE, O_RDWR);
		ASSERT_LE(0, fd);
		r = ioctl(fd, IPCCHAN_IOC_UNLINK, &un);
		if (r)
			TH_LOG("unlink %s: %s", un.name, strerror(errno));
		EXPECT_TRUE(r == 0 || errno == ENOENT);
		close(fd);
	}
	for (i = 0; i < 8; i++) {
		memset(&un, 0, sizeof(un));
		snprintf(un.name, sizeof(un.name), "fz.%d", i);
		fd = open(IPCCHAN_DEVICE, O_RDWR);
		ioctl(fd, IPCCHAN_IOC_UNLINK, &un);
		close(fd);
	}
}

/*
 * 20,000 calls take about a second in the TCG VM; the long profile's
 * million under KASAN (the debug lane) gets an hour.
 */
TEST_F_TIMEOUT(fuzz, ioctl_mmap_rw, 40)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	unsigned long threads, t;
	pthread_t tid[16];

	if (!ipcchan_present())
		SKIP(return, "%s absent (module not loaded)", IPCCHAN_DEVICE);
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_posix_timers(),
			       "CONFIG_POSIX_TIMERS");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_futex(), "CONFIG_FUTEX");
	threads = fuzz_config(_metadata);
	fuzz_pages(_metadata);
	fuzz_open_files(_metadata);

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	for (t = 0; t < threads; t++)
		ASSERT_EQ(0, pthread_create(&tid[t], NULL, fuzz_thread,
					    (void *)(uintptr_t)t));
	for (t = 0; t < threads; t++) {
		void *res;

		pthread_join(tid[t], &res);
		EXPECT_EQ(NULL, res) TH_LOG("thread %lu: no timer", t);
	}
	TH_LOG("%lu calls: %lu succeeded, %lu failed, %lu mappings made",
	       fz.ok + fz.fail, fz.ok, fz.fail, fz.mapped);
	EXPECT_EQ(fz.calls_per_thread * threads, fz.ok + fz.fail);

	/* files 3 and 4 receive and send on file 1's channel */
	ipcchan_check_alive(_metadata, fz.fds[1], fz.fds[4], fz.fds[3]);
	fuzz_cleanup(_metadata);
}
IPCCHAN_LONG_TIMEOUT(fuzz, ioctl_mmap_rw, 3600)

IPCCHAN_HARNESS_MAIN(NULL)
