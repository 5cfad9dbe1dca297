// SPDX-License-Identifier: GPL-2.0
/*
 * Who may use a channel's ring, by the access bits of the attached file
 * (see "Access" in the ring section of <linux/ipcchan.h>):
 *
 *	access	mmap PROT_READ	PROT_WRITE	mprotect(+W)	RING_WAIT  NOTIFY	poll
 *	RDWR	yes		yes		yes		yes	   yes		ring events
 *	RECV	yes		EACCES		EACCES		yes	   EBADF	ring events
 *	SEND	EACCES		EACCES		-		EBADF	   EBADF	none
 *
 * Root creates a 0666 channel with a ring; a child switches to another uid
 * (nobody, 65534), attaches with each access, tries every operation and
 * reports what happened through a shared page; root checks it, and that
 * nothing the child was refused reached the ring.
 *
 * Skips when /dev/ipcchan is absent or when not run as root.
 */
#include <grp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_ring.h"

#define UID_OTHER	65534	/* nobody */
#define GID_OTHER	65534
#define RING_PAGES	2
#define SEC		1000000000LL

#define RECV	IPCCHAN_ACCESS_RECV
#define SEND	IPCCHAN_ACCESS_SEND
#define RDWR	IPCCHAN_ACCESS_RDWR

/* Values root leaves in the header before the child runs. */
#define ROOT_PROD	0x88ULL		/* a record is waiting ... */
#define ROOT_CONS	0x80ULL		/* ... and half the ring is free */

/* Markers the child stores; root checks where they landed. */
#define MARK_UPGRADED	0xa1	/* through the mprotect()-upgraded mapping */
#define MARK_RW		0xb2	/* through the PROT_WRITE mapping */
#define MARK_RO		0xc3	/* through the read-only mapping: must fault */

#define NOT_RUN		(-1000)

/* What the child saw: 0 for success, else a positive errno. */
struct outcome {
	int identity;		/* 0: runs as UID_OTHER */
	int attach;
	int map_ro;
	__u64 ro_prod;		/* prod.pos read through the PROT_READ map */
	int ro_store_faulted;	/* 1: a store to the PROT_READ map faulted */
	int upgrade;		/* mprotect(PROT_READ | PROT_WRITE) */
	int map_rw;
	int wait_prod;		/* RING_WAIT returns at once (pos differs) */
	int wait_cons;
	int notify_prod;
	int notify_cons;
	int revents;		/* poll(POLLIN | POLLWRBAND), queue empty */
};

static sigjmp_buf fault_env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(fault_env, 1);
}

/* Store @v at @p; 1 if the store faulted (SIGSEGV), else 0. */
static int store_faults(unsigned char *p, unsigned char v)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;
	int faulted = 0;

	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(fault_env, 1))
		faulted = 1;
	else
		__atomic_store_n(p, v, __ATOMIC_RELAXED);
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

static int err_of(long ret)
{
	return ret < 0 ? (int)-ret : 0;
}

static int become_other(void)
{
	if (setgroups(0, NULL) || setresgid(GID_OTHER, GID_OTHER, GID_OTHER) ||
	    setresuid(UID_OTHER, UID_OTHER, UID_OTHER))
		return -1;
	return getuid() == UID_OTHER && geteuid() == UID_OTHER ? 0 : -1;
}

/* The child: every ring operation on a file attached with @access. */
static void try_all(struct outcome *o, const char *name, __u32 access,
		    const struct ipcchan_info *info)
{
	size_t len = info->ring_map_size;
	struct pollfd pfd;
	unsigned char *p;
	int fd;

	o->identity = become_other() ? EPERM : 0;
	if (o->identity)
		return;
	fd = ipcchan_test_attach(name, 0, access, 0);
	o->attach = err_of(fd);
	if (fd < 0)
		return;

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	o->map_ro = p == MAP_FAILED ? errno : 0;
	if (p != MAP_FAILED) {
		o->ro_prod = __atomic_load_n(&((struct ipcchan_ring_hdr *)p)->prod.pos,
					     __ATOMIC_ACQUIRE);
		o->ro_store_faulted = store_faults(p + info->ring_data_offset,
						   MARK_RO);
		o->upgrade = mprotect(p, len, PROT_READ | PROT_WRITE) ? errno : 0;
		if (!o->upgrade)
			p[info->ring_data_offset + 1] = MARK_UPGRADED;
		munmap(p, len);
	}

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	o->map_rw = p == MAP_FAILED ? errno : 0;
	if (p != MAP_FAILED) {
		p[info->ring_data_offset + 2] = MARK_RW;
		munmap(p, len);
	}

	/* Expected values that differ from the positions: no sleep. */
	o->wait_prod = err_of(ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_PROD,
						    ROOT_PROD + 8,
						    IPCCHAN_TIMEOUT, SEC));
	o->wait_cons = err_of(ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_CONS,
						    ROOT_CONS + 8,
						    IPCCHAN_TIMEOUT, SEC));
	o->notify_prod = err_of(ipcchan_ring_notify_ioc(fd, IPCCHAN_RING_PROD));
	o->notify_cons = err_of(ipcchan_ring_notify_ioc(fd, IPCCHAN_RING_CONS));

	pfd.fd = fd;
	pfd.events = POLLIN | POLLWRBAND;
	pfd.revents = 0;
	o->revents = poll(&pfd, 1, 0) < 0 ? -errno : pfd.revents;
	close(fd);
}

FIXTURE(rperm) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
	struct ipcchan_info info;
	unsigned char *map;
	struct outcome *out;	/* shared with the child */
};

FIXTURE_VARIANT(rperm) {
	__u32 access;
	int map_ro, upgrade, map_rw;	/* 0 or the errno */
	int wait, notify;
	int revents;
};

FIXTURE_VARIANT_ADD(rperm, rdwr) {
	.access = RDWR,
	.revents = POLLIN | POLLWRBAND,
};

/* A monitor: reads the ring, waits on it, writes and announces nothing. */
FIXTURE_VARIANT_ADD(rperm, recv) {
	.access = RECV,
	.upgrade = EACCES,
	.map_rw = EACCES,
	.notify = EBADF,
	.revents = POLLIN | POLLWRBAND,
};

FIXTURE_VARIANT_ADD(rperm, send) {
	.access = SEND,
	.map_ro = EACCES,
	.upgrade = NOT_RUN,
	.map_rw = EACCES,
	.wait = EBADF,
	.notify = EBADF,
	.revents = 0,
};

FIXTURE_SETUP(rperm)
{
	struct ipcchan_ring_hdr *h;
	void *p;

	self->fd = -1;
	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(geteuid() == 0, "ring permission tests need root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_multiuser(), "CONFIG_MULTIUSER");
	ipcchan_test_name(self->name, sizeof(self->name), "rperm");
	self->fd = ipcchan_test_attach_sz(self->name,
					  IPCCHAN_CREATE | IPCCHAN_EXCL, RDWR,
					  0666, 0, 0, RING_PAGES);
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(-self->fd));
	ASSERT_EQ(0, ipcchan_test_info(self->fd, &self->info));
	p = mmap(NULL, self->info.ring_map_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	self->map = p;
	h = p;
	h->prod.pos = ROOT_PROD;
	h->cons.pos = ROOT_CONS;
	p = mmap(NULL, sizeof(*self->out), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	self->out = p;
}

FIXTURE_TEARDOWN(rperm)
{
	if (self->out)
		munmap(self->out, sizeof(*self->out));
	if (self->map)
		munmap(self->map, self->info.ring_map_size);
	if (self->fd >= 0)
		close(self->fd);
	ipcchan_test_unlink(self->name);
}

/* Run try_all() as UID_OTHER in a child; 0 when it finished. */
static int run_child(FIXTURE_DATA(rperm) *self, __u32 access)
{
	struct outcome *o = self->out;
	pid_t pid;
	int st;

	*o = (struct outcome){
		.map_ro = NOT_RUN, .upgrade = NOT_RUN, .map_rw = NOT_RUN,
		.wait_prod = NOT_RUN, .wait_cons = NOT_RUN,
		.notify_prod = NOT_RUN, .notify_cons = NOT_RUN,
		.revents = NOT_RUN,
	};
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		try_all(o, self->name, access, &self->info);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return 0;
}

TEST_F(rperm, map_wait_notify_poll)
{
	struct outcome *o = self->out;
	unsigned char *data = self->map + self->info.ring_data_offset;
	struct ipcchan_ring_hdr *h = (void *)self->map;

	ASSERT_EQ(0, run_child(self, variant->access));
	ASSERT_EQ(0, o->identity) TH_LOG("could not become uid %d", UID_OTHER);
	ASSERT_EQ(0, o->attach) TH_LOG("attach: %s", strerror(o->attach));

	EXPECT_EQ(variant->map_ro, o->map_ro)
		TH_LOG("mmap(PROT_READ): %s", strerror(o->map_ro));
	if (!variant->map_ro) {
		/* the monitor sees the live header, and cannot write it */
		EXPECT_EQ(ROOT_PROD, o->ro_prod);
		EXPECT_EQ(1, o->ro_store_faulted);
	}
	EXPECT_EQ(variant->upgrade, o->upgrade)
		TH_LOG("mprotect(PROT_READ | PROT_WRITE): %s",
		       strerror(o->upgrade));
	EXPECT_EQ(variant->map_rw, o->map_rw)
		TH_LOG("mmap(PROT_READ | PROT_WRITE): %s", strerror(o->map_rw));
	EXPECT_EQ(variant->wait, o->wait_prod)
		TH_LOG("RING_WAIT(PROD): %s", strerror(o->wait_prod));
	EXPECT_EQ(variant->wait, o->wait_cons)
		TH_LOG("RING_WAIT(CONS): %s", strerror(o->wait_cons));
	EXPECT_EQ(variant->notify, o->notify_prod)
		TH_LOG("RING_NOTIFY(PROD): %s", strerror(o->notify_prod));
	EXPECT_EQ(variant->notify, o->notify_cons)
		TH_LOG("RING_NOTIFY(CONS): %s", strerror(o->notify_cons));
	EXPECT_EQ(variant->revents, o->revents)
		TH_LOG("poll: revents %#x", o->revents);

	/* Only what was allowed reached the ring. */
	EXPECT_NE(MARK_RO, data[0]);
	EXPECT_EQ(variant->upgrade ? 0 : MARK_UPGRADED, data[1]);
	EXPECT_EQ(variant->map_rw ? 0 : MARK_RW, data[2]);
	EXPECT_EQ(ROOT_PROD, h->prod.pos);
	EXPECT_EQ(ROOT_CONS, h->cons.pos);
}

/*
 * The case the review found: another uid, attached receive-only (all a
 * 0644 channel grants it), must not get a writable mapping of the ring by
 * any route.  A mapping inherited by fork() keeps its protection.
 */
TEST(recv_only_other_uid_cannot_write_0644_ring)
{
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_info info;
	struct outcome *o;
	pid_t pid;
	int fd, st;

	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(geteuid() == 0, "ring permission tests need root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_multiuser(), "CONFIG_MULTIUSER");
	ipcchan_test_name(name, sizeof(name), "rperm644");
	fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL, RDWR,
				    0644, 0, 0, RING_PAGES);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	o = mmap(NULL, sizeof(*o), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, o);
	*o = (struct outcome){ .map_rw = NOT_RUN, .upgrade = NOT_RUN };

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char *p;
		pid_t gc;
		int cfd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (become_other())
			_exit(10);
		/* the mode grants this uid receive access only */
		if (ipcchan_test_attach(name, 0, RDWR, 0) != -EACCES)
			_exit(11);
		cfd = ipcchan_test_attach(name, 0, RECV, 0);
		if (cfd < 0)
			_exit(12);
		p = mmap(NULL, info.ring_map_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, cfd, 0);
		o->map_rw = p == MAP_FAILED ? errno : 0;
		p = mmap(NULL, info.ring_map_size, PROT_READ, MAP_SHARED,
			 cfd, 0);
		if (p == MAP_FAILED)
			_exit(13);
		close(cfd);
		gc = fork();
		if (gc == 0)
			_exit(mprotect(p, info.ring_map_size,
				       PROT_READ | PROT_WRITE) ? errno : 0);
		if (gc < 0 || waitpid(gc, &st, 0) != gc || !WIFEXITED(st))
			_exit(14);
		o->upgrade = WEXITSTATUS(st);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(EACCES, o->map_rw);
	EXPECT_EQ(EACCES, o->upgrade);
	munmap(o, sizeof(*o));
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
}

IPCCHAN_HARNESS_MAIN(NULL)
