// SPDX-License-Identifier: GPL-2.0
/*
 * Host microbenchmark of the library's ring fast path, without the module.
 *
 *	host_ring_bench [copy|zc] [count] [size] [fork]
 *
 * Linked like host_ring (-Wl,--wrap=ioctl,--wrap=mmap): a fake channel fd
 * answers IPCCHAN_IOC_INFO and mmap with a double-mapped memfd ring.  In one
 * process it sends and receives @count records of @size bytes (default
 * 1000000 of 64 B), one send and one receive at a time, so every call takes
 * the fast path; with "fork" a child consumes while the parent produces
 * (RING_WAIT polls, NOTIFY does nothing).  Meant for counting instructions:
 *
 *	valgrind --tool=callgrind build/host/host_ring_bench copy 1000000
 *
 * and dividing the total by @count.  Host only, not staged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ipcchan.h>

#define PAGE		4096UL
#define DATA_PAGES	16UL
#define D		(DATA_PAGES * PAGE)

static int fake_fd = -1;
static struct ipcchan_ring_hdr *fake_hdr;

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
		in->mod.abi_version = IPCCHAN_ABI_VERSION;
		in->ring_pages = DATA_PAGES;
		in->ring_hdr_offset = 0;
		in->ring_data_offset = PAGE;
		in->ring_data_size = D;
		in->ring_map_size = PAGE + 2 * D;
		return 0;
	}
	if (req == IPCCHAN_IOC_RING_WAIT) {
		struct ipcchan_ring_wait *w = arg;
		__u64 *pos = w->which == IPCCHAN_RING_PROD ? &fake_hdr->prod.pos :
							     &fake_hdr->cons.pos;
		struct timespec ts = { 0, 20000 };

		while (__atomic_load_n(pos, __ATOMIC_ACQUIRE) == w->expected)
			nanosleep(&ts, NULL);
		return 0;
	}
	if (req == IPCCHAN_IOC_RING_NOTIFY)
		return 0;
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
	if (off || len != PAGE + 2 * D) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	mfd = memfd_create("fake-ring", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, (off_t)(PAGE + D)))
		return MAP_FAILED;
	base = __real_mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (base == MAP_FAILED)
		return MAP_FAILED;
	if (__real_mmap(base, PAGE + D, prot, MAP_SHARED | MAP_FIXED, mfd, 0) ==
	    MAP_FAILED ||
	    __real_mmap(base + PAGE + D, D, prot, MAP_SHARED | MAP_FIXED, mfd,
			(off_t)PAGE) == MAP_FAILED)
		return MAP_FAILED;
	close(mfd);
	fake_hdr = (struct ipcchan_ring_hdr *)base;
	return base;
}

static int produce(struct ipcchan_ring *r, int zc, const unsigned char *buf,
		   size_t size)
{
	void *p;

	if (!zc)
		return ipcchan_ring_send(r, buf, size, IPCCHAN_WAIT_FOREVER) ==
		       (ssize_t)size ? 0 : -1;
	if (ipcchan_ring_reserve(r, size, &p, IPCCHAN_WAIT_FOREVER))
		return -1;
	memcpy(p, buf, size);
	return ipcchan_ring_commit(r);
}

static int consume(struct ipcchan_ring *r, int zc, unsigned char *buf,
		   size_t size)
{
	const void *p;
	size_t len;

	if (!zc)
		return ipcchan_ring_recv(r, buf, size, IPCCHAN_WAIT_FOREVER) ==
		       (ssize_t)size ? 0 : -1;
	if (ipcchan_ring_peek(r, &p, &len, IPCCHAN_WAIT_FOREVER) || len != size)
		return -1;
	memcpy(buf, p, len);
	return ipcchan_ring_release(r);
}

int main(int argc, char **argv)
{
	int zc = argc > 1 && !strcmp(argv[1], "zc");
	unsigned long count = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000000;
	size_t size = argc > 3 ? strtoul(argv[3], NULL, 0) : 64;
	int forked = argc > 4 && !strcmp(argv[4], "fork");
	static unsigned char in[D], out[D];
	struct ipcchan_ring r;
	struct timespec a, b;
	unsigned long i;
	pid_t pid = 0;
	int st;

	fake_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fake_fd < 0 || ipcchan_ring_map(fake_fd, &r) ||
	    size > ipcchan_ring_max_msg(&r))
		return 2;
	ipcchan_ring_set_spin(&r, 20000);	/* ipcchan-bench's default */
	memset(in, 0x5a, sizeof(in));
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (forked) {
		pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			for (i = 0; i < count; i++)
				if (consume(&r, zc, out, size))
					_exit(1);
			_exit(0);
		}
		for (i = 0; i < count; i++)
			if (produce(&r, zc, in, size))
				return 1;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			return 1;
	} else {
		for (i = 0; i < count; i++)
			if (produce(&r, zc, in, size) ||
			    consume(&r, zc, out, size))
				return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%s %lu x %zu B%s: %.1f ns per record\n", zc ? "zc" : "copy",
	       count, size, forked ? " (fork)" : "",
	       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / count);
	ipcchan_ring_unmap(&r);
	return 0;
}
