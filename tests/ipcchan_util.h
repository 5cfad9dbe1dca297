/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ipcchan kselftests share, once: open the device or skip, poison
 * output structs, make unique channel names, wrap each ioctl, skip when the
 * kernel lacks a feature, run children (ipcchan_spawn(), ipcchan_reap(),
 * ipcchan_spawn_self()), create channels field by field.  Include it after
 * kselftest_harness.h.  Further down, each with its own guard:
 *
 *  - the tests' own ring code (an independent copy of the ring protocol,
 *    on purpose: see there);
 *  - FIXTURE(pair) for the message tests, where IPCCHAN_PAIR_FIXTURE is
 *    defined;
 *  - FIXTURE(ring) for the ring tests, where IPCCHAN_RING_FIXTURE is
 *    defined.
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

/*
 * ==== Ring helpers (ipcchan_ring_test.c, ipcchan_ring_stress_test.c) =====
 *
 * A small, self-contained single-producer / single-consumer ring that
 * follows the protocol in the ring section of <linux/ipcchan.h> exactly:
 * positions are published with release stores and read with acquire loads;
 * a side that must wait sets its own waiting flag, issues a full barrier,
 * re-reads the peer's position and only then calls RING_WAIT; the other
 * side, after publishing, issues a full barrier and calls RING_NOTIFY only
 * when the peer's waiting flag is set.  Waiting is a bounded spin, then a
 * sleep in the kernel.  Everything read from the shared header is checked:
 * a corrupt header gives -EIO, never an out-of-bounds access.
 *
 * This is an independent copy of the ring protocol, on purpose: it is
 * written from the UAPI header alone and shares no code with libipcchan's
 * ring, so the tests check both the kernel's UAPI and the library against
 * a second implementation, and a bug in the library cannot hide by being
 * the yardstick it is measured with.  Do not replace it with calls into
 * the library.
 */
#ifndef IPCCHAN_UTIL_RING_H
#define IPCCHAN_UTIL_RING_H

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>

/* One end of a mapped ring. */
struct ipcchan_tring {
	int fd;
	unsigned char *map;		/* whole mapping, NULL when unmapped */
	size_t map_size;
	struct ipcchan_ring_hdr *hdr;
	unsigned char *data;		/* first copy of the data area */
	__u64 size;			/* D, bytes of the data area */
	__u64 pos;			/* this side's private position */
	unsigned int spin;		/* position checks before sleeping */
	__u64 sleeps;			/* RING_WAIT calls made */
	__u64 notifies;			/* RING_NOTIFY calls made */
};

static inline void ipcchan_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* IPCCHAN_IOC_RING_WAIT; 0 or -errno. */
static inline int ipcchan_ring_wait_ioc(int fd, __u32 which, __u64 expected,
					__u32 flags, __s64 timeout_ns)
{
	struct ipcchan_ring_wait rw;

	memset(&rw, 0, sizeof(rw));
	rw.which = which;
	rw.flags = flags;
	rw.expected = expected;
	rw.timeout_ns = timeout_ns;
	return (int)ipcchan_ioctl(fd, IPCCHAN_IOC_RING_WAIT, &rw);
}

/* IPCCHAN_IOC_RING_NOTIFY; the number of waiters woken or -errno. */
static inline int ipcchan_ring_notify_ioc(int fd, __u32 which)
{
	struct ipcchan_ring_notify rn;

	memset(&rn, 0, sizeof(rn));
	rn.which = which;
	return (int)ipcchan_ioctl(fd, IPCCHAN_IOC_RING_NOTIFY, &rn);
}

/* Bytes a record with @len payload bytes takes in the data area. */
static inline __u64 ipcchan_tring_recsize(__u64 len)
{
	return (sizeof(struct ipcchan_ring_rec) + len + IPCCHAN_RING_ALIGN - 1) &
	       ~(__u64)(IPCCHAN_RING_ALIGN - 1);
}

/*
 * Map the whole ring of the channel @fd is attached to, and start this
 * side's private position at the header's value for @side (the producer
 * passes IPCCHAN_RING_PROD, the consumer IPCCHAN_RING_CONS).  0 or -errno.
 */
static inline int ipcchan_tring_map(struct ipcchan_tring *r, int fd,
				    __u32 side)
{
	struct ipcchan_info info;
	void *p;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	ret = ipcchan_test_info(fd, &info);
	if (ret)
		return ret;
	if (!info.ring_pages)
		return -ENXIO;
	p = mmap(NULL, info.ring_map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->map = p;
	r->map_size = info.ring_map_size;
	r->hdr = p;
	r->data = r->map + info.ring_data_offset;
	r->size = info.ring_data_size;
	r->pos = __atomic_load_n(side == IPCCHAN_RING_PROD ? &r->hdr->prod.pos :
				 &r->hdr->cons.pos, __ATOMIC_ACQUIRE);
	r->spin = 200;
	return 0;
}

static inline void ipcchan_tring_unmap(struct ipcchan_tring *r)
{
	if (r->map)
		munmap(r->map, r->map_size);
	r->map = NULL;
	r->hdr = NULL;
	r->data = NULL;
}

/*
 * Wait until the peer's position @which moves away from @seen: a bounded
 * spin, then waiting flag + full barrier + recheck + RING_WAIT until the
 * absolute CLOCK_MONOTONIC @deadline_ns.  Returns 0 when the caller should
 * look again (the position moved, or a notify came), else -errno.
 */
static inline int ipcchan_tring_wait(struct ipcchan_tring *r, __u32 which,
				     __u64 seen, long long deadline_ns)
{
	__u64 *other = which == IPCCHAN_RING_PROD ? &r->hdr->prod.pos :
						    &r->hdr->cons.pos;
	__u32 *mine = which == IPCCHAN_RING_PROD ? &r->hdr->cons.waiting :
						   &r->hdr->prod.waiting;
	long long left;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < r->spin; i++) {
		if (__atomic_load_n(other, __ATOMIC_ACQUIRE) != seen)
			return 0;
		ipcchan_cpu_relax();
	}
	__atomic_store_n(mine, 1, __ATOMIC_RELAXED);
	/* Flag store before the position load: pairs with the peer's fence. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(other, __ATOMIC_ACQUIRE) != seen)
		goto out;
	left = deadline_ns - ipcchan_now_ns();
	if (left <= 0) {
		ret = -ETIMEDOUT;
		goto out;
	}
	r->sleeps++;
	ret = ipcchan_ring_wait_ioc(r->fd, which, seen, IPCCHAN_TIMEOUT, left);
out:
	__atomic_store_n(mine, 0, __ATOMIC_RELAXED);
	return ret;
}

/*
 * After publishing position @which: full barrier (position store before
 * the flag load), then notify if the peer sleeps or is about to.
 */
static inline void ipcchan_tring_kick(struct ipcchan_tring *r, __u32 which)
{
	__u32 *peer = which == IPCCHAN_RING_PROD ? &r->hdr->cons.waiting :
						   &r->hdr->prod.waiting;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(peer, __ATOMIC_RELAXED)) {
		r->notifies++;
		ipcchan_ring_notify_ioc(r->fd, which);
	}
}

/*
 * Producer: room for a record of @len payload bytes, waiting at most
 * @timeout_ns.  Returns the payload pointer (contiguous thanks to the
 * double mapping) or NULL with *err = -EMSGSIZE, -EIO (corrupt header),
 * -ETIMEDOUT, -EINTR.
 */
static inline void *ipcchan_tring_reserve(struct ipcchan_tring *r, __u32 len,
					  long long timeout_ns, int *err)
{
	long long deadline = ipcchan_now_ns() + timeout_ns;
	__u64 need = ipcchan_tring_recsize(len), h = r->pos, t;
	struct ipcchan_ring_rec *rec;
	int ret;

	if (need > r->size) {
		*err = -EMSGSIZE;
		return NULL;
	}
	for (;;) {
		/* Pairs with the consumer's release of cons.pos. */
		t = __atomic_load_n(&r->hdr->cons.pos, __ATOMIC_ACQUIRE);
		if (h - t > r->size) {
			*err = -EIO;
			return NULL;
		}
		if (r->size - (h - t) >= need)
			break;
		ret = ipcchan_tring_wait(r, IPCCHAN_RING_CONS, t, deadline);
		if (ret) {
			*err = ret;
			return NULL;
		}
	}
	rec = (struct ipcchan_ring_rec *)(r->data + (h & (r->size - 1)));
	rec->len = len;
	rec->flags = 0;
	return rec + 1;
}

/* Producer: publish the record reserved with @len payload bytes. */
static inline void ipcchan_tring_commit(struct ipcchan_tring *r, __u32 len)
{
	r->pos += ipcchan_tring_recsize(len);
	/* Record bytes before the position: pairs with the consumer's acquire. */
	__atomic_store_n(&r->hdr->prod.pos, r->pos, __ATOMIC_RELEASE);
	ipcchan_tring_kick(r, IPCCHAN_RING_PROD);
}

/*
 * Consumer: the next record, waiting at most @timeout_ns.  Returns its
 * payload (length in *len) or NULL with *err = -EIO (corrupt header or
 * record), -ETIMEDOUT, -EINTR.  Padding records are skipped.
 */
static inline const void *ipcchan_tring_peek(struct ipcchan_tring *r,
					     __u32 *len, long long timeout_ns,
					     int *err)
{
	long long deadline = ipcchan_now_ns() + timeout_ns;
	struct ipcchan_ring_rec *rec;
	__u64 h, t, avail;
	__u32 l, fl;
	int ret;

	for (;;) {
		t = r->pos;
		/* Pairs with the producer's release of prod.pos. */
		h = __atomic_load_n(&r->hdr->prod.pos, __ATOMIC_ACQUIRE);
		if (h == t) {
			ret = ipcchan_tring_wait(r, IPCCHAN_RING_PROD, t,
						 deadline);
			if (ret) {
				*err = ret;
				return NULL;
			}
			continue;
		}
		avail = h - t;
		if (avail > r->size || avail < sizeof(*rec)) {
			*err = -EIO;
			return NULL;
		}
		rec = (struct ipcchan_ring_rec *)(r->data + (t & (r->size - 1)));
		l = __atomic_load_n(&rec->len, __ATOMIC_RELAXED);
		fl = __atomic_load_n(&rec->flags, __ATOMIC_RELAXED);
		if (ipcchan_tring_recsize(l) > avail) {
			*err = -EIO;
			return NULL;
		}
		if (!(fl & IPCCHAN_RING_REC_PAD))
			break;
		r->pos = t + ipcchan_tring_recsize(l);
		__atomic_store_n(&r->hdr->cons.pos, r->pos, __ATOMIC_RELEASE);
		ipcchan_tring_kick(r, IPCCHAN_RING_CONS);
	}
	*len = l;
	return rec + 1;
}

/* Consumer: give back the record peeked with @len payload bytes. */
static inline void ipcchan_tring_release(struct ipcchan_tring *r, __u32 len)
{
	r->pos += ipcchan_tring_recsize(len);
	/* Done reading before the slot is freed: pairs with the producer. */
	__atomic_store_n(&r->hdr->cons.pos, r->pos, __ATOMIC_RELEASE);
	ipcchan_tring_kick(r, IPCCHAN_RING_CONS);
}

/* Copying wrappers: 0 or -errno (recv: -EMSGSIZE keeps the record). */
static inline int ipcchan_tring_send(struct ipcchan_tring *r, const void *buf,
				     __u32 len, long long timeout_ns)
{
	void *p;
	int err;

	p = ipcchan_tring_reserve(r, len, timeout_ns, &err);
	if (!p)
		return err;
	memcpy(p, buf, len);
	ipcchan_tring_commit(r, len);
	return 0;
}

static inline int ipcchan_tring_recv(struct ipcchan_tring *r, void *buf,
				     __u32 cap, __u32 *len,
				     long long timeout_ns)
{
	const void *p;
	int err;

	p = ipcchan_tring_peek(r, len, timeout_ns, &err);
	if (!p)
		return err;
	if (*len > cap)
		return -EMSGSIZE;
	memcpy(buf, p, *len);
	ipcchan_tring_release(r, *len);
	return 0;
}

/*
 * Wait until task @pid sleeps (state S) inside system call @nr or @nr2,
 * with @arg1 as its second argument unless @arg1 is 0 (for ioctl(): the
 * command), as /proc/<pid>/syscall shows, for up to @timeout_ms.  0 when it
 * does, -ETIMEDOUT, or -ENOENT when the kernel has no /proc/<pid>/syscall
 * (callers then fall back to a plain delay).
 */
static inline int ipcchan_wait_in_syscall(pid_t pid, long nr, long nr2,
					  unsigned long arg1, int timeout_ms)
{
	long long end = ipcchan_now_ns() + timeout_ms * 1000000LL;
	char path[64], buf[256], st[512];
	unsigned long a0, a1;
	long cur;

	for (;;) {
		FILE *f;
		char *p;
		int ok = 0;

		snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
		f = fopen(path, "r");
		if (!f)
			return -ENOENT;
		if (fgets(buf, sizeof(buf), f) &&
		    sscanf(buf, "%ld 0x%lx 0x%lx", &cur, &a0, &a1) == 3 &&
		    (cur == nr || cur == nr2) && (!arg1 || a1 == arg1))
			ok = 1;
		fclose(f);
		if (ok) {
			snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
			f = fopen(path, "r");
			ok = 0;
			if (f) {
				if (fgets(st, sizeof(st), f)) {
					p = strrchr(st, ')');
					ok = p && p[1] == ' ' && p[2] == 'S';
				}
				fclose(f);
			}
			if (ok)
				return 0;
		}
		if (ipcchan_now_ns() > end)
			return -ETIMEDOUT;
		usleep(2000);
	}
}

#endif /* IPCCHAN_UTIL_RING_H */
/* ==== end of ring helpers ============================================= */

/*
 * ==== The pair fixture (the message tests) ===============================
 *
 * FIXTURE(pair): a fresh channel, PAIR_MSGS deep for messages of up to
 * PAIR_SIZE bytes, with the creator's send-only file tx and a receive-only
 * file rx.  Only a test program that defines IPCCHAN_PAIR_FIXTURE before
 * including this header gets it (a fixture defined here would otherwise
 * show up, empty, in every program's test list).
 */
#if defined(IPCCHAN_PAIR_FIXTURE) && !defined(IPCCHAN_UTIL_PAIR_H)
#define IPCCHAN_UTIL_PAIR_H

#include <fcntl.h>

#define PAIR_MSGS	8	/* queue depth of the fixture's channel */
#define PAIR_SIZE	256	/* largest message of the fixture's channel */
#define WAIT_MS		5000	/* bound on waiting for a peer to block */
#define SEC		1000000000LL
#define MS		1000000LL
#define SLACK		(2 * SEC)	/* allowed lateness of a timeout (TCG) */

FIXTURE(pair) {
	char name[IPCCHAN_NAME_MAX];
	int tx;		/* attached with send access (creator) */
	int rx;		/* attached with receive access */
};

/* Create the pair's channel in @name: the fds in *tx and *rx. */
static inline void pair_open(struct __test_metadata *_metadata, char *name,
			     size_t len, int *tx, int *rx)
{
	IPCCHAN_REQUIRE_DEV();
	ipcchan_test_name(name, len, "pair");
	*tx = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				     IPCCHAN_ACCESS_SEND, 0600,
				     PAIR_MSGS, PAIR_SIZE, 0);
	ASSERT_LE(0, *tx);
	*rx = ipcchan_test_attach(name, 0, IPCCHAN_ACCESS_RECV, 0);
	ASSERT_LE(0, *rx);
}

static inline void pair_close(const char *name, int tx, int rx)
{
	if (rx > 0)
		close(rx);
	if (tx > 0)
		close(tx);
	ipcchan_test_unlink(name);
}

FIXTURE_SETUP(pair)
{
	pair_open(_metadata, self->name, sizeof(self->name), &self->tx,
		  &self->rx);
}

FIXTURE_TEARDOWN(pair)
{
	pair_close(self->name, self->tx, self->rx);
}

/* Messages queued on the channel @fd is attached to (~0 on error). */
static inline __u64 cur_msgs(int fd)
{
	struct ipcchan_info info;

	if (ipcchan_test_info(fd, &info))
		return ~0ULL;
	return info.cur_msgs;
}

/* Fill the pair's queue with PAIR_MSGS one-byte messages. */
static inline void fill_queue(struct __test_metadata *_metadata, int tx)
{
	int i;

	for (i = 0; i < PAIR_MSGS; i++)
		ASSERT_EQ(0, ipcchan_test_send(tx, "f", 1, 0, IPCCHAN_NONBLOCK,
					       0, NULL));
	ASSERT_EQ((__u64)PAIR_MSGS, cur_msgs(tx));
}

static inline void set_nonblock(struct __test_metadata *_metadata, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

/* What a forked peer of the pair works with. */
struct peer {
	int fd;		/* file the child uses */
	int watch;	/* file the child watches INFO on */
	int arg;
};

/* Child: wait until the parent blocks in RECV, then send one message. */
static inline int send_when_receiver_blocked(void *p)
{
	struct peer *pe = p;

	if (ipcchan_wait_blocked(pe->watch, 1, 1, WAIT_MS))
		return 10;
	return ipcchan_test_send(pe->fd, "late", 4, 0, 0, 0, NULL) ? 11 : 0;
}

#endif /* IPCCHAN_PAIR_FIXTURE */
/* ==== end of the pair fixture ========================================== */

/*
 * ==== The ring fixture (the ring tests) ==================================
 *
 * FIXTURE(ring): a fresh channel with RING_PAGES ring pages, its INFO, and
 * map_all() to map the whole ring; with the helpers the ring tests share.
 * Only a test program that defines IPCCHAN_RING_FIXTURE before including
 * this header gets it.
 */
#if defined(IPCCHAN_RING_FIXTURE) && !defined(IPCCHAN_UTIL_RING_FIXTURE_H)
#define IPCCHAN_UTIL_RING_FIXTURE_H

#include <sys/time.h>

#define MS		1000000LL
#define SEC		1000000000LL
/* The VM is slow (TCG): a wait may overrun its timeout by this much. */
#define SLACK_NS	(2 * SEC)
#define RING_PAGES	4

/* Create a fresh channel with @pages ring pages; fd or -errno. */
static inline int create_ring(char *name, size_t len, const char *tag,
			      __u32 pages)
{
	ipcchan_test_name(name, len, tag);
	return ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				      IPCCHAN_ACCESS_RDWR, 0600, 0, 0, pages);
}

static inline __u32 mappings(int fd)
{
	struct ipcchan_info info;

	if (ipcchan_test_info(fd, &info))
		return ~0U;
	return info.mappings;
}

static inline long long live_channels(void)
{
	struct ipcchan_modinfo mi;

	if (ipcchan_get_modinfo(&mi))
		return -1;
	return (long long)mi.channels;
}

/*
 * Wait until @pid sleeps in ioctl(RING_WAIT) (@poll 0) or in poll()
 * (@poll 1).  Falls back to a fixed delay on a kernel without
 * /proc/<pid>/syscall.
 */
static inline int wait_asleep_in(pid_t pid, int poll)
{
	int ret;

	if (poll)
		ret = ipcchan_wait_in_syscall(pid, SYS_poll, SYS_ppoll, 0,
					      10000);
	else
		ret = ipcchan_wait_in_syscall(pid, SYS_ioctl, SYS_ioctl,
					      IPCCHAN_IOC_RING_WAIT, 10000);

	if (ret == -ENOENT) {
		usleep(500000);
		return 0;
	}
	return ret;
}

static volatile sig_atomic_t got_signal;
static volatile __u64 *signal_store;	/* the handler stores 8 here if set */

static inline void on_signal(int sig)
{
	(void)sig;
	got_signal++;
	if (signal_store)
		*signal_store = 8;
}

/* Install on_signal for SIGALRM and arm a one-shot timer of @ms. */
static inline void alarm_in(int ms, int restart)
{
	struct itimerval it;

	ipcchan_handle_signal(SIGALRM, on_signal, restart);
	got_signal = 0;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static inline void alarm_off(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
	signal_store = NULL;
}

/* What a forked peer needs: the channel name and a record length. */
struct waker_arg {
	const char *name;
	__u32 len;
};

/* Payload byte @k of record @seq: changes with both. */
static inline unsigned char pat(__u64 seq, __u32 k)
{
	__u64 x = (seq + 1) * 0x9e3779b97f4a7c15ULL + k * 0xbf58476d1ce4e5b9ULL;

	return (unsigned char)(x >> 56);
}

FIXTURE(ring) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
	struct ipcchan_info info;
	size_t pg;
	unsigned char *map;	/* whole ring, from map_all() */
};

FIXTURE_SETUP(ring)
{
	IPCCHAN_REQUIRE_DEV();
	self->pg = sysconf(_SC_PAGESIZE);
	self->fd = create_ring(self->name, sizeof(self->name), "ring",
			       RING_PAGES);
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(-self->fd));
	ASSERT_EQ(0, ipcchan_test_info(self->fd, &self->info));
	ASSERT_EQ((__u32)RING_PAGES, self->info.ring_pages);
}

FIXTURE_TEARDOWN(ring)
{
	if (self->map)
		munmap(self->map, self->info.ring_map_size);
	if (self->fd >= 0)
		close(self->fd);
	ipcchan_test_unlink(self->name);
}

static inline unsigned char *map_all(FIXTURE_DATA(ring) *self)
{
	void *p = mmap(NULL, self->info.ring_map_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, self->fd, 0);

	if (p == MAP_FAILED)
		return NULL;
	self->map = p;
	return p;
}

#define HDR(self)	((struct ipcchan_ring_hdr *)(self)->map)
#define DATA(self)	((self)->map + (self)->info.ring_data_offset)
#define DSIZE(self)	((self)->info.ring_data_size)

#endif /* IPCCHAN_RING_FIXTURE */
/* ==== end of the ring fixture ========================================== */
