/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan_ring_fixture.h: the ring fixture of the ring tests
 *
 * FIXTURE(ring): a fresh channel with RING_PAGES ring pages, its INFO, and
 * map_all() to map the whole ring; with the helpers the ring tests share.
 * Only the programs that use it include this header: a fixture in
 * ipcchan_util.h would show up, empty, in every program's test list.
 */
#ifndef IPCCHAN_UTIL_RING_FIXTURE_H
#define IPCCHAN_UTIL_RING_FIXTURE_H

#include "ipcchan_ring.h"

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

#endif /* IPCCHAN_UTIL_RING_FIXTURE_H */
