// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifecycle: rmmod is refused while /dev/ipcchan is open, the module
 * unloads cleanly after the last close (leaving no node), and it loads and
 * unloads many times in a row.  Needs root and the module file in
 * $IPCCHAN_KO (the VM runner sets it); skips otherwise.  Leaves the module
 * loaded, as it found it.
 */
#include <sched.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

static int load(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	ret = ret < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "ipcchan", O_NONBLOCK) < 0 ? -errno : 0;
}

static int module_loaded(void)
{
	return access("/sys/module/ipcchan", F_OK) == 0;
}

FIXTURE(lifecycle) {
	const char *ko;
};

FIXTURE_SETUP(lifecycle)
{
	self->ko = getenv("IPCCHAN_KO");
	IPCCHAN_SKIP_UNLESS(geteuid() == 0, "needs root");
	IPCCHAN_SKIP_UNLESS(self->ko && access(self->ko, R_OK) == 0,
			    "set IPCCHAN_KO to the module file");
	IPCCHAN_SKIP_UNLESS(module_loaded(), "module not loaded");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_module_unload(),
			       "CONFIG_MODULE_UNLOAD");
}

FIXTURE_TEARDOWN(lifecycle)
{
	/* Whatever happened, leave the module loaded for the next test. */
	if (self->ko && geteuid() == 0 && !module_loaded())
		load(self->ko);
}

TEST_F(lifecycle, rmmod_refused_while_open)
{
	int fd = open(IPCCHAN_DEVICE, O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_LE(1, ipcchan_module_refcnt());
	/* The kernel reports a busy module as EWOULDBLOCK (== EAGAIN). */
	EXPECT_EQ(-EWOULDBLOCK, unload());
	EXPECT_TRUE(module_loaded());
	EXPECT_EQ(0, access(IPCCHAN_DEVICE, F_OK));
	close(fd);

	EXPECT_EQ(0, ipcchan_module_refcnt());
	ASSERT_EQ(0, unload());
	EXPECT_FALSE(module_loaded());
	EXPECT_EQ(-1, access(IPCCHAN_DEVICE, F_OK));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, load(self->ko));
	EXPECT_EQ(0, access(IPCCHAN_DEVICE, F_OK));
}

TEST_F(lifecycle, load_unload_20_times)
{
	int i;

	for (i = 0; i < 20; i++) {
		int fd;

		ASSERT_EQ(0, unload()) TH_LOG("unload %d", i);
		ASSERT_EQ(-1, access(IPCCHAN_DEVICE, F_OK));
		ASSERT_EQ(0, load(self->ko)) TH_LOG("load %d", i);
		fd = open(IPCCHAN_DEVICE, O_RDWR);
		ASSERT_LE(0, fd) TH_LOG("open after load %d", i);
		close(fd);
	}
}

/* Leave channels (with messages and a ring) behind, then unload. */
/*
 * The module reports leaked objects at unload: the kernel log must hold no
 * such report (a kernel without CONFIG_PRINTK has none to read: skip).
 */
static char klog[1 << 20];

#define EXPECT_NO_LEAK_REPORT() do {					\
	int __n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, klog,	\
			  sizeof(klog) - 1);				\
	if (__n < 0 && errno == ENOSYS)					\
		SKIP(return, "the kernel has no CONFIG_PRINTK: no leak reports"); \
	ASSERT_LT(0, __n);						\
	klog[__n] = 0;							\
	EXPECT_EQ(NULL, strstr(klog, "ipcchan: leak"));			\
} while (0)

static int leave_leftovers(int cycle)
{
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_attach at;
	struct ipcchan_msg m;
	int i, k, fd;

	for (i = 0; i < 3; i++) {
		fd = open(IPCCHAN_DEVICE, O_RDWR);
		if (fd < 0)
			return -errno;
		memset(&at, 0, sizeof(at));
		snprintf(name, sizeof(name), "left.%d.%d", cycle, i);
		snprintf(at.name, sizeof(at.name), "%s", name);
		at.flags = IPCCHAN_CREATE;
		at.access = IPCCHAN_ACCESS_RDWR;
		at.mode = 0600;
		at.ring_pages = i == 2 ? 4 : 0;
		if (ioctl(fd, IPCCHAN_IOC_ATTACH, &at))
			return -errno;
		for (k = 0; k < 5; k++) {
			memset(&m, 0, sizeof(m));
			m.buf = (uintptr_t)name;
			m.len = strlen(name);
			m.prio = k;
			if (ioctl(fd, IPCCHAN_IOC_SEND, &m))
				return -errno;
		}
		close(fd);
	}
	return 0;
}

/*
 * 100 load/unload cycles take 5-10 s in the TCG VM, 15-40 s under KASAN and
 * kmemleak (the long profile stretches the timeout tenfold).
 */
TEST_F_TIMEOUT(lifecycle, unload_100_times_with_leftovers, 40)
{
	int i;

	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, leave_leftovers(i)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, unload()) TH_LOG("unload %d", i);
		ASSERT_EQ(0, load(self->ko)) TH_LOG("load %d", i);
	}
	EXPECT_NO_LEAK_REPORT();
}

/*
 * Unload right after a namespace with channels died (its channels wait for
 * the collector, a delayed work) and with /proc/ipcchan open in another
 * namespace (the file pins that namespace): the work is cancelled, the
 * file is closed by procfs, nothing leaks, and the stale file reads EIO.
 */
TEST_F(lifecycle, unload_with_dead_namespace_and_open_proc_file)
{
	int i, st, pfd = -1, sv[2];
	char c;
	pid_t pid;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWIPC) != -EINVAL,
			       "CONFIG_IPC_NS");
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	for (i = 0; i < 2; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			if (unshare(CLONE_NEWIPC) || leave_leftovers(1000 + i))
				_exit(1);
			if (i == 1) {
				struct msghdr mh = { 0 };
				char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
				struct iovec iov = { .iov_base = &c, .iov_len = 1 };
				struct cmsghdr *cm;
				int fd = open("/proc/ipcchan", O_RDONLY);

				if (fd < 0)
					_exit(2);
				mh.msg_iov = &iov;
				mh.msg_iovlen = 1;
				mh.msg_control = cbuf;
				mh.msg_controllen = sizeof(cbuf);
				cm = CMSG_FIRSTHDR(&mh);
				cm->cmsg_level = SOL_SOCKET;
				cm->cmsg_type = SCM_RIGHTS;
				cm->cmsg_len = CMSG_LEN(sizeof(int));
				memcpy(CMSG_DATA(cm), &fd, sizeof(int));
				if (sendmsg(sv[1], &mh, 0) != 1)
					_exit(3);
			}
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	{
		struct msghdr mh = { 0 };
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { .iov_base = &c, .iov_len = 1 };

		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		ASSERT_EQ(1, recvmsg(sv[0], &mh, 0));
		memcpy(&pfd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
	}
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(self->ko));
	EXPECT_EQ(-1, read(pfd, klog, 16));
	EXPECT_EQ(EIO, errno);
	close(pfd);
	close(sv[0]);
	close(sv[1]);
	EXPECT_NO_LEAK_REPORT();
}

TEST_F(lifecycle, double_load_eexist)
{
	EXPECT_EQ(-EEXIST, load(self->ko));
}

IPCCHAN_HARNESS_MAIN(NULL)
