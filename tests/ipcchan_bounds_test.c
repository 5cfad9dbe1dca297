// SPDX-License-Identifier: GPL-2.0
/*
 * Bounds a hostile local user cannot break: the memory a channel holds
 * stays within what its creator is charged, whatever senders do (blocked,
 * batched, smallest or largest messages); batch errors leave a count a
 * retry can trust; hang-ups reach epoll; readv/writev move one message;
 * INFO is one instant.
 */
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

#define MIB	(1024 * 1024LL)

/*
 * Memory is measured the way the kernel charges it: the module allocates
 * with GFP_KERNEL_ACCOUNT, so whatever it holds for a sender is charged to
 * the sender's memory cgroup.  The test moves itself into a cgroup of its
 * own and reads memory.current: exact, and blind to page caches and the
 * per-CPU free lists that make MemFree wander by megabytes.
 */
#define CG_ROOT	"/sys/fs/cgroup"

struct memcg {
	char dir[96];
	int ok;
};

/* Enter a new memory cgroup; false (with the reason logged) if none. */
static int memcg_enter(struct memcg *cg, const char *tag, char *why,
		       size_t whylen)
{
	char path[160], pid[24];
	struct stat st;

	cg->ok = 0;
	if (stat(CG_ROOT "/cgroup.controllers", &st) &&
	    mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL)) {
		snprintf(why, whylen, "no cgroup2 at " CG_ROOT ": %s",
			 strerror(errno));
		return 0;
	}
	if (ipcchan_write_file(CG_ROOT "/cgroup.subtree_control", "+memory")) {
		snprintf(why, whylen, "no memory controller (CONFIG_MEMCG)");
		return 0;
	}
	snprintf(cg->dir, sizeof(cg->dir), CG_ROOT "/ipcchan-%s-%d", tag,
		 (int)getpid());
	if (mkdir(cg->dir, 0755) && errno != EEXIST) {
		snprintf(why, whylen, "mkdir %s: %s", cg->dir, strerror(errno));
		return 0;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (ipcchan_write_file(path, pid)) {
		snprintf(why, whylen, "cannot enter %s", cg->dir);
		rmdir(cg->dir);
		return 0;
	}
	cg->ok = 1;
	return 1;
}

/* Bytes charged to the cgroup now, or -1. */
static long long memcg_current(struct memcg *cg)
{
	char path[160];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.current", cg->dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static void memcg_leave(struct memcg *cg)
{
	char pid[24];

	if (!cg->ok)
		return;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	ipcchan_write_file(CG_ROOT "/cgroup.procs", pid);
	/* Charges of freed memory may linger a moment (RCU-freed slabs). */
	for (int i = 0; i < 50 && rmdir(cg->dir) && errno == EBUSY; i++)
		usleep(100 * 1000);
	cg->ok = 0;
}

static long long reserved_now(void)
{
	struct ipcchan_modinfo mi;

	if (ipcchan_get_modinfo(&mi))
		return -1;
	return mi.reserved_bytes;
}

/*
 * How much bigger than its object size the slab allocator makes each small
 * message object (red zones and tracking of a debug kernel), or 1.
 */
static double slab_inflation(void)
{
	long long size = 0, obj = 0;
	FILE *f;

	f = fopen("/sys/kernel/slab/ipcchan_msg/slab_size", "r");
	if (f) {
		if (fscanf(f, "%lld", &size) != 1)
			size = 0;
		fclose(f);
	}
	f = fopen("/sys/kernel/slab/ipcchan_msg/object_size", "r");
	if (f) {
		if (fscanf(f, "%lld", &obj) != 1)
			obj = 0;
		fclose(f);
	}
	return size > obj && obj > 0 ? (double)size / obj : 1.0;
}

static int send_batch(int fd, struct ipcchan_msg *m, __u32 n, __u32 flags,
		      __u32 *done)
{
	struct ipcchan_batch b;
	int ret;

	memset(&b, 0, sizeof(b));
	b.msgs = (__u64)(unsigned long)m;
	b.count = n;
	b.flags = flags;
	ret = (int)ipcchan_ioctl(fd, IPCCHAN_IOC_SEND_BATCH, &b);
	if (done)
		*done = b.done;
	return ret;
}

static void fill_entries(struct ipcchan_msg *m, int n, const void *buf,
			 __u32 len)
{
	int i;

	memset(m, 0, n * sizeof(*m));
	for (i = 0; i < n; i++) {
		m[i].buf = (__u64)(unsigned long)buf;
		m[i].len = len;
	}
}

/* --- Memory held versus memory charged --------------------------------- */

/*
 * Item 1: senders waiting for a slot hold nothing.  A full channel of one
 * 1 MiB slot; four senders wait in SEND_BATCH with 16 MiB of messages each
 * and four in SEND with 1 MiB: the kernel must not hold those 68 MiB.
 */
TEST(blocked_senders_hold_no_memory)
{
	const __u32 size = 1 << 20;
	struct ipcchan_msg m[16];
	long long before, after;
	struct memcg cg;
	char why[128];
	pid_t pids[8];
	char name[64];
	char *buf;
	int fd, i;

	IPCCHAN_REQUIRE_DEV();
	ipcchan_test_name(name, sizeof(name), "blocked-mem");
	fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				    IPCCHAN_ACCESS_RDWR, 0600, 1, size, 0);
	ASSERT_LE(0, fd);
	/* One buffer, touched before fork(): the children share its pages. */
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 0x5a, size);
	fill_entries(m, 16, buf, size);
	ASSERT_EQ(0, ipcchan_test_send(fd, buf, size, 0, 0, 0, NULL));

	IPCCHAN_SKIP_UNLESS(memcg_enter(&cg, "blocked", why, sizeof(why)),
			    "%s", why);
	before = memcg_current(&cg);
	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			if (i < 4)
				_exit(send_batch(fd, m, 16, 0, NULL) < 0);
			_exit(ipcchan_test_send(fd, buf, size, 0, 0, 0, NULL));
		}
	}
	ASSERT_EQ(0, ipcchan_wait_blocked(fd, 0, 8, 20000));
	after = memcg_current(&cg);
	TH_LOG("8 blocked senders: %lld KiB charged to their cgroup (68 MiB offered)",
	       (after - before) / 1024);
	/* Eight small processes, not 68 MiB of messages. */
	EXPECT_GT(16 * MIB, after - before);

	for (i = 0; i < 8; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	memcg_leave(&cg);
	close(fd);
	ipcchan_test_unlink(name);
	munmap(buf, size);
}

/*
 * Item 2: a full queue holds no more than the channel's charge, for the
 * smallest messages (every one a slab object), the default size and the
 * largest size the module allows (0: the module's max_msg_size_limit).
 */
FIXTURE(charge) {
	int fd;
	char name[64];
};

FIXTURE_VARIANT(charge) {
	__u32 max_msgs;
	__u32 max_msg_size;
	__u32 len;
};

FIXTURE_VARIANT_ADD(charge, empty_messages) {
	.max_msgs = 65536, .max_msg_size = 1, .len = 0,
};

FIXTURE_VARIANT_ADD(charge, default_size) {
	.max_msgs = 1024, .max_msg_size = 8192, .len = 8192,
};

FIXTURE_VARIANT_ADD(charge, largest_size) {
	.max_msgs = 8, .max_msg_size = 0, .len = 0,
};

FIXTURE_SETUP(charge)
{
	self->fd = -1;
	IPCCHAN_REQUIRE_DEV();
	ipcchan_test_name(self->name, sizeof(self->name), "charge");
}

FIXTURE_TEARDOWN(charge)
{
	if (self->fd >= 0) {
		close(self->fd);
		ipcchan_test_unlink(self->name);
	}
}

TEST_F(charge, full_queue_within_charge)
{
	__u32 size = variant->max_msg_size, len = variant->len, done, sent = 0;
	long long res0, charge, before, held, slack;
	struct ipcchan_modinfo mi;
	struct memcg cg;
	char why[128];
	struct ipcchan_msg *m;
	double inflate = 1.0;
	char *buf;
	int ret;

	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	if (!size)
		size = len = mi.max_msg_size_limit;
	buf = malloc(len + 1);
	ASSERT_NE(NULL, buf);
	memset(buf, 0x3c, len + 1);
	m = calloc(1024, sizeof(*m));
	ASSERT_NE(NULL, m);
	fill_entries(m, 1024, buf, len);

	IPCCHAN_SKIP_UNLESS(memcg_enter(&cg, "charge", why, sizeof(why)),
			    "%s", why);
	before = memcg_current(&cg);
	res0 = reserved_now();
	self->fd = ipcchan_test_attach_sz(self->name,
					  IPCCHAN_CREATE | IPCCHAN_EXCL,
					  IPCCHAN_ACCESS_RDWR, 0600,
					  variant->max_msgs, size, 0);
	ASSERT_LE(0, self->fd);
	charge = reserved_now() - res0;
	while (sent < variant->max_msgs) {
		ret = send_batch(self->fd, m, 1024, IPCCHAN_NONBLOCK, &done);
		if (ret == -EAGAIN)
			break;
		ASSERT_LT(0, ret);
		sent += ret;
	}
	ASSERT_EQ(variant->max_msgs, sent);
	held = memcg_current(&cg) - before;
	if (len <= 256)
		inflate = slab_inflation();
	/* Allocator bookkeeping (slab alignment, memcg charge batches). */
	slack = charge / 50 + MIB;
	TH_LOG("%u messages of %u bytes: %lld KiB held, %lld KiB charged (slab x%.2f)",
	       sent, len, held / 1024, charge / 1024, inflate);
	EXPECT_GE((long long)(charge * inflate) + slack, held);
	close(self->fd);
	self->fd = -1;
	ipcchan_test_unlink(self->name);
	memcg_leave(&cg);
	free(m);
	free(buf);
}

/* --- Batch errors -------------------------------------------------------- */

FIXTURE(chan) {
	int fd;
	char name[64];
};

FIXTURE_SETUP(chan)
{
	self->fd = -1;
	IPCCHAN_REQUIRE_DEV();
	ipcchan_test_name(self->name, sizeof(self->name), "bounds");
	self->fd = ipcchan_test_attach_sz(self->name,
					  IPCCHAN_CREATE | IPCCHAN_EXCL,
					  IPCCHAN_ACCESS_RDWR, 0600, 256, 64, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(chan)
{
	if (self->fd >= 0) {
		close(self->fd);
		ipcchan_test_unlink(self->name);
	}
}

static __u64 sent_count(int fd)
{
	struct ipcchan_info in;

	return ipcchan_test_info(fd, &in) ? ~0ULL : in.sent;
}

/* A bad entry anywhere fails the whole batch before anything is sent. */
TEST_F(chan, send_batch_bad_later_entry_sends_nothing)
{
	struct ipcchan_msg m[40];
	char buf[100] = "x";
	__u32 done = 77;

	fill_entries(m, 40, buf, 8);
	m[37].prio = IPCCHAN_PRIO_MAX + 1;
	EXPECT_EQ(-EINVAL, send_batch(self->fd, m, 40, 0, &done));
	m[37].prio = 0;
	m[38].len = 65;
	EXPECT_EQ(-EMSGSIZE, send_batch(self->fd, m, 40, 0, &done));
	EXPECT_EQ(0, sent_count(self->fd));
	m[38].len = 64;
	EXPECT_EQ(40, send_batch(self->fd, m, 40, 0, &done));
	EXPECT_EQ(40, done);
}

/*
 * Entries that cannot be written back stop the batch before their
 * messages are sent: the return value and done count exactly the
 * messages sent, so a retry from there duplicates nothing.
 */
TEST_F(chan, send_batch_stops_at_unwritable_entries)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct ipcchan_msg *m;
	char buf[8] = "payload";
	__u32 done = 0;
	char *area;

	area = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	/* The first 16 entries end the writable page, 32 more are read-only. */
	m = (struct ipcchan_msg *)(area + pg) - 16;
	fill_entries(m, 48, buf, sizeof(buf));
	ASSERT_EQ(0, mprotect(area + pg, pg, PROT_READ));

	EXPECT_EQ(16, send_batch(self->fd, m, 48, 0, &done));
	EXPECT_EQ(16, done);
	EXPECT_EQ(16, sent_count(self->fd));
	EXPECT_EQ(1, m[0].seq);
	EXPECT_EQ(16, m[15].seq);
	EXPECT_EQ(0, m[16].seq);
	munmap(area, 2 * pg);
}

/* A call's own TIMEOUT is kept on an O_NONBLOCK file; no flag: EAGAIN. */
TEST_F(chan, timeout_flag_overrides_o_nonblock)
{
	int flags = fcntl(self->fd, F_GETFL);
	long long t0, ms;
	char buf[64];

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, flags | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, ipcchan_test_recv(self->fd, buf, sizeof(buf), 0, 0,
					     NULL));
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_test_recv(self->fd, buf, sizeof(buf),
						IPCCHAN_TIMEOUT, 50000000,
						NULL));
	ms = (ipcchan_now_ns() - t0) / 1000000;
	EXPECT_LE(50, ms);
}

/* --- read/write family ---------------------------------------------------- */

TEST_F(chan, writev_sends_one_message)
{
	struct iovec iov[3] = {
		{ "abc", 3 }, { "", 0 }, { "defgh", 5 },
	};
	struct ipcchan_msg out;
	char buf[64];

	EXPECT_EQ(8, writev(self->fd, iov, 3));
	EXPECT_EQ(1, sent_count(self->fd));
	ASSERT_EQ(0, ipcchan_test_recv(self->fd, buf, sizeof(buf),
				       IPCCHAN_NONBLOCK, 0, &out));
	EXPECT_EQ(8, out.len);
	EXPECT_EQ(0, memcmp(buf, "abcdefgh", 8));
}

TEST_F(chan, readv_receives_one_message)
{
	char a[3] = {}, b[10] = {};
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };

	ASSERT_EQ(0, ipcchan_test_send(self->fd, "0123456", 7, 0, 0, 0, NULL));
	ASSERT_EQ(0, ipcchan_test_send(self->fd, "second", 6, 0, 0, 0, NULL));
	EXPECT_EQ(7, readv(self->fd, iov, 2));
	EXPECT_EQ(0, memcmp(a, "012", 3));
	EXPECT_EQ(0, memcmp(b, "3456", 4));
	/* Too small for the next: EMSGSIZE, and it stays queued. */
	iov[1].iov_len = 2;
	EXPECT_EQ(-1, readv(self->fd, iov, 2));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(6, read(self->fd, b, sizeof(b)));
}

TEST_F(chan, write_of_zero_bytes_sends_empty_message)
{
	struct ipcchan_msg out;
	char buf[8];

	EXPECT_EQ(0, write(self->fd, buf, 0));
	ASSERT_EQ(0, ipcchan_test_recv(self->fd, buf, sizeof(buf),
				       IPCCHAN_NONBLOCK, 0, &out));
	EXPECT_EQ(0, out.len);
}

/* --- INFO is one instant ---------------------------------------------------- */

struct churn {
	int fd;
	volatile int stop;
};

static void *churn(void *arg)
{
	struct churn *c = arg;
	struct ipcchan_msg m[8];
	char buf[64] = "churn";
	int i = 0;

	fill_entries(m, 8, buf, 48);
	while (!c->stop) {
		if (i++ & 1) {
			send_batch(c->fd, m, 8, IPCCHAN_NONBLOCK, NULL);
		} else {
			struct ipcchan_batch b = {
				.msgs = (__u64)(unsigned long)m, .count = 8,
				.flags = IPCCHAN_NONBLOCK,
			};

			fill_entries(m, 8, buf, sizeof(buf));
			ipcchan_ioctl(c->fd, IPCCHAN_IOC_RECV_BATCH, &b);
			fill_entries(m, 8, buf, 48);
		}
	}
	return NULL;
}

TEST_F(chan, info_is_consistent_under_load)
{
	struct churn c[2] = { { self->fd, 0 }, { self->fd, 0 } };
	pthread_t t[2];
	struct ipcchan_info in;
	int i, bad = 0;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn, &c[i]));
	for (i = 0; i < 4000; i++) {
		ASSERT_EQ(0, ipcchan_test_info(self->fd, &in));
		if (in.cur_msgs != in.sent - in.received ||
		    in.cur_bytes != in.cur_msgs * 48)
			bad++;
	}
	for (i = 0; i < 2; i++) {
		c[i].stop = 1;
		pthread_join(t[i], NULL);
	}
	TH_LOG("%d of 4000 INFO reads inconsistent (%llu sent)", bad,
	       (unsigned long long)in.sent);
	EXPECT_LT(1000, in.sent);
	EXPECT_EQ(0, bad);
}

/* --- EPOLLHUP reaches epoll after the last message in flight ------------- */

struct uffd_recv {
	int fd;
	char *buf;
	int ret;
};

static void *recv_into(void *arg)
{
	struct uffd_recv *r = arg;

	r->ret = ipcchan_test_recv(r->fd, r->buf, 4096, 0, 0, NULL);
	return NULL;
}

/*
 * The last message is in flight (its receiver's buffer faults into a
 * userfaultfd) when the channel is unlinked; an epoll waiter interested in
 * EPOLLIN only must get EPOLLHUP once that message is delivered.
 */
TEST(epollhup_after_last_message_in_flight)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {};
	struct uffdio_zeropage zp = {};
	struct epoll_event ev = { .events = EPOLLIN };
	struct uffd_recv r = {};
	struct uffd_msg msg;
	char name[64], payload[4096];
	pthread_t t;
	int uffd, ep, n;

	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_epoll(), "CONFIG_EPOLL");
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	IPCCHAN_SKIP_UNLESS(uffd >= 0, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));

	ipcchan_test_name(name, sizeof(name), "hup");
	r.fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				      IPCCHAN_ACCESS_RDWR, 0600, 4, 8192, 0);
	ASSERT_LE(0, r.fd);
	memset(payload, 0x77, sizeof(payload));
	ASSERT_EQ(0, ipcchan_test_send(r.fd, payload, 4096, 0, 0, 0, NULL));

	r.buf = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r.buf);
	reg.range.start = (unsigned long)r.buf;
	reg.range.len = pg;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	ASSERT_EQ(0, pthread_create(&t, NULL, recv_into, &r));
	/* The receiver's copy-out faulted: the message is in flight. */
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	ASSERT_EQ(0, ipcchan_test_unlink(name));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, r.fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	zp.range.start = (unsigned long)r.buf;
	zp.range.len = pg;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zp));
	pthread_join(t, NULL);
	EXPECT_EQ(0, r.ret);

	n = epoll_wait(ep, &ev, 1, 3000);
	EXPECT_EQ(1, n);
	if (n == 1)
		EXPECT_EQ(EPOLLHUP, ev.events & (EPOLLHUP | EPOLLIN));
	close(ep);
	close(r.fd);
	close(uffd);
	munmap(r.buf, pg);
}

IPCCHAN_HARNESS_MAIN(NULL)
