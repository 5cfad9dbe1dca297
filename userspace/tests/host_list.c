// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of ipcchan_list_path() on files no kernel writes: more lines
 * than IPCCHAN_LIST_MAX, a line far longer than IPCCHAN_LIST_LINE_MAX, a
 * NUL byte.  The big cases run in a child whose peak memory (ru_maxrss) is
 * checked and printed.  Host only (make host-test): the files are tens of
 * MiB, too much for the test VM.  Prints TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ipcchan.h>

#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN 1
#endif
#endif
#ifndef ASAN
#define ASAN 0
#endif

#define HDR "name uid gid mode msgs bytes max_msgs max_msg_size sent received attached ring_pages state\n"
#define ROW "a 0 0 0600 0 0 8 256 0 0 1 0 -\n"

#include "host_tap.h"

static char path[] = "/tmp/ipcchan-host-list-XXXXXX";

/* Write the header and @rows copies of @row (mode "w"), or append them. */
static int write_file(const char *mode, int hdr, const char *row,
		      unsigned long rows)
{
	FILE *f = fopen(path, mode);
	unsigned long i;

	if (!f)
		return -1;
	if (hdr)
		fputs(HDR, f);
	for (i = 0; i < rows; i++)
		fputs(row, f);
	return fclose(f);
}

/*
 * ipcchan_list_path() in a child: its return value, peak RSS growth over
 * the child's start (KiB) and time (ms) through a pipe.
 */
static int list_in_child(long *rss_kib, double *ms)
{
	struct { int ret; long rss; double ms; } res = { 0, 0, 0 };
	int pfd[2], st;
	pid_t pid;

	if (pipe(pfd))
		return -999;
	pid = fork();
	if (pid == 0) {
		struct ipcchan_entry *l = (void *)1;
		struct rusage ru0, ru;
		struct timespec a, b;

		getrusage(RUSAGE_SELF, &ru0);
		clock_gettime(CLOCK_MONOTONIC, &a);
		res.ret = ipcchan_list_path(path, &l);
		clock_gettime(CLOCK_MONOTONIC, &b);
		getrusage(RUSAGE_SELF, &ru);
		res.rss = ru.ru_maxrss - ru0.ru_maxrss;
		res.ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
		if (res.ret < 0 && l)
			res.ret = -998;	/* *out must be NULL on error */
		if (write(pfd[1], &res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &res, sizeof(res)) != sizeof(res))
		res.ret = -997;
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	*rss_kib = res.rss;
	*ms = res.ms;
	return res.ret;
}

/* IPCCHAN_LIST_MAX entries are fine, one more is -E2BIG; so is 2M. */
static int t_too_many_lines(void)
{
	long rss;
	double ms;
	int ret;

	CHECK(write_file("w", 1, ROW, IPCCHAN_LIST_MAX) == 0);
	ret = list_in_child(&rss, &ms);
	printf("# %u lines: %d, peak RSS +%ld KiB, %.0f ms\n",
	       IPCCHAN_LIST_MAX, ret, rss, ms);
	CHECK(ret == (int)IPCCHAN_LIST_MAX);
	CHECK(write_file("a", 0, ROW, 1) == 0);
	ret = list_in_child(&rss, &ms);
	CHECK(ret == -E2BIG);
	CHECK(write_file("w", 1, ROW, 2UL << 20) == 0);
	ret = list_in_child(&rss, &ms);
	printf("# %lu lines: %d, peak RSS +%ld KiB, %.0f ms\n",
	       2UL << 20, ret, rss, ms);
	CHECK(ret == -E2BIG);
	/*
	 * The array never grows past IPCCHAN_LIST_MAX entries (unchecked
	 * under AddressSanitizer, whose quarantine keeps freed blocks).
	 */
	CHECK(ASAN || rss < (long)(IPCCHAN_LIST_MAX *
				   sizeof(struct ipcchan_entry) / 1024 + 16384));
	/* Blank lines count: an endless file of them ends too. */
	CHECK(write_file("w", 1, "\n", IPCCHAN_LIST_MAX + 1UL) == 0);
	CHECK(list_in_child(&rss, &ms) == -E2BIG);
	return 1;
}

/* A line longer than IPCCHAN_LIST_LINE_MAX is -EOVERFLOW, read no further. */
static int t_long_line(void)
{
	static char row[IPCCHAN_LIST_LINE_MAX + 2];
	size_t big = 64UL << 20;
	char *huge;
	long rss;
	double ms;
	int ret;

	/* Exactly IPCCHAN_LIST_LINE_MAX bytes with the newline: fine. */
	memset(row, ' ', IPCCHAN_LIST_LINE_MAX);
	memcpy(row, ROW, strlen(ROW) - 1);
	row[IPCCHAN_LIST_LINE_MAX - 1] = '\n';
	CHECK(write_file("w", 1, row, 1) == 0);
	CHECK(list_in_child(&rss, &ms) == 1);
	/* One byte more: too long. */
	row[IPCCHAN_LIST_LINE_MAX - 1] = ' ';
	row[IPCCHAN_LIST_LINE_MAX] = '\n';
	CHECK(write_file("w", 1, row, 1) == 0);
	CHECK(list_in_child(&rss, &ms) == -EOVERFLOW);
	/* As long, as the last line without a newline. */
	row[IPCCHAN_LIST_LINE_MAX] = ' ';
	CHECK(write_file("w", 1, row, 1) == 0);
	CHECK(list_in_child(&rss, &ms) == -EOVERFLOW);
	/* A header line that long. */
	CHECK(write_file("w", 0, row, 1) == 0);
	CHECK(list_in_child(&rss, &ms) == -EOVERFLOW);
	/* 64 MiB without a newline: not read into memory. */
	huge = malloc(big + 1);
	CHECK(huge);
	memset(huge, 'x', big);
	huge[big] = '\0';
	ret = write_file("w", 1, huge, 1);
	free(huge);
	CHECK(ret == 0);
	ret = list_in_child(&rss, &ms);
	printf("# one %zu MiB line: %d, peak RSS +%ld KiB\n", big >> 20, ret,
	       rss);
	CHECK(ret == -EOVERFLOW);
	CHECK(rss < 8192);
	return 1;
}

/* A NUL byte inside a line: -EBADMSG, not a silently shorter line. */
static int t_nul_byte(void)
{
	static const char text[] = HDR "a 0 0 0600 0\0 0 8 256 0 0 1 0 -\n";
	struct ipcchan_entry *l = (void *)1;
	FILE *f = fopen(path, "w");

	CHECK(f);
	CHECK(fwrite(text, 1, sizeof(text) - 1, f) == sizeof(text) - 1);
	CHECK(fclose(f) == 0);
	CHECK(ipcchan_list_path(path, &l) == -EBADMSG);
	CHECK(l == NULL);
	return 1;
}

int main(void)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return 1;
	close(fd);
	printf("TAP version 13\n1..3\n");
	result(t_too_many_lines(), "list_too_many_lines_e2big");
	result(t_long_line(), "list_long_line_eoverflow");
	result(t_nul_byte(), "list_nul_byte_ebadmsg");
	unlink(path);
	return failures ? 1 : 0;
}
