// SPDX-License-Identifier: GPL-2.0
/*
 * poll_loop: one process serving several channels with epoll.
 *
 * A channel fd is an ordinary file descriptor: epoll reports EPOLLIN when
 * a message can be received.  A child writes to three channels in a
 * scrambled order; the parent sleeps in epoll_wait() and drains whichever
 * channel is ready, without ever blocking in a receive (timeout 0).
 *
 *   $ ./poll_loop
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ipcchan.h>

#define NCHAN	3
#define PER	20

static void die(const char *what, int err)
{
	fprintf(stderr, "poll_loop: %s: %s\n", what, ipcchan_strerror(err));
	exit(1);
}

static int writer(char names[NCHAN][IPCCHAN_NAME_MAX])
{
	struct ipcchan_opts o = { .access = IPCCHAN_ACCESS_SEND };
	int fds[NCHAN], i, c;

	for (c = 0; c < NCHAN; c++) {
		fds[c] = ipcchan_open(names[c], &o);
		if (fds[c] < 0)
			die("writer open", fds[c]);
	}
	for (i = 0; i < PER * NCHAN; i++) {
		char msg[32];
		int len;

		c = i % NCHAN;		/* round robin over the channels */
		len = snprintf(msg, sizeof(msg), "msg %d on %d", i, c);
		if (ipcchan_send(fds[c], msg, (size_t)len, 0,
				 IPCCHAN_WAIT_FOREVER) < 0)
			return 1;
		if (i % 8 == 0)
			usleep(1000);	/* let the reader sleep sometimes */
	}
	return 0;
}

int main(void)
{
	struct ipcchan_opts o = {
		.flags = IPCCHAN_CREATE | IPCCHAN_EXCL,
		.mode = 0600,
		.max_msgs = 64,
	};
	char names[NCHAN][IPCCHAN_NAME_MAX];
	int fds[NCHAN], counts[NCHAN] = { 0 };
	int ep, c, total = 0, status, wakeups = 0;
	pid_t pid;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1", -1);
	for (c = 0; c < NCHAN; c++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = c };

		snprintf(names[c], sizeof(names[c]), "example-poll%d-%d", c,
			 (int)getpid());
		fds[c] = ipcchan_open(names[c], &o);
		if (fds[c] < 0)
			die("create", fds[c]);
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[c], &ev) < 0)
			die("epoll_ctl", -1);
	}

	pid = fork();
	if (pid < 0)
		die("fork", -1);
	if (pid == 0)
		_exit(writer(names));

	while (total < PER * NCHAN) {
		struct epoll_event evs[NCHAN];
		int n, i;

		n = epoll_wait(ep, evs, NCHAN, 10000);
		if (n <= 0) {
			fprintf(stderr, "poll_loop: epoll_wait timed out\n");
			return 1;
		}
		wakeups++;
		for (i = 0; i < n; i++) {
			char buf[64];

			c = (int)evs[i].data.u32;
			/* Drain the ready channel without blocking. */
			while (ipcchan_recv(fds[c], buf, sizeof(buf), NULL,
					    IPCCHAN_NOWAIT) >= 0) {
				counts[c]++;
				total++;
			}
		}
	}
	waitpid(pid, &status, 0);
	for (c = 0; c < NCHAN; c++) {
		printf("channel %s: %d messages\n", names[c], counts[c]);
		ipcchan_close(fds[c]);
		ipcchan_unlink(names[c]);
	}
	printf("%d messages in %d wake-ups\n", total, wakeups);
	close(ep);
	for (c = 0; c < NCHAN; c++)
		if (counts[c] != PER)
			return 1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}
