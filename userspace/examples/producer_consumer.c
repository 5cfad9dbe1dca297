// SPDX-License-Identifier: GPL-2.0
/*
 * producer_consumer: the classic pair, over one ipcchan channel.
 *
 * The parent creates a channel, forks a consumer, and sends it numbered
 * messages.  Every tenth message is urgent (priority 5) and so overtakes
 * the ordinary ones still queued.  The consumer stops at "done", which is
 * sent with the lowest priority so it arrives last.  Both sides check the
 * result; the program exits 0 when everything arrived exactly once.
 *
 *   $ ./producer_consumer
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ipcchan.h>

#define COUNT 100

static void die(const char *what, int err)
{
	fprintf(stderr, "producer_consumer: %s: %s\n", what, ipcchan_strerror(err));
	exit(1);
}

static int consumer(const char *name)
{
	int seen[COUNT] = { 0 };
	char buf[64];
	int fd, i, n, got = 0, urgent_first = 0;

	/* An unrelated process would do exactly this: attach by name. */
	fd = ipcchan_open(name, NULL);
	if (fd < 0)
		die("consumer open", fd);
	for (;;) {
		struct ipcchan_msginfo mi;
		/* Wait at most 10 s: a lost producer must not hang us. */
		ssize_t len = ipcchan_recv(fd, buf, sizeof(buf) - 1, &mi,
					   10000000000LL);

		if (len < 0)
			die("recv", (int)len);
		buf[len] = '\0';
		if (!strcmp(buf, "done"))
			break;
		n = atoi(buf);
		if (n < 0 || n >= COUNT || seen[n]++) {
			fprintf(stderr, "consumer: bad or duplicate '%s'\n", buf);
			return 1;
		}
		if (got++ == 0 && mi.prio == 5)
			urgent_first = 1;
	}
	ipcchan_close(fd);
	for (i = 0; i < COUNT; i++)
		if (!seen[i]) {
			fprintf(stderr, "consumer: message %d missing\n", i);
			return 1;
		}
	printf("consumer: got %d messages%s\n", got,
	       urgent_first ? ", an urgent one first" : "");
	return 0;
}

int main(void)
{
	struct ipcchan_opts o = {
		.flags = IPCCHAN_CREATE | IPCCHAN_EXCL,
		.mode = 0600,
		.max_msgs = 16,		/* small: the producer will block */
		.max_msg_size = 64,
	};
	char name[IPCCHAN_NAME_MAX], buf[32];
	int fd, i, status;
	pid_t pid;
	ssize_t r;

	snprintf(name, sizeof(name), "example-pc-%d", (int)getpid());
	fd = ipcchan_open(name, &o);
	if (fd < 0)
		die("create", fd);

	pid = fork();
	if (pid < 0)
		die("fork", -1);
	if (pid == 0)
		_exit(consumer(name));

	/* While the consumer is busy, queued messages are received by
	 * priority: the urgent ones overtake the ordinary ones.
	 */
	for (i = 0; i < COUNT; i++) {
		int len = snprintf(buf, sizeof(buf), "%d", i);

		r = ipcchan_send(fd, buf, (size_t)len, i % 10 == 9 ? 5 : 1,
				 IPCCHAN_WAIT_FOREVER);
		if (r < 0)
			die("send", (int)r);
	}
	r = ipcchan_send(fd, "done", 4, 0, IPCCHAN_WAIT_FOREVER);
	if (r < 0)
		die("send done", (int)r);

	if (waitpid(pid, &status, 0) < 0)
		die("waitpid", -1);
	ipcchan_close(fd);
	ipcchan_unlink(name);	/* channels outlive processes: clean up */
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "producer_consumer: consumer failed\n");
		return 1;
	}
	printf("producer: sent %d messages\n", COUNT);
	return 0;
}
