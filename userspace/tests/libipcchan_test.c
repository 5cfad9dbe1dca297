// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of libipcchan: every public function, against the real
 * module (run as root in the VM).  Without /dev/ipcchan the program
 * reports a skip and exits 4; IPCCHAN_TEST_NODEV=1 runs the tests that need
 * no module (listing parser, name checks) and skips the rest one by one.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include <ipcchan.h>

#define MS	1000000LL

static int have_dev(void)
{
	return access(IPCCHAN_DEVICE, F_OK) == 0;
}

#define NEED_DEV() do {							\
	if (!have_dev())						\
		SKIP(return, "%s missing: module not loaded", IPCCHAN_DEVICE); \
} while (0)

static const char *uniq(char *buf, const char *tag)
{
	static int n;

	snprintf(buf, IPCCHAN_NAME_MAX, "t-%s-%d-%d", tag, (int)getpid(), n++);
	return buf;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const struct ipcchan_opts create_opts = {
	.flags = IPCCHAN_CREATE | IPCCHAN_EXCL,
	.mode = 0600,
	.max_msgs = 8,
	.max_msg_size = 256,
};

/* ---- names, open, attach, close, unlink ------------------------------- */

TEST(name_valid)
{
	char n63[64], n64[65];

	memset(n63, 'a', 63);
	n63[63] = '\0';
	memset(n64, 'a', 64);
	n64[64] = '\0';
	EXPECT_EQ(1, ipcchan_name_valid("jobs"));
	EXPECT_EQ(1, ipcchan_name_valid("A-z_0.9"));
	EXPECT_EQ(1, ipcchan_name_valid(n63));
	EXPECT_EQ(0, ipcchan_name_valid(n64));
	EXPECT_EQ(0, ipcchan_name_valid(""));
	EXPECT_EQ(0, ipcchan_name_valid(NULL));
	EXPECT_EQ(0, ipcchan_name_valid("a b"));
	EXPECT_EQ(0, ipcchan_name_valid("a/b"));
	EXPECT_EQ(0, ipcchan_name_valid("\xc3\xa9"));
	EXPECT_STREQ(IPCCHAN_LIB_VERSION, ipcchan_lib_version());
}

/* ENODEV says how to load the module; other errors read as strerror(). */
TEST(strerror_hints)
{
	EXPECT_NE(NULL, strstr(ipcchan_strerror(-ENODEV), "module is not loaded"));
	EXPECT_NE(NULL, strstr(ipcchan_strerror(-ENODEV), "insmod"));
	EXPECT_STREQ(strerror(EAGAIN), ipcchan_strerror(-EAGAIN));
	EXPECT_STREQ(strerror(EMSGSIZE), ipcchan_strerror(-EMSGSIZE));
}

TEST(open_bad_names)
{
	char n64[65];

	memset(n64, 'a', 64);
	n64[64] = '\0';
	/* Refused by the library before the device is opened. */
	EXPECT_EQ(-EINVAL, ipcchan_open(NULL, NULL));
	EXPECT_EQ(-EINVAL, ipcchan_open("", NULL));
	EXPECT_EQ(-EINVAL, ipcchan_open(n64, NULL));
	EXPECT_EQ(-EINVAL, ipcchan_unlink(n64));
	NEED_DEV();
	/* Refused by the kernel. */
	EXPECT_EQ(-EINVAL, ipcchan_open("bad name", &create_opts));
	EXPECT_EQ(-EINVAL, ipcchan_open("bad/name", &create_opts));
}

TEST(open_missing_enoent)
{
	char name[IPCCHAN_NAME_MAX];

	NEED_DEV();
	EXPECT_EQ(-ENOENT, ipcchan_open(uniq(name, "missing"), NULL));
	EXPECT_EQ(-ENOENT, ipcchan_unlink(name));
}

TEST(open_create_excl_unlink)
{
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_opts o = create_opts;
	int fd, fd2, dev;

	NEED_DEV();
	uniq(name, "excl");
	fd = ipcchan_open(name, &o);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-EEXIST, ipcchan_open(name, &o));
	o.flags = IPCCHAN_CREATE;	/* without EXCL: attaches */
	fd2 = ipcchan_open(name, &o);
	EXPECT_GE(fd2, 0);
	EXPECT_EQ(0, ipcchan_close(fd2));

	/* ipcchan_attach: 1 when created, 0 when it existed, EBUSY twice. */
	dev = ipcchan_open_dev(0);
	ASSERT_GE(dev, 0);
	EXPECT_EQ(0, ipcchan_attach(dev, name, NULL));
	EXPECT_EQ(-EBUSY, ipcchan_attach(dev, name, NULL));
	EXPECT_EQ(0, ipcchan_close(dev));

	EXPECT_EQ(0, ipcchan_unlink(name));
	EXPECT_EQ(-ENOENT, ipcchan_unlink(name));
	EXPECT_EQ(-ENOENT, ipcchan_open(name, NULL));
	/* The unlinked channel still works for the attached fd. */
	EXPECT_EQ(3, ipcchan_send(fd, "abc", 3, 0, 0));
	EXPECT_EQ(0, ipcchan_close(fd));

	dev = ipcchan_open_dev(0);
	ASSERT_GE(dev, 0);
	EXPECT_EQ(1, ipcchan_attach(dev, name, &create_opts));
	EXPECT_EQ(0, ipcchan_close(dev));
	EXPECT_EQ(0, ipcchan_unlink(name));
}

TEST(close_bad_fd)
{
	EXPECT_EQ(-EBADF, ipcchan_close(-1));
	EXPECT_EQ(-EBADF, ipcchan_send(-1, "x", 1, 0, 0));
	EXPECT_EQ(-EBADF, ipcchan_recv(-1, NULL, 0, NULL, 0));
}

TEST(opts_reserved_einval)
{
	struct ipcchan_opts o = create_opts;
	char name[IPCCHAN_NAME_MAX];

	NEED_DEV();
	o.reserved = 1;
	EXPECT_EQ(-EINVAL, ipcchan_open(uniq(name, "resv"), &o));
	o.reserved = 0;
	o.flags |= 1U << 7;	/* unknown flag: the kernel refuses */
	EXPECT_EQ(-EINVAL, ipcchan_open(name, &o));
}

TEST(open_nonblock_flag)
{
	struct ipcchan_opts o = create_opts;
	char name[IPCCHAN_NAME_MAX], buf[8];
	int fd;

	NEED_DEV();
	o.open_flags = O_NONBLOCK;
	fd = ipcchan_open(uniq(name, "onb"), &o);
	ASSERT_GE(fd, 0);
	EXPECT_NE(0, fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_NE(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* O_NONBLOCK on the file makes even a "forever" wait non-blocking. */
	EXPECT_EQ(-EAGAIN, ipcchan_recv(fd, buf, sizeof(buf), NULL,
					IPCCHAN_WAIT_FOREVER));
	ipcchan_close(fd);
	ipcchan_unlink(name);
}

/* ---- send / recv ------------------------------------------------------ */

FIXTURE(chan) {
	int fd;
	char name[IPCCHAN_NAME_MAX];
};

FIXTURE_SETUP(chan)
{
	self->fd = -1;
	if (!have_dev())
		return;
	self->fd = ipcchan_open(uniq(self->name, "chan"), &create_opts);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(chan)
{
	if (self->fd >= 0) {
		ipcchan_close(self->fd);
		ipcchan_unlink(self->name);
	}
}

TEST_F(chan, send_recv_msginfo)
{
	struct ipcchan_msginfo mi;
	char buf[256];
	uint64_t seq;

	NEED_DEV();
	ASSERT_EQ(5, ipcchan_send(self->fd, "hello", 5, 3, IPCCHAN_WAIT_FOREVER));
	ASSERT_EQ(5, ipcchan_send(self->fd, "world", 5, 3, 0));
	memset(&mi, 0xa5, sizeof(mi));
	ASSERT_EQ(5, ipcchan_recv(self->fd, buf, sizeof(buf), &mi, 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(5, mi.len);
	EXPECT_EQ(3, mi.prio);
	EXPECT_EQ((uint32_t)getpid(), mi.pid);
	EXPECT_EQ((uint32_t)getuid(), mi.uid);
	EXPECT_EQ(0, mi.reserved);
	EXPECT_GE(mi.seq, 1);
	seq = mi.seq;
	ASSERT_EQ(5, ipcchan_recv(self->fd, buf, sizeof(buf), &mi, 100 * MS));
	EXPECT_EQ(0, memcmp(buf, "world", 5));
	EXPECT_EQ(seq + 1, mi.seq);
	/* mi may be NULL */
	ASSERT_EQ(1, ipcchan_send(self->fd, "x", 1, 0, 0));
	EXPECT_EQ(1, ipcchan_recv(self->fd, buf, sizeof(buf), NULL, 0));
}

TEST_F(chan, zero_length_message)
{
	struct ipcchan_msginfo mi;
	char buf[4];

	NEED_DEV();
	ASSERT_EQ(0, ipcchan_send(self->fd, NULL, 0, 0, 0));
	EXPECT_EQ(0, ipcchan_recv(self->fd, buf, sizeof(buf), &mi, 0));
	EXPECT_EQ(0, mi.len);
}

TEST_F(chan, priority_order)
{
	static const unsigned int prios[] = { 0, 31, 5, 5, 17, 0 };
	static const char *const want[] = { "1", "4", "2", "3", "0", "5" };
	char buf[8];
	unsigned int i;

	NEED_DEV();
	for (i = 0; i < 6; i++) {
		char m[2] = { (char)('0' + i), 0 };

		ASSERT_EQ(1, ipcchan_send(self->fd, m, 1, prios[i], 0));
	}
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(1, ipcchan_recv(self->fd, buf, sizeof(buf), NULL, 0));
		buf[1] = '\0';
		EXPECT_STREQ(want[i], buf);
	}
	EXPECT_EQ(-EINVAL, ipcchan_send(self->fd, "x", 1, IPCCHAN_PRIO_MAX + 1, 0));
}

TEST_F(chan, emsgsize)
{
	struct ipcchan_msginfo mi;
	char big[257], buf[16];

	NEED_DEV();
	memset(big, 'b', sizeof(big));
	EXPECT_EQ(256, ipcchan_send(self->fd, big, 256, 0, 0));
	EXPECT_EQ(-EMSGSIZE, ipcchan_send(self->fd, big, 257, 0, 0));
	/* Too small a buffer: the message stays queued, its length known. */
	memset(&mi, 0, sizeof(mi));
	EXPECT_EQ(-EMSGSIZE, ipcchan_recv(self->fd, buf, sizeof(buf), &mi, 0));
	EXPECT_EQ(256, mi.len);
	EXPECT_EQ(256, ipcchan_recv(self->fd, big, sizeof(big), &mi, 0));
}

TEST_F(chan, empty_eagain_etimedout)
{
	char buf[8];
	int64_t t0, dt;

	NEED_DEV();
	EXPECT_EQ(-EAGAIN, ipcchan_recv(self->fd, buf, sizeof(buf), NULL, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_recv(self->fd, buf, sizeof(buf), NULL,
					   100 * MS));
	dt = now_ns() - t0;
	EXPECT_GE(dt, 100 * MS);
	EXPECT_LT(dt, 3000 * MS);
}

TEST_F(chan, full_eagain_etimedout)
{
	int i;
	int64_t t0, dt;

	NEED_DEV();
	for (i = 0; i < 8; i++)
		ASSERT_EQ(1, ipcchan_send(self->fd, "x", 1, 0, 0));
	EXPECT_EQ(-EAGAIN, ipcchan_send(self->fd, "x", 1, 0, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_send(self->fd, "x", 1, 0, 50 * MS));
	dt = now_ns() - t0;
	EXPECT_GE(dt, 50 * MS);
	EXPECT_LT(dt, 3000 * MS);
}

TEST_F(chan, blocking_recv_woken_by_child)
{
	char buf[16];
	pid_t pid;
	int st;

	NEED_DEV();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = ipcchan_open(self->name, NULL);

		usleep(100000);
		_exit(fd >= 0 && ipcchan_send(fd, "ping", 4, 0, 0) == 4 ? 0 : 1);
	}
	EXPECT_EQ(4, ipcchan_recv(self->fd, buf, sizeof(buf), NULL,
				  IPCCHAN_WAIT_FOREVER));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
}

TEST_F(chan, access_modes)
{
	struct ipcchan_opts ro = { .access = IPCCHAN_ACCESS_RECV };
	struct ipcchan_opts wo = { .access = IPCCHAN_ACCESS_SEND };
	char buf[8];
	int r, w;

	NEED_DEV();
	r = ipcchan_open(self->name, &ro);
	w = ipcchan_open(self->name, &wo);
	ASSERT_GE(r, 0);
	ASSERT_GE(w, 0);
	EXPECT_EQ(-EBADF, ipcchan_send(r, "x", 1, 0, 0));
	EXPECT_EQ(-EBADF, ipcchan_recv(w, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(1, ipcchan_send(w, "x", 1, 0, 0));
	EXPECT_EQ(1, ipcchan_recv(r, buf, sizeof(buf), NULL, 0));
	ipcchan_close(r);
	ipcchan_close(w);
}

TEST_F(chan, batch)
{
	struct ipcchan_msg m[10];
	char bufs[10][16];
	unsigned int i;

	NEED_DEV();
	for (i = 0; i < 10; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "b%u", i);
		ipcchan_msg_init(&m[i], bufs[i], (uint32_t)strlen(bufs[i]), i % 3);
		m[i].flags = 0xdead;	/* the library clears these */
		m[i].timeout_ns = 7;
	}
	EXPECT_EQ(-EINVAL, ipcchan_send_batch(self->fd, m, 0, 0));
	/* Queue of 8: partial success is success. */
	EXPECT_EQ(8, ipcchan_send_batch(self->fd, m, 10, 0));
	EXPECT_GE(m[0].seq, 1);
	EXPECT_EQ(m[0].seq + 7, m[7].seq);
	EXPECT_EQ(-EAGAIN, ipcchan_send_batch(self->fd, m + 8, 2, 0));

	memset(bufs, 0, sizeof(bufs));
	for (i = 0; i < 10; i++)
		ipcchan_msg_init(&m[i], bufs[i], sizeof(bufs[i]), 0);
	EXPECT_EQ(8, ipcchan_recv_batch(self->fd, m, 10, 0));
	/* Priority order: 2s (b2 b5), 1s (b1 b4 b7), 0s (b0 b3 b6). */
	EXPECT_STREQ("b2", bufs[0]);
	EXPECT_EQ(2, m[0].prio);
	EXPECT_EQ((uint32_t)getpid(), m[0].pid);
	EXPECT_STREQ("b5", bufs[1]);
	EXPECT_STREQ("b1", bufs[2]);
	EXPECT_STREQ("b6", bufs[7]);
	EXPECT_EQ(2, m[7].len);
	EXPECT_EQ(-EAGAIN, ipcchan_recv_batch(self->fd, m, 10, 0));
	EXPECT_EQ(-ETIMEDOUT, ipcchan_recv_batch(self->fd, m, 1, 20 * MS));

	/* A first message that does not fit: EMSGSIZE, length reported. */
	ASSERT_EQ(10, ipcchan_send(self->fd, "0123456789", 10, 0, 0));
	ipcchan_msg_init(&m[0], bufs[0], 4, 0);
	EXPECT_EQ(-EMSGSIZE, ipcchan_recv_batch(self->fd, m, 1, 0));
	EXPECT_EQ(10, m[0].len);
}

TEST_F(chan, info)
{
	struct ipcchan_info in;

	NEED_DEV();
	ASSERT_EQ(3, ipcchan_send(self->fd, "abc", 3, 0, 0));
	memset(&in, 0xa5, sizeof(in));
	ASSERT_EQ(0, ipcchan_info(self->fd, &in));
	EXPECT_STREQ(self->name, in.name);
	EXPECT_EQ((uint32_t)getuid(), in.uid);
	EXPECT_EQ(0600, in.mode);
	EXPECT_EQ(IPCCHAN_ACCESS_RDWR, in.access);
	EXPECT_EQ(8, in.max_msgs);
	EXPECT_EQ(256, in.max_msg_size);
	EXPECT_EQ(0, in.ring_pages);
	EXPECT_EQ(0, in.state);
	EXPECT_EQ(1, in.cur_msgs);
	EXPECT_EQ(3, in.cur_bytes);
	EXPECT_EQ(1, in.sent);
	EXPECT_EQ(0, in.received);
	EXPECT_EQ(1, in.attached);
	EXPECT_EQ(IPCCHAN_ABI_VERSION, in.mod.abi_version);
	EXPECT_EQ(-EFAULT, ipcchan_info(self->fd, NULL));

	ASSERT_EQ(0, ipcchan_unlink(self->name));
	ASSERT_EQ(0, ipcchan_info(self->fd, &in));
	EXPECT_NE(0, in.state & IPCCHAN_STATE_UNLINKED);
}

TEST(info_unattached_enotconn)
{
	struct ipcchan_info in;
	int fd;

	NEED_DEV();
	fd = ipcchan_open_dev(0);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-ENOTCONN, ipcchan_info(fd, &in));
	EXPECT_EQ(-ENOTCONN, ipcchan_send(fd, "x", 1, 0, 0));
	ipcchan_close(fd);
}

TEST(modinfo)
{
	struct ipcchan_modinfo a, b;
	int fd;

	NEED_DEV();
	memset(&a, 0xa5, sizeof(a));
	ASSERT_EQ(0, ipcchan_modinfo(-1, &a));
	EXPECT_EQ(IPCCHAN_ABI_VERSION, a.abi_version);
	EXPECT_EQ((uint32_t)getpagesize(), a.page_size);
	EXPECT_EQ(IPCCHAN_BATCH_MAX, a.batch_max);
	EXPECT_EQ(IPCCHAN_PRIO_MAX, a.prio_max);
	EXPECT_NE(0, a.features & IPCCHAN_FEAT_MSG);
	EXPECT_GE(a.max_msgs_limit, a.default_max_msgs);
	fd = ipcchan_open_dev(0);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ipcchan_modinfo(fd, &b));
	EXPECT_EQ(a.abi_version, b.abi_version);
	EXPECT_EQ(a.features, b.features);
	ipcchan_close(fd);
	EXPECT_EQ(-EFAULT, ipcchan_modinfo(-1, NULL));
}

TEST_F(chan, poll_readiness)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN | POLLOUT };

	NEED_DEV();
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents & (POLLIN | POLLOUT));
	ASSERT_EQ(1, ipcchan_send(self->fd, "x", 1, 0, 0));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, p.revents & (POLLIN | POLLOUT));
}

TEST_F(chan, list)
{
	struct ipcchan_entry *l;
	int n, i, found = -1;

	NEED_DEV();
	ASSERT_EQ(2, ipcchan_send(self->fd, "ab", 2, 0, 0));
	n = ipcchan_list(&l);
	ASSERT_GE(n, 1);
	for (i = 0; i < n; i++)
		if (!strcmp(l[i].name, self->name))
			found = i;
	ASSERT_GE(found, 0);
	EXPECT_EQ((uint32_t)getuid(), l[found].uid);
	EXPECT_EQ(0600, l[found].mode);
	EXPECT_EQ(1, l[found].msgs);
	EXPECT_EQ(2, l[found].bytes);
	EXPECT_EQ(8, l[found].max_msgs);
	EXPECT_EQ(256, l[found].max_msg_size);
	EXPECT_EQ(1, l[found].sent);
	EXPECT_EQ(1, l[found].attached);
	EXPECT_EQ(0, l[found].state);
	ipcchan_list_free(l);

	/* Unlinked: gone from the list, or listed as unlinked. */
	ASSERT_EQ(0, ipcchan_unlink(self->name));
	n = ipcchan_list(&l);
	ASSERT_GE(n, 0);
	for (i = 0; i < n; i++)
		if (!strcmp(l[i].name, self->name))
			EXPECT_NE(0, l[i].state & IPCCHAN_STATE_UNLINKED);
	ipcchan_list_free(l);
}

/* ---- the /proc/ipcchan parser (no module needed) ---------------------- */

static int parse_text(const char *text, struct ipcchan_entry **l)
{
	char path[] = "/tmp/ipcchan-list-XXXXXX";
	int fd = mkstemp(path), n;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		n = -EIO;
	else
		n = ipcchan_list_path(path, l);
	close(fd);
	unlink(path);
	return n;
}

#define HDR "name uid gid mode msgs bytes max_msgs max_msg_size sent received attached ring_pages state\n"

TEST(list_parse_basic)
{
	struct ipcchan_entry *l;

	ASSERT_EQ(2, parse_text(HDR
		"jobs 1000 100 0660 3 42 10 8192 7 4 2 0 -\n"
		"old.q 0 0 0600 0 0 16 64 18446744073709551615 0 1 4 unlinked\n",
		&l));
	EXPECT_STREQ("jobs", l[0].name);
	EXPECT_EQ(1000, l[0].uid);
	EXPECT_EQ(100, l[0].gid);
	EXPECT_EQ(0660, l[0].mode);
	EXPECT_EQ(3, l[0].msgs);
	EXPECT_EQ(42, l[0].bytes);
	EXPECT_EQ(10, l[0].max_msgs);
	EXPECT_EQ(8192, l[0].max_msg_size);
	EXPECT_EQ(7, l[0].sent);
	EXPECT_EQ(4, l[0].received);
	EXPECT_EQ(2, l[0].attached);
	EXPECT_EQ(0, l[0].ring_pages);
	EXPECT_EQ(0, l[0].state);
	EXPECT_STREQ("old.q", l[1].name);
	EXPECT_EQ(UINT64_MAX, l[1].sent);
	EXPECT_EQ(4, l[1].ring_pages);
	EXPECT_EQ(IPCCHAN_STATE_UNLINKED, l[1].state);
	ipcchan_list_free(l);
}

TEST(list_parse_tolerant)
{
	struct ipcchan_entry *l;

	/* Header only: no channel. */
	EXPECT_EQ(0, parse_text(HDR, &l));
	EXPECT_EQ(NULL, l);
	/* Extra trailing columns, tabs, a blank line. */
	ASSERT_EQ(1, parse_text(
		"name uid gid mode msgs bytes max_msgs max_msg_size sent received attached ring_pages state future extra\n"
		"\n"
		"a\t5 6 0644 1 2 3 4 5 6 7 8 - x y\n", &l));
	EXPECT_STREQ("a", l[0].name);
	EXPECT_EQ(0644, l[0].mode);
	EXPECT_EQ(8, l[0].ring_pages);
	ipcchan_list_free(l);
	/* Columns in another order are found by name. */
	ASSERT_EQ(1, parse_text("uid name mode\n7 zz 0700\n", &l));
	EXPECT_STREQ("zz", l[0].name);
	EXPECT_EQ(7, l[0].uid);
	EXPECT_EQ(0700, l[0].mode);
	ipcchan_list_free(l);
}

TEST(list_parse_errors)
{
	struct ipcchan_entry *l = (void *)1;
	char longname[200];

	EXPECT_EQ(-EBADMSG, parse_text("", &l));
	EXPECT_EQ(NULL, l);
	EXPECT_EQ(-EBADMSG, parse_text("uid gid\n1 2\n", &l));
	EXPECT_EQ(-EBADMSG, parse_text(HDR "a x 0 0660 0 0 0 0 0 0 0 0 -\n", &l));
	EXPECT_EQ(-EBADMSG, parse_text(HDR "a 0 0 0980 0 0 0 0 0 0 0 0 -\n", &l));
	EXPECT_EQ(-EBADMSG, parse_text(HDR "a 0 0 0660 0 0 0 0 0 0 0 0 weird\n", &l));
	EXPECT_EQ(-EBADMSG, parse_text(HDR "a 4294967296 0 0660 0 0 0 0 0 0 0 0 -\n", &l));
	EXPECT_EQ(-EBADMSG, parse_text(HDR "a 0 0 0660 0 0 0 0 0 0 0 -1 -\n", &l));
	EXPECT_EQ(-EBADMSG, parse_text(HDR "a 0 0 0660\n", &l));
	memset(longname, 'n', sizeof(longname));
	memcpy(longname + 100, " 0 0 0 0 0 0 0 0 0 0 0 -\n", 26);
	{
		char text[400];

		snprintf(text, sizeof(text), HDR "%s", longname);
		EXPECT_EQ(-EBADMSG, parse_text(text, &l));
	}
	/* A line longer than IPCCHAN_LIST_LINE_MAX (host_list: bigger files). */
	{
		size_t n = sizeof(HDR) - 1 + IPCCHAN_LIST_LINE_MAX + 30;
		char *text = malloc(n + 1);

		ASSERT_NE(NULL, text);
		memset(text, 'n', n);
		memcpy(text, HDR, sizeof(HDR) - 1);
		memcpy(text + n - 26, " 0 0 0 0 0 0 0 0 0 0 0 -\n", 26);
		text[n] = '\0';
		EXPECT_EQ(-EOVERFLOW, parse_text(text, &l));
		EXPECT_EQ(NULL, l);
		free(text);
	}
	EXPECT_EQ(-ENOENT, ipcchan_list_path("/nonexistent/ipcchan", &l));
	EXPECT_EQ(-EFAULT, ipcchan_list_path(NULL, NULL));
}

/* ---- the ring --------------------------------------------------------- */

FIXTURE(ring) {
	int fd;
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_ring r;
	size_t d;
};

FIXTURE_VARIANT(ring) {
	unsigned int spin;
};
FIXTURE_VARIANT_ADD(ring, nospin) { .spin = 0 };
FIXTURE_VARIANT_ADD(ring, spin) { .spin = 2000 };

FIXTURE_SETUP(ring)
{
	struct ipcchan_opts o = create_opts;

	self->fd = -1;
	if (!have_dev())
		return;
	o.ring_pages = 1;
	self->fd = ipcchan_open(uniq(self->name, "ring"), &o);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, ipcchan_ring_map(self->fd, &self->r));
	ASSERT_NE(NULL, ipcchan_ring_data(&self->r, &self->d));
	ASSERT_EQ((size_t)getpagesize(), self->d);
	ipcchan_ring_set_spin(&self->r, variant->spin);
}

FIXTURE_TEARDOWN(ring)
{
	if (self->fd >= 0) {
		ipcchan_ring_unmap(&self->r);
		ipcchan_close(self->fd);
		ipcchan_unlink(self->name);
	}
}

TEST(ring_map_without_ring_enxio)
{
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_ring r;
	int fd;

	NEED_DEV();
	fd = ipcchan_open(uniq(name, "noring"), &create_opts);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-ENXIO, ipcchan_ring_map(fd, &r));
	EXPECT_EQ(-EINVAL, ipcchan_ring_unmap(&r));
	ipcchan_close(fd);
	ipcchan_unlink(name);
	EXPECT_EQ(-EBADF, ipcchan_ring_map(-1, &r));
}

TEST_F(ring, send_recv_sizes)
{
	size_t max = ipcchan_ring_max_msg(&self->r);
	char *in = malloc(self->d), *out = malloc(self->d);
	size_t len;

	NEED_DEV();
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(self->d - 8, max);
	for (len = 0; len < self->d; len++)
		in[len] = (char)(len * 7);
	EXPECT_EQ(-EMSGSIZE, ipcchan_ring_send(&self->r, in, max + 1, 0));
	for (len = 0; len <= max; len += (len < 64 ? 1 : 509)) {
		ASSERT_EQ((ssize_t)len, ipcchan_ring_send(&self->r, in, len, 0));
		memset(out, 0, self->d);
		ASSERT_EQ((ssize_t)len, ipcchan_ring_recv(&self->r, out, self->d, 0));
		ASSERT_EQ(0, memcmp(in, out, len));
	}
	ASSERT_EQ((ssize_t)max, ipcchan_ring_send(&self->r, in, max, 0));
	ASSERT_EQ((ssize_t)max, ipcchan_ring_recv(&self->r, out, max, 0));
	EXPECT_EQ(0, memcmp(in, out, max));
	free(in);
	free(out);
}

TEST_F(ring, empty_and_full)
{
	char buf[64];
	int n = 0;
	int64_t t0;

	NEED_DEV();
	EXPECT_EQ(-EAGAIN, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	ipcchan_ring_set_spin(&self->r, 0);
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_recv(&self->r, buf, sizeof(buf),
						30 * MS));
	EXPECT_GE(now_ns() - t0, 30 * MS);
	/* 56-byte payload = 64-byte records: exactly d / 64 fit. */
	while (ipcchan_ring_send(&self->r, buf, 56, 0) == 56)
		n++;
	EXPECT_EQ((int)(self->d / 64), n);
	EXPECT_EQ(-EAGAIN, ipcchan_ring_send(&self->r, buf, 56, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_send(&self->r, buf, 1, 20 * MS));
	EXPECT_GE(now_ns() - t0, 20 * MS);
	EXPECT_EQ(56, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	EXPECT_EQ(56, ipcchan_ring_send(&self->r, buf, 56, 0));
	EXPECT_EQ(-EAGAIN, ipcchan_ring_send(&self->r, buf, 0, 0));
}

TEST_F(ring, reserve_commit_peek_release)
{
	const void *cp;
	void *p;
	size_t len;

	NEED_DEV();
	EXPECT_EQ(-EINVAL, ipcchan_ring_commit(&self->r));
	EXPECT_EQ(-EINVAL, ipcchan_ring_release(&self->r));
	ASSERT_EQ(0, ipcchan_ring_reserve(&self->r, 5, &p, 0));
	EXPECT_EQ(0, (uintptr_t)p % 8);
	EXPECT_EQ(-EBUSY, ipcchan_ring_reserve(&self->r, 5, &p, 0));
	memcpy(p, "hello", 5);
	/* Not committed: invisible. */
	EXPECT_EQ(-EAGAIN, ipcchan_ring_peek(&self->r, &cp, &len, 0));
	ASSERT_EQ(0, ipcchan_ring_commit(&self->r));
	ASSERT_EQ(0, ipcchan_ring_peek(&self->r, &cp, &len, 0));
	EXPECT_EQ(5, len);
	EXPECT_EQ(0, memcmp(cp, "hello", 5));
	/* Peeking again gives the same record. */
	ASSERT_EQ(0, ipcchan_ring_peek(&self->r, &cp, &len, 0));
	EXPECT_EQ(5, len);
	ASSERT_EQ(0, ipcchan_ring_release(&self->r));
	EXPECT_EQ(-EAGAIN, ipcchan_ring_peek(&self->r, &cp, &len, 0));
	EXPECT_EQ(-EMSGSIZE, ipcchan_ring_reserve(&self->r, self->d, &p, 0));
}

TEST_F(ring, recv_emsgsize_keeps_record)
{
	char buf[16];
	const void *cp;
	size_t len;

	NEED_DEV();
	ASSERT_EQ(10, ipcchan_ring_send(&self->r, "0123456789", 10, 0));
	EXPECT_EQ(-EMSGSIZE, ipcchan_ring_recv(&self->r, buf, 4, 0));
	ASSERT_EQ(0, ipcchan_ring_peek(&self->r, &cp, &len, 0));
	EXPECT_EQ(10, len);
	EXPECT_EQ(10, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));
}

/* Every record size 0..300 at every alignment, many times around. */
TEST_F(ring, wrap_around)
{
	unsigned char in[300], out[300];
	struct ipcchan_ring_hdr *h = ipcchan_ring_hdr(&self->r, NULL, NULL);
	size_t len, k, round;

	NEED_DEV();
	for (round = 0; round < 20; round++) {
		for (len = 0; len < sizeof(in); len++) {
			for (k = 0; k < len; k++)
				in[k] = (unsigned char)(round + len + k);
			/* Two in flight so records straddle the end. */
			ASSERT_EQ((ssize_t)len, ipcchan_ring_send(&self->r, in, len, 0));
			ASSERT_EQ((ssize_t)len, ipcchan_ring_send(&self->r, in, len, 0));
			ASSERT_EQ((ssize_t)len, ipcchan_ring_recv(&self->r, out, sizeof(out), 0));
			ASSERT_EQ(0, memcmp(in, out, len));
			ASSERT_EQ((ssize_t)len, ipcchan_ring_recv(&self->r, out, sizeof(out), 0));
			ASSERT_EQ(0, memcmp(in, out, len));
		}
	}
	EXPECT_GT(h->prod.pos, 20 * self->d);
	EXPECT_EQ(h->prod.pos, h->cons.pos);
}

TEST_F(ring, pad_record_skipped)
{
	struct ipcchan_ring_hdr *h = ipcchan_ring_hdr(&self->r, NULL, NULL);
	struct ipcchan_ring_rec *rec;
	unsigned char *data = ipcchan_ring_data(&self->r, NULL);
	char buf[8];

	NEED_DEV();
	/* A peer wrote a 16-byte padding record, then a real one. */
	rec = (struct ipcchan_ring_rec *)(data + (h->prod.pos & (self->d - 1)));
	rec->len = 8;
	rec->flags = IPCCHAN_RING_REC_PAD;
	__atomic_store_n(&h->prod.pos, h->prod.pos + 16, __ATOMIC_RELEASE);
	ASSERT_EQ(2, ipcchan_ring_send(&self->r, "ok", 2, 0));
	EXPECT_EQ(2, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	EXPECT_EQ(h->prod.pos, h->cons.pos);
}

TEST_F(ring, corrupt_header_is_an_error)
{
	struct ipcchan_ring_hdr *h = ipcchan_ring_hdr(&self->r, NULL, NULL);
	unsigned char *data = ipcchan_ring_data(&self->r, NULL);
	struct ipcchan_ring_rec *rec;
	uint64_t d = self->d, base;
	char buf[64];
	void *p;

	NEED_DEV();
	ASSERT_EQ(3, ipcchan_ring_send(&self->r, "abc", 3, 0));
	ASSERT_EQ(3, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	base = h->cons.pos;

	/* More data than the ring holds. */
	h->prod.pos = base + d + 8;
	EXPECT_EQ(-EBADMSG, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	EXPECT_EQ(-EBADMSG, ipcchan_ring_reserve(&self->r, 1, &p, 0));
	/* Consumer ahead of the producer. */
	h->prod.pos = base - 8;
	EXPECT_EQ(-EBADMSG, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	/* Misaligned positions. */
	h->prod.pos = base + 12;
	EXPECT_EQ(-EBADMSG, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	/* Published bytes fewer than a record header. */
	h->prod.pos = base + 8;
	rec = (struct ipcchan_ring_rec *)(data + (base & (d - 1)));
	/* A record longer than what was published, or than the ring. */
	rec->len = 100;
	rec->flags = 0;
	EXPECT_EQ(-EBADMSG, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	rec->len = 0xffffffff;
	h->prod.pos = base + d;
	EXPECT_EQ(-EBADMSG, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	/* Unknown record flags. */
	rec->len = 0;
	rec->flags = 0x80;
	h->prod.pos = base + 8;
	EXPECT_EQ(-EPROTO, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
	EXPECT_EQ(-EPROTO, self->r.error);

	/* Repaired, the ring works again. */
	h->prod.pos = base;
	h->cons.pos = base;
	self->r.cons.prod_cache = base;
	EXPECT_EQ(2, ipcchan_ring_send(&self->r, "ok", 2, 0));
	EXPECT_EQ(2, ipcchan_ring_recv(&self->r, buf, sizeof(buf), 0));
}

TEST_F(ring, raw_wait_notify)
{
	struct ipcchan_ring_hdr *h;
	size_t off, pg;
	int64_t t0;
	pid_t pid;
	int st;

	NEED_DEV();
	h = ipcchan_ring_hdr(&self->r, &off, &pg);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(sizeof(struct ipcchan_ring_hdr), off);
	EXPECT_EQ((size_t)getpagesize(), pg);
	/* Position differs from expected: returns at once. */
	EXPECT_EQ(0, ipcchan_ring_wait(self->fd, IPCCHAN_RING_PROD,
				       h->prod.pos + 8, IPCCHAN_WAIT_FOREVER));
	EXPECT_EQ(-EAGAIN, ipcchan_ring_wait(self->fd, IPCCHAN_RING_PROD,
					     h->prod.pos, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_wait(self->fd, IPCCHAN_RING_PROD,
						h->prod.pos, 20 * MS));
	EXPECT_GE(now_ns() - t0, 20 * MS);
	EXPECT_EQ(-EINVAL, ipcchan_ring_wait(self->fd, 7, 0, 0));
	EXPECT_GE(ipcchan_ring_notify(self->fd, IPCCHAN_RING_CONS), 0);
	EXPECT_EQ(-EINVAL, ipcchan_ring_notify(self->fd, 7));

	/* A child moves the position with a plain store plus one notify. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		usleep(100000);
		__atomic_store_n(&h->prod.pos, h->prod.pos + 8, __ATOMIC_RELEASE);
		_exit(ipcchan_ring_notify(self->fd, IPCCHAN_RING_PROD) >= 0 ? 0 : 1);
	}
	EXPECT_EQ(0, ipcchan_ring_wait(self->fd, IPCCHAN_RING_PROD,
				       h->prod.pos, 5000 * MS));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
}


#define XRECORDS 100000

static uint32_t checksum(const unsigned char *p, size_t n)
{
	uint32_t s = 2166136261u;

	while (n--)
		s = (s ^ *p++) * 16777619u;
	return s;
}

/*
 * Two processes, records of 12..611 bytes with sequence numbers and a
 * checksum.  In the nospin variant both sides sleep and wake through the
 * kernel at every turn.
 */
TEST_F_TIMEOUT(ring, two_processes, 300)
{
	pid_t pid;
	int st;
	uint64_t i;

	NEED_DEV();
	ipcchan_ring_set_spin(&self->r, variant->spin);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Consumer: zero-copy peek/release. */
		for (i = 0; i < XRECORDS; i++) {
			const unsigned char *p;
			const void *vp;
			uint64_t seq;
			uint32_t sum;
			size_t len;

			if (ipcchan_ring_peek(&self->r, &vp, &len, 10000 * MS))
				_exit(10);
			p = vp;
			if (len < 12)
				_exit(11);
			memcpy(&seq, p, 8);
			memcpy(&sum, p + 8, 4);
			if (seq != i)
				_exit(12);
			if (sum != checksum(p + 12, len - 12))
				_exit(13);
			if (ipcchan_ring_release(&self->r))
				_exit(14);
		}
		_exit(0);
	}
	for (i = 0; i < XRECORDS; i++) {
		unsigned char buf[612];
		size_t len = 12 + (i * 37) % 600, k;
		uint32_t sum;

		memcpy(buf, &i, 8);
		for (k = 12; k < len; k++)
			buf[k] = (unsigned char)(i ^ k);
		sum = checksum(buf + 12, len - 12);
		memcpy(buf + 8, &sum, 4);
		ASSERT_EQ((ssize_t)len, ipcchan_ring_send(&self->r, buf, len,
							  10000 * MS));
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

TEST(ring_args)
{
	struct ipcchan_ring r;
	void *p;
	const void *cp;
	size_t len;

	memset(&r, 0, sizeof(r));
	EXPECT_EQ(-EINVAL, ipcchan_ring_reserve(&r, 1, &p, 0));
	EXPECT_EQ(-EINVAL, ipcchan_ring_peek(&r, &cp, &len, 0));
	EXPECT_EQ(-EINVAL, ipcchan_ring_commit(&r));
	EXPECT_EQ(-EINVAL, ipcchan_ring_release(&r));
	EXPECT_EQ(-EINVAL, ipcchan_ring_unmap(&r));
	EXPECT_EQ(0, ipcchan_ring_max_msg(&r));
	EXPECT_EQ(NULL, ipcchan_ring_data(&r, NULL));
	EXPECT_EQ(NULL, ipcchan_ring_hdr(&r, NULL, NULL));
	EXPECT_EQ(-EFAULT, ipcchan_ring_map(-1, NULL));
}

int main(int argc, char **argv)
{
	if (!have_dev() && !getenv("IPCCHAN_TEST_NODEV")) {
		printf("TAP version 13\n1..0 # SKIP %s missing: module not loaded\n",
		       IPCCHAN_DEVICE);
		return KSFT_SKIP;
	}
	return test_harness_run(argc, argv);
}
