// SPDX-License-Identifier: GPL-2.0
/*
 * ring: messages through the shared-memory ring, with no system call
 * while both sides are busy.
 *
 * The channel is created with ring pages.  The parent maps them and forks;
 * the child inherits the mapping (and the fd, which it needs to sleep and
 * wake in the kernel).  The producer builds each record in place with
 * reserve/commit (zero copy); the consumer reads it in place with
 * peek/release, then a second round uses the copying send/recv calls.
 * Each record carries a sequence number and a checksum, which the consumer
 * checks.
 *
 *   $ ./ring
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ipcchan.h>

#define RECORDS	200000
#define TIMEOUT	10000000000LL	/* 10 s: never hang on a lost peer */

struct record {
	uint64_t seq;
	uint32_t len;		/* payload bytes used in data[] */
	uint32_t sum;		/* sum of those bytes */
	unsigned char data[200];
};

static void die(const char *what, int err)
{
	fprintf(stderr, "ring: %s: %s\n", what, ipcchan_strerror(err));
	exit(1);
}

static int consumer(struct ipcchan_ring *r)
{
	uint64_t i;

	for (i = 0; i < RECORDS; i++) {
		const struct record *rec;
		const void *p;
		uint32_t sum = 0, k;
		size_t len;
		int ret;

		ret = ipcchan_ring_peek(r, &p, &len, TIMEOUT);
		if (ret)
			die("peek", ret);
		rec = p;	/* records are 8-byte aligned in the ring */
		if (len < offsetof(struct record, data) || rec->seq != i ||
		    rec->len > sizeof(rec->data)) {
			fprintf(stderr, "ring: bad record %llu\n",
				(unsigned long long)i);
			return 1;
		}
		for (k = 0; k < rec->len; k++)
			sum += rec->data[k];
		if (sum != rec->sum) {
			fprintf(stderr, "ring: bad checksum at %llu\n",
				(unsigned long long)i);
			return 1;
		}
		ret = ipcchan_ring_release(r);
		if (ret)
			die("release", ret);
	}
	/* Second round: plain copies. */
	for (i = 0; i < 1000; i++) {
		uint64_t v;
		ssize_t n = ipcchan_ring_recv(r, &v, sizeof(v), TIMEOUT);

		if (n != sizeof(v) || v != i * 3)
			return 1;
	}
	return 0;
}

int main(void)
{
	struct ipcchan_opts o = {
		.flags = IPCCHAN_CREATE | IPCCHAN_EXCL,
		.mode = 0600,
		.ring_pages = 4,
	};
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_ring r;
	int fd, ret, status;
	uint64_t i;
	pid_t pid;

	snprintf(name, sizeof(name), "example-ring-%d", (int)getpid());
	fd = ipcchan_open(name, &o);
	if (fd < 0)
		die("create", fd);
	ret = ipcchan_ring_map(fd, &r);
	if (ret)
		die("map", ret);
	/* The name is not needed any more: the pages live on while mapped. */
	ipcchan_unlink(name);

	pid = fork();
	if (pid < 0)
		die("fork", -1);
	if (pid == 0)
		_exit(consumer(&r));

	for (i = 0; i < RECORDS; i++) {
		uint32_t len = (uint32_t)(i % sizeof(((struct record *)0)->data));
		size_t size = offsetof(struct record, data) + len;
		struct record *rec;
		uint32_t k, sum = 0;
		void *p;

		/* Reserve room, build the record in the shared pages... */
		ret = ipcchan_ring_reserve(&r, size, &p, TIMEOUT);
		if (ret)
			die("reserve", ret);
		rec = p;
		rec->seq = i;
		rec->len = len;
		for (k = 0; k < len; k++) {
			rec->data[k] = (unsigned char)(i + k);
			sum += rec->data[k];
		}
		rec->sum = sum;
		/* ...and publish it: the consumer sees all of it or nothing. */
		ret = ipcchan_ring_commit(&r);
		if (ret)
			die("commit", ret);
	}
	for (i = 0; i < 1000; i++) {
		uint64_t v = i * 3;
		ssize_t n = ipcchan_ring_send(&r, &v, sizeof(v), TIMEOUT);

		if (n < 0)
			die("send", (int)n);
	}

	waitpid(pid, &status, 0);
	printf("ring: %d records through a %zu-byte ring\n", RECORDS + 1000,
	       ipcchan_ring_max_msg(&r) + 8);
	ipcchan_ring_unmap(&r);
	ipcchan_close(fd);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "ring: consumer failed\n");
		return 1;
	}
	printf("ring: all records verified\n");
	return 0;
}
