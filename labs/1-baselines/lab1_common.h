/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What Lab 1's two graders share (lab1_test.c, lab1_rate_test.c): running
 * the student's pingpong, which sits beside them in /opt/ipcchan/tests, and
 * reading its lines.  Include after kselftest_harness.h.
 */
#ifndef LAB1_COMMON_H
#define LAB1_COMMON_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT_MAX		(64 * 1024)
#define MAX_ROWS	16

/* One line of pingpong's output. */
struct row {
	char method[32];
	size_t size;
	unsigned long n, delivered;
	double rate, min_us, p50_us;
	char checksum[16];
};

/* The directory this program is in: pingpong is there too. */
static void self_dir(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	char *slash;

	if (n <= 0) {
		snprintf(dir, len, ".");
		return;
	}
	dir[n] = 0;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
}

/*
 * Run @argv (found on PATH), its stdout into @out (NUL-terminated), its
 * stderr to ours.  Returns its exit status, 128 + signal, or -1.
 */
static int run(char *const argv[], char *out, size_t len)
{
	int p[2], status;
	size_t got = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "lab1_test: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], out + got, len - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
		if (got == len - 1) {	/* keep draining: never block the child */
			char sink[4096];

			while (read(p[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	out[got] = 0;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * pingpong -m METHOD -s SIZES -t 30 OPTS (space-separated options): its
 * lines in @rows; returns how many.
 */
static int pingpong(struct __test_metadata *_metadata, const char *method,
		    const char *sizes, const char *opts, struct row *rows)
{
	char dir[PATH_MAX], prog[PATH_MAX + 16], copy[128], *out, *line, *save;
	char *argv[16] = { prog, "-m", (char *)method, "-s", (char *)sizes,
			   "-t", "30" };
	int nrows = 0, rc, argc = 7;

	snprintf(copy, sizeof(copy), "%s", opts);
	for (line = strtok_r(copy, " ", &save); line && argc < 15;
	     line = strtok_r(NULL, " ", &save))
		argv[argc++] = line;
	argv[argc] = NULL;
	self_dir(dir, sizeof(dir));
	snprintf(prog, sizeof(prog), "%s/pingpong", dir);
	out = malloc(OUT_MAX);
	ASSERT_NE(NULL, out);
	rc = run(argv, out, OUT_MAX);
	TH_LOG("pingpong -m %s -s %s %s: exit %d, output:\n%s", method, sizes,
	       opts, rc, out);
	for (line = strtok_r(out, "\n", &save); line && nrows < MAX_ROWS;
	     line = strtok_r(NULL, "\n", &save)) {
		struct row *r = &rows[nrows];

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%31s %zu %lu %lf %lf %lf %15s %lu", r->method,
			   &r->size, &r->n, &r->rate, &r->min_us, &r->p50_us,
			   r->checksum, &r->delivered) == 8)
			nrows++;
	}
	free(out);
	return nrows;
}

static const struct row *find_row(const struct row *rows, int n,
				  const char *method, size_t size)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(rows[i].method, method) && rows[i].size == size)
			return &rows[i];
	return NULL;
}

#endif /* LAB1_COMMON_H */
