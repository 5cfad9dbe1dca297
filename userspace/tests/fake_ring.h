/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake channel of the host ring tests (host_ring.c, host_ring_bench.c),
 * linked with -Wl,--wrap=ioctl,--wrap=mmap: fake_fd answers
 * IPCCHAN_IOC_INFO with a ring layout, mmap of it builds the double mapping
 * the module makes (header page + data pages mapped twice, from a memfd,
 * one PROT_NONE page after it), RING_WAIT polls the shared position (with
 * its timeout) and NOTIFY only counts.  The includer defines PAGE,
 * DATA_PAGES and D (= DATA_PAGES * PAGE) first; fake_data_size (D unless a
 * test sets another power of two) is the data size INFO reports and mmap
 * builds.
 */
#ifndef IPCCHAN_FAKE_RING_H
#define IPCCHAN_FAKE_RING_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <ipcchan.h>

static int fake_fd = -1;
static struct ipcchan_ring_hdr *fake_hdr;
static unsigned long waits, notifies;
static unsigned int fake_abi = IPCCHAN_ABI_VERSION;
static uint64_t fake_data_size = D;	/* what INFO reports */
/* Called by RING_NOTIFY when set: a peer that acts when woken. */
static void (*fake_notify_hook)(unsigned int which);

int __real_ioctl(int fd, unsigned long req, ...);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != fake_fd)
		return __real_ioctl(fd, req, arg);

	if (req == IPCCHAN_IOC_INFO) {
		struct ipcchan_info *in = arg;

		memset(in, 0, sizeof(*in));
		in->mod.abi_version = fake_abi;
		in->ring_pages = DATA_PAGES;
		in->ring_hdr_offset = 0;
		in->ring_data_offset = PAGE;
		in->ring_data_size = fake_data_size;
		in->ring_map_size = PAGE + 2 * fake_data_size;
		return 0;
	}
	if (req == IPCCHAN_IOC_RING_WAIT) {
		struct ipcchan_ring_wait *w = arg;
		__u64 *pos = w->which == IPCCHAN_RING_PROD ? &fake_hdr->prod.pos :
							     &fake_hdr->cons.pos;
		struct timespec ts = { 0, 20000 };
		int64_t left = w->timeout_ns;

		if (w->which > 1) {
			errno = EINVAL;
			return -1;
		}
		waits++;
		while (__atomic_load_n(pos, __ATOMIC_ACQUIRE) == w->expected) {
			if (w->flags & IPCCHAN_TIMEOUT) {
				if (left <= 0) {
					errno = ETIMEDOUT;
					return -1;
				}
				left -= 20000;
			}
			nanosleep(&ts, NULL);
		}
		return 0;
	}
	if (req == IPCCHAN_IOC_RING_NOTIFY) {
		notifies++;
		if (fake_notify_hook)
			fake_notify_hook(((struct ipcchan_ring_notify *)arg)->which);
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	unsigned char *base;
	int mfd;

	if (fd != fake_fd || fd < 0)
		return __real_mmap(addr, len, prot, flags, fd, off);
	if (off || len != PAGE + 2 * fake_data_size) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	/* A memfd is sparse: a 4 GiB ring costs the pages touched only. */
	mfd = memfd_create("fake-ring", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, (off_t)(PAGE + fake_data_size)))
		return MAP_FAILED;
	/* One PROT_NONE page stays after the mapping: an overrun faults. */
	base = __real_mmap(NULL, len + PAGE, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return MAP_FAILED;
	if (__real_mmap(base, PAGE + fake_data_size, prot,
			MAP_SHARED | MAP_FIXED, mfd, 0) == MAP_FAILED ||
	    __real_mmap(base + PAGE + fake_data_size, fake_data_size, prot,
			MAP_SHARED | MAP_FIXED, mfd, (off_t)PAGE) == MAP_FAILED)
		return MAP_FAILED;
	close(mfd);
	fake_hdr = (struct ipcchan_ring_hdr *)base;
	return base;
}

#endif /* IPCCHAN_FAKE_RING_H */
