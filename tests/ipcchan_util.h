/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ipcchan kselftests share, once: open the device or skip, poison
 * output structs, make unique channel names, wrap each ioctl, skip when the
 * kernel lacks a feature, run children (ipcchan_spawn(), ipcchan_reap(),
 * ipcchan_spawn_self()), create channels field by field.  Include it after
 * kselftest_harness.h.  Beside it, for the programs that need them:
 *
 *  - ipcchan_ring.h: the tests' own ring code (an independent copy of the
 *    ring protocol, on purpose: see there);
 *  - ipcchan_pair.h: FIXTURE(pair) for the message tests;
 *  - ipcchan_ring_fixture.h: FIXTURE(ring) for the ring tests.
 */
#ifndef IPCCHAN_UTIL_H
#define IPCCHAN_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ipcchan.h>

#define IPCCHAN_POISON	0xa5

/* True when /dev/ipcchan exists; tests SKIP() otherwise. */
static inline int ipcchan_present(void)
{
	return access(IPCCHAN_DEVICE, F_OK) == 0;
}

/* Fill an output struct with a poison byte before an ioctl writes it. */
#define POISON(x) memset(&(x), IPCCHAN_POISON, sizeof(x))

/* A channel name unique to this process and call site. */
static inline void ipcchan_test_name(char *buf, size_t len, const char *tag)
{
	static unsigned int counter;

	snprintf(buf, len, "t.%s.%d.%u", tag, (int)getpid(), counter++);
}

/* ioctl() that returns -errno instead of -1, for ASSERT_EQ(-EFOO, ...). */
static inline long ipcchan_ioctl(int fd, unsigned long cmd, void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/*
 * Attach the open device file @fd (closed on failure), or a new O_RDWR one,
 * to @name with @flags/@access; 0 sizes take the module defaults.  Returns
 * the fd or -errno.
 */
static inline int ipcchan_test_attach_fd(int fd, const char *name,
					 __u32 flags, __u32 access,
					 __u32 mode)
{
	struct ipcchan_attach at;
	int ret;

	memset(&at, 0, sizeof(at));
	snprintf(at.name, sizeof(at.name), "%s", name);
	at.flags = flags;
	at.access = access;
	at.mode = mode;
	ret = ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, &at);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

static inline int ipcchan_test_attach(const char *name, __u32 flags,
				      __u32 access, __u32 mode)
{
	int fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return ipcchan_test_attach_fd(fd, name, flags, access, mode);
}

/* --- Helpers added for the channel/message/permission tests ------------- */

#include <poll.h>
#include <time.h>

/* CLOCK_MONOTONIC now, in nanoseconds. */
static inline long long ipcchan_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* IPCCHAN_IOC_MODINFO on a fresh file; 0 or -errno. */
static inline int ipcchan_get_modinfo(struct ipcchan_modinfo *mi)
{
	int fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	memset(mi, 0, sizeof(*mi));
	ret = (int)ipcchan_ioctl(fd, IPCCHAN_IOC_MODINFO, mi);
	close(fd);
	return ret;
}

/*
 * Like ipcchan_test_attach() with explicit sizes of a new channel.
 * Returns the fd or -errno.
 */
static inline int ipcchan_test_attach_sz(const char *name, __u32 flags,
					 __u32 access, __u32 mode,
					 __u32 max_msgs, __u32 max_msg_size,
					 __u32 ring_pages)
{
	struct ipcchan_attach at;
	int fd, ret;

	fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&at, 0, sizeof(at));
	snprintf(at.name, sizeof(at.name), "%s", name);
	at.flags = flags;
	at.access = access;
	at.mode = mode;
	at.max_msgs = max_msgs;
	at.max_msg_size = max_msg_size;
	at.ring_pages = ring_pages;
	ret = (int)ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, &at);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/* IPCCHAN_IOC_UNLINK by name on a fresh file; 0 or -errno. */
static inline int ipcchan_test_unlink(const char *name)
{
	struct ipcchan_unlink ul;
	int fd, ret;

	fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ul, 0, sizeof(ul));
	snprintf(ul.name, sizeof(ul.name), "%s", name);
	ret = (int)ipcchan_ioctl(fd, IPCCHAN_IOC_UNLINK, &ul);
	close(fd);
	return ret;
}

/* One SEND; returns 0 or -errno, the message's sequence number in *seq. */
static inline int ipcchan_test_send(int fd, const void *buf, __u32 len,
				    __u32 prio, __u32 flags, __s64 timeout_ns,
				    __u64 *seq)
{
	struct ipcchan_msg m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.buf = (__u64)(unsigned long)buf;
	m.len = len;
	m.prio = prio;
	m.flags = flags;
	m.timeout_ns = timeout_ns;
	ret = (int)ipcchan_ioctl(fd, IPCCHAN_IOC_SEND, &m);
	if (!ret && seq)
		*seq = m.seq;
	return ret;
}

/* One RECV into buf[len]; 0 or -errno, the written struct in *out. */
static inline int ipcchan_test_recv(int fd, void *buf, __u32 len, __u32 flags,
				    __s64 timeout_ns, struct ipcchan_msg *out)
{
	struct ipcchan_msg m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.buf = (__u64)(unsigned long)buf;
	m.len = len;
	m.flags = flags;
	m.timeout_ns = timeout_ns;
	ret = (int)ipcchan_ioctl(fd, IPCCHAN_IOC_RECV, &m);
	if (out)
		*out = m;
	return ret;
}

/* IPCCHAN_IOC_INFO; 0 or -errno. */
static inline int ipcchan_test_info(int fd, struct ipcchan_info *info)
{
	memset(info, 0, sizeof(*info));
	return (int)ipcchan_ioctl(fd, IPCCHAN_IOC_INFO, info);
}

/*
 * Wait until at least @want tasks are blocked receiving (@receivers) or
 * sending on the channel @fd is attached to.  Polls INFO every millisecond
 * for up to @timeout_ms.  Returns 0, -ETIMEDOUT, or -errno from INFO.
 */
static inline int ipcchan_wait_blocked(int fd, int receivers, __u32 want,
				       int timeout_ms)
{
	long long end = ipcchan_now_ns() + timeout_ms * 1000000LL;
	struct ipcchan_info info;
	int ret;

	for (;;) {
		ret = ipcchan_test_info(fd, &info);
		if (ret)
			return ret;
		if ((receivers ? info.blocked_receivers :
				 info.blocked_senders) >= want)
			return 0;
		if (ipcchan_now_ns() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

/* Write @text to the file at @path (sysfs, procfs, cgroupfs); 0 or -errno. */
static inline int ipcchan_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	if (n < 0)
		return -errno;
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* True when every byte of the object is zero. */
static inline int ipcchan_all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i])
			return 0;
	return 1;
}

/*
 * In a kselftest harness TEST, TEST_F or FIXTURE_SETUP: skip unless @cond.
 * (A plain SKIP(return) in a 6.1 FIXTURE_SETUP would still run the test
 * body, so jump back to the harness wrapper.)
 */
#define IPCCHAN_SKIP_UNLESS(cond, fmt, ...) do {			\
	if (!(cond))							\
		SKIP(longjmp(_metadata->env, 1), fmt, ##__VA_ARGS__);	\
} while (0)

/* Skip the test when the device is missing. */
#define IPCCHAN_REQUIRE_DEV()						\
	IPCCHAN_SKIP_UNLESS(ipcchan_present(), "%s not present",	\
			    IPCCHAN_DEVICE)

/* --- Kernel features named in tests/config: without one, tests skip ----- */

#include <linux/futex.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

/*
 * 0 when a child process can unshare(@flags), else -errno: -EINVAL when
 * the kernel lacks the namespace (CONFIG_IPC_NS, CONFIG_PID_NS, ...),
 * -EPERM without CAP_SYS_ADMIN.
 */
static inline int ipcchan_try_unshare(int flags)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(unshare(flags) ? errno : 0);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -ECHILD;
	return -WEXITSTATUS(st);
}

/* setresuid(), setgroups(), capset() exist (CONFIG_MULTIUSER). */
static inline int ipcchan_have_multiuser(void)
{
	return setresuid(-1, -1, -1) == 0 || errno != ENOSYS;
}

/* futex() exists (CONFIG_FUTEX): threads can be joined. */
static inline int ipcchan_have_futex(void)
{
	int word = 0;

	return syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0) >= 0 ||
	       errno != ENOSYS;
}

/* timer_create(), setitimer(), alarm() exist (CONFIG_POSIX_TIMERS). */
static inline int ipcchan_have_posix_timers(void)
{
	struct itimerval it;

	return getitimer(ITIMER_REAL, &it) == 0 || errno != ENOSYS;
}

/* epoll exists (CONFIG_EPOLL). */
static inline int ipcchan_have_epoll(void)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENOSYS;
}

/* delete_module() exists (CONFIG_MODULE_UNLOAD). */
static inline int ipcchan_have_module_unload(void)
{
	return syscall(SYS_delete_module, "", O_NONBLOCK) == 0 ||
	       errno != ENOSYS;
}

/* In a harness test: skip unless @cond, naming the missing @option. */
#define IPCCHAN_REQUIRE_KERNEL(cond, option)				\
	IPCCHAN_SKIP_UNLESS(cond, "the kernel has no %s", option)

/* The module's reference count from sysfs, or -1. */
static inline int ipcchan_module_refcnt(void)
{
	FILE *f = fopen("/sys/module/ipcchan/refcnt", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* --- Child processes ------------------------------------------------------ */

#include <signal.h>
#include <sys/prctl.h>

/* Handle @sig with @fn (no signal masked), with or without SA_RESTART. */
static inline void ipcchan_handle_signal(int sig, void (*fn)(int),
					 int restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/*
 * fork() a child that runs @fn(@arg) and exits with its result; the child
 * dies with the test process (PR_SET_PDEATHSIG).
 */
static inline pid_t ipcchan_spawn(int (*fn)(void *), void *arg)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(99);
		_exit(fn(arg) & 0xff);
	}
	return pid;
}

/*
 * Run this test program again in a child, as an unrelated process that
 * shares nothing but what @argv names: argv[1] is "--role=...", which
 * IPCCHAN_HARNESS_MAIN(hook) hands to the hook.  The child dies with the
 * test process.
 */
static inline pid_t ipcchan_spawn_self(char *const argv[])
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	return pid;
}

/*
 * Wait up to @ms for @pid to exit.  Returns its exit status, 128 + signal
 * when it was killed, or -1 (after killing it) on timeout.
 */
static inline int ipcchan_reap(pid_t pid, int ms)
{
	long long end = ipcchan_now_ns() + ms * 1000000LL;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0)
			return -1;
		if (ipcchan_now_ns() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(1000);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* True when @pid has not exited yet; it is not reaped either way. */
static inline int ipcchan_still_running(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return 0;
	return si.si_pid == 0;
}


/*
 * After a storm of calls (the fuzz, kill and stress tests): the channel
 * still works.  Drain it through @drain (RECV until EAGAIN), then one
 * message sent on @tx arrives whole on @rx.
 */
static inline void ipcchan_check_alive(struct __test_metadata *_metadata,
				       int drain, int tx, int rx)
{
	struct ipcchan_msg m;
	char buf[16384];

	do {
		memset(&m, 0, sizeof(m));
		m.buf = (__u64)(unsigned long)buf;
		m.len = sizeof(buf);
		m.flags = IPCCHAN_NONBLOCK;
	} while (!ioctl(drain, IPCCHAN_IOC_RECV, &m));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ipcchan_test_send(tx, "alive", 5, 0, 0, 0, NULL));
	ASSERT_EQ(0, ipcchan_test_recv(rx, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(5U, m.len);
	EXPECT_EQ(0, memcmp(buf, "alive", 5));
}

/* --- Creating channels field by field (the channel tests) ---------------- */

/* A valid create of a fresh channel; tests then break one field. */
static inline void base_attach(struct ipcchan_attach *at, const char *tag)
{
	memset(at, 0, sizeof(*at));
	ipcchan_test_name(at->name, sizeof(at->name), tag);
	at->flags = IPCCHAN_CREATE;
	at->access = IPCCHAN_ACCESS_RDWR;
	at->mode = 0600;
}

/*
 * ATTACH on a fresh file: 0 or -errno; with @fdp, the attached fd goes to
 * *fdp (-1 on failure).
 */
static inline int try_attach(struct ipcchan_attach *at, int *fdp)
{
	int fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	int ret;

	if (fdp)
		*fdp = -1;
	if (fd < 0)
		return -errno;
	ret = (int)ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, at);
	if (ret || !fdp)
		close(fd);
	else
		*fdp = fd;
	return ret;
}

/* True when the channel @name exists (an attach without CREATE works). */
static inline int chan_exists(const char *name)
{
	int fd = ipcchan_test_attach(name, 0, IPCCHAN_ACCESS_RECV, 0);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/*
 * Expect @at (a create of a fresh, valid name) to fail with @err and to
 * leave no channel behind; unlink it if it was created anyway.
 */
static inline void expect_create_fails(struct __test_metadata *_metadata,
				struct ipcchan_attach *at, int err)
{
	char name[IPCCHAN_NAME_MAX];
	int ret, exists;

	memcpy(name, at->name, sizeof(name));
	ret = try_attach(at, NULL);
	exists = chan_exists(name);
	if (exists)
		ipcchan_test_unlink(name);
	EXPECT_EQ(-err, ret);
	EXPECT_EQ(0, exists) TH_LOG("a rejected create left channel %s", name);
}

/* A new file on the device, not attached to any channel. */
static inline int unattached_fd(void)
{
	return open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
}

/* Skip unless a channel reserving @bytes fits both byte quotas now. */
#define SKIP_UNLESS_FITS(mi, bytes)					\
	IPCCHAN_SKIP_UNLESS((bytes) <= (mi).user_bytes_limit &&		\
			    (mi).reserved_bytes + (bytes) <=		\
			    (mi).total_bytes_limit,			\
			    "a channel of %llu bytes exceeds the quota",	\
			    (unsigned long long)(bytes))

#include "ipcchan_harness.h"

#endif /* IPCCHAN_UTIL_H */
