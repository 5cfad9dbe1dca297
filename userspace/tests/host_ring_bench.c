// SPDX-License-Identifier: GPL-2.0
/*
 * Host microbenchmark of the library's ring fast path, without the module.
 *
 *	host_ring_bench [copy|zc|shm] [count] [size] [fork]
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
 * and dividing the total by @count.  "shm" runs the same loop over
 * ipcchan-bench's shm-futex ring (bench/m_shm.c, linked in, driven through
 * its method calls, same spin, same 64 KiB of ring at 64 B): with "fork",
 * copy against shm is ipcchan-ring against shm-futex on real hardware,
 * the library's side of it only (docs/benchmark.md).  Host only, not
 * staged.
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

#include "../bench/bench.h"

#undef D
#define PAGE		4096UL
#define DATA_PAGES	16UL
#define D		(DATA_PAGES * PAGE)

#include "fake_ring.h"

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

/* bench/m_shm.c's send takes the payload from ch->txbuf */
int copy_tx_begin(struct chan *ch, size_t len, void **buf)
{
	(void)len;
	*buf = ch->txbuf;
	return 0;
}

/* The shm-futex method of ipcchan-bench, as a stream of count records. */
static int shm_stream(unsigned long count, size_t size, unsigned char *in,
		      unsigned char *out)
{
	static char why[WHY_LEN];
	struct chan ch = {
		.m = shm_methods[0], .side = -1, .why = why,
		.cfg = { .pat = PAT_STREAM, .size = size, .batch = 1,
			 .capacity = cell_capacity(size), .spin_ns = 20000 },
	};
	const void *p;
	unsigned long i;
	size_t len;
	pid_t pid;
	int st;

	if (strcmp(ch.m->name, "shm-futex") || ch.m->setup(&ch))
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	ch.side = pid == 0;
	ch.txbuf = in;
	ch.rxbuf = out;
	if (ch.m->open(&ch))
		_exit(2);
	for (i = 0; i < count; i++) {
		if (pid) {
			if (ch.m->tx_end(&ch, size))
				return 1;
		} else if (ch.m->rx_begin(&ch, &p, &len) || len != size) {
			_exit(1);
		}
	}
	if (!pid)
		_exit(0);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	ch.m->teardown(&ch);
	return 0;
}

int main(int argc, char **argv)
{
	int zc = argc > 1 && !strcmp(argv[1], "zc");
	int shm = argc > 1 && !strcmp(argv[1], "shm");
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
	if (shm) {
		if (!forked || size > D / 2)
			return 2;	/* one process would wait for itself */
		st = shm_stream(count, size, in, out);
		if (st)
			return st;
	} else if (forked) {
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
	printf("%s %lu x %zu B%s: %.1f ns per record\n",
	       shm ? "shm-futex" : zc ? "zc" : "copy",
	       count, size, forked ? " (fork)" : "",
	       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / count);
	ipcchan_ring_unmap(&r);
	return 0;
}
