// SPDX-License-Identifier: GPL-2.0
/*
 * shm_semaphore: the classic "shared memory + semaphore" lesson, done
 * right, with a channel's ring pages as a raw shared region.
 *
 * The lesson: a writer puts text into a shared buffer and signals a
 * semaphore; a reader waits on it, prints the text, and signals back that
 * the buffer is free.  The usual versions go wrong in four ways, fixed here:
 *
 *  1. Only one semaphore, so the writer overwrites text the reader has not
 *     read yet.  Here there are two counters: "posted" (buffers the writer
 *     filled) and "taken" (buffers the reader consumed).  The writer may
 *     write only when taken == posted.
 *  2. No memory ordering: the flag can become visible before the text.
 *     Here the writer publishes "posted" with a store-release after writing
 *     the text, and the reader reads it with a load-acquire before reading
 *     the text (and the same the other way for "taken").
 *  3. Busy waiting, or sleeping with a window where a wake-up is lost.
 *     Here a side with nothing to do sleeps in ipcchan_ring_wait(), which,
 *     like a futex, rechecks the counter after queueing the sleeper, and
 *     the other side calls ipcchan_ring_notify() after every post.
 *  4. Leaked IPC objects (a forgotten IPC_RMID).  Here the channel name is
 *     removed as soon as both sides are attached; the pages go away with
 *     the last mapping, even if a process is killed.
 *
 * The two counters are the ring header's prod.pos ("posted") and cons.pos
 * ("taken"): they are what RING_WAIT watches.  The data area is used as a
 * plain buffer; the ring record format is not used at all.
 *
 *   $ ./shm_semaphore
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ipcchan.h>

#define TIMEOUT 10000000000LL	/* 10 s */

static const char *const lines[] = {
	"Shared memory is the fastest IPC:",
	"no copy through the kernel, no system call per byte.",
	"But it needs synchronization,",
	"and memory ordering,",
	"and a sleep that cannot miss a wake-up.",
	"bye",
};

#define NLINES (sizeof(lines) / sizeof(lines[0]))

static void die(const char *who, const char *what, int err)
{
	fprintf(stderr, "shm_semaphore %s: %s: %s\n", who, what, ipcchan_strerror(err));
	exit(1);
}

/* Wait until *counter differs from @seen; returns its new value. */
static uint64_t wait_change(int fd, unsigned int which, __u64 *counter,
			    uint64_t seen, const char *who)
{
	uint64_t v;
	int ret;

	/* Acquire: what the other side wrote before its release is visible. */
	while ((v = __atomic_load_n(counter, __ATOMIC_ACQUIRE)) == seen) {
		ret = ipcchan_ring_wait(fd, which, seen, TIMEOUT);
		if (ret)
			die(who, "wait", ret);
	}
	return v;
}

static void post(int fd, unsigned int which, __u64 *counter, uint64_t v)
{
	/* Release: everything written before is visible to the acquirer. */
	__atomic_store_n(counter, v, __ATOMIC_RELEASE);
	ipcchan_ring_notify(fd, which);
}

static int reader(const char *name)
{
	struct ipcchan_opts o = { .access = IPCCHAN_ACCESS_RDWR };
	struct ipcchan_ring r;
	struct ipcchan_ring_hdr *h;
	uint64_t taken = 0;
	size_t size;
	char *buf;
	int fd, ret;

	/* Attach by name, like an unrelated program would, and map. */
	fd = ipcchan_open(name, &o);
	if (fd < 0)
		die("reader", "open", fd);
	ret = ipcchan_ring_map(fd, &r);
	if (ret)
		die("reader", "map", ret);
	h = ipcchan_ring_hdr(&r, NULL, NULL);
	buf = ipcchan_ring_data(&r, &size);

	for (;;) {
		char line[128];

		/* P(full): wait for the writer to post buffer number taken+1 */
		wait_change(fd, IPCCHAN_RING_PROD, &h->prod.pos, taken, "reader");
		snprintf(line, sizeof(line), "%s", buf);
		printf("reader: %s\n", line);
		fflush(stdout);
		/* V(empty): hand the buffer back */
		post(fd, IPCCHAN_RING_CONS, &h->cons.pos, ++taken);
		if (!strcmp(line, "bye"))
			break;
	}
	ipcchan_ring_unmap(&r);
	ipcchan_close(fd);
	return taken == NLINES ? 0 : 1;
}

int main(void)
{
	struct ipcchan_opts o = {
		.flags = IPCCHAN_CREATE | IPCCHAN_EXCL,
		.access = IPCCHAN_ACCESS_RDWR,
		.mode = 0600,
		.ring_pages = 1,
	};
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_ring r;
	struct ipcchan_ring_hdr *h;
	uint64_t posted = 0;
	size_t size, i;
	int fd, ret, status;
	char *buf;
	pid_t pid;

	snprintf(name, sizeof(name), "example-shm-%d", (int)getpid());
	fd = ipcchan_open(name, &o);
	if (fd < 0)
		die("writer", "create", fd);
	ret = ipcchan_ring_map(fd, &r);
	if (ret)
		die("writer", "map", ret);
	h = ipcchan_ring_hdr(&r, NULL, NULL);
	buf = ipcchan_ring_data(&r, &size);

	pid = fork();
	if (pid < 0)
		die("writer", "fork", -1);
	if (pid == 0) {
		/* The child gets its own attachment, not the inherited one. */
		ipcchan_ring_unmap(&r);
		ipcchan_close(fd);
		_exit(reader(name));
	}

	for (i = 0; i < NLINES; i++) {
		/* P(empty): wait until the reader took the previous buffer */
		wait_change(fd, IPCCHAN_RING_CONS, &h->cons.pos, posted - 1,
			    "writer");
		if (i == 1)
			ipcchan_unlink(name);	/* both attached: drop the name */
		snprintf(buf, size, "%s", lines[i]);
		/* V(full) */
		post(fd, IPCCHAN_RING_PROD, &h->prod.pos, ++posted);
	}
	/* Wait for the last buffer to be taken, then clean up. */
	wait_change(fd, IPCCHAN_RING_CONS, &h->cons.pos, posted - 1, "writer");
	waitpid(pid, &status, 0);
	ipcchan_ring_unmap(&r);
	ipcchan_close(fd);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}
