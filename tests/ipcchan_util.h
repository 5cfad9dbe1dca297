/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the ipcchan kselftests: open the device or skip,
 * poison output structs, make unique channel names.
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
 * Open the device and attach to @name with @flags/@access; 0 sizes take the
 * module defaults.  Returns the fd or -errno.
 */
static inline int ipcchan_test_attach(const char *name, __u32 flags,
				      __u32 access, __u32 mode)
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
	ret = ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, &at);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
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

/*
 * main() for a test binary built on kselftest_harness.h: the whole binary
 * exits with KSFT_SKIP when /dev/ipcchan is absent (the 6.1 harness exits
 * with KSFT_PASS when every test skipped).  @hook(argc, argv) runs first and
 * may take over the process (for exec'd helper roles); pass NULL for none.
 */
#define IPCCHAN_HARNESS_MAIN(hook)					\
	int main(int argc, char **argv)					\
	{								\
		int (*__hook)(int, char **) = (hook);			\
									\
		if (__hook && argc > 1 && !strncmp(argv[1], "--role=", 7)) \
			return __hook(argc, argv);			\
		if (!ipcchan_present()) {				\
			ksft_print_header();				\
			ksft_exit_skip("%s not present (module not loaded)\n", \
				       IPCCHAN_DEVICE);			\
		}							\
		return test_harness_run(argc, argv);			\
	}

#endif /* IPCCHAN_UTIL_H */
