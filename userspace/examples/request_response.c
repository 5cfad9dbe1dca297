// SPDX-License-Identifier: GPL-2.0
/*
 * request_response: a tiny server and its client over two channels.
 *
 * "requests" carries questions to the server, "replies" carries answers
 * back.  Each request holds a client-chosen id so a reply can be matched to
 * its request, as in any RPC protocol.  The server squares numbers and
 * stops at the request "quit".
 *
 * A round trip costs two sends and two receives: four system calls and
 * four copies (the benchmark's pingpong pattern measures exactly this).
 *
 *   $ ./request_response
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ipcchan.h>

struct request {
	uint32_t id;
	int32_t value;		/* value to square; id 0 = quit */
};

struct reply {
	uint32_t id;
	int64_t result;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "request_response: %s: %s\n", what, ipcchan_strerror(err));
	exit(1);
}

static int server(const char *req_name, const char *rep_name)
{
	struct ipcchan_opts recv_only = { .access = IPCCHAN_ACCESS_RECV };
	struct ipcchan_opts send_only = { .access = IPCCHAN_ACCESS_SEND };
	int rq = ipcchan_open(req_name, &recv_only);
	int rp = ipcchan_open(rep_name, &send_only);
	struct request q;
	struct reply a;
	ssize_t r;

	if (rq < 0 || rp < 0)
		die("server open", rq < 0 ? rq : rp);
	for (;;) {
		r = ipcchan_recv(rq, &q, sizeof(q), NULL, 10000000000LL);
		if (r < 0)
			die("server recv", (int)r);
		if (r != sizeof(q))
			return 1;
		if (q.id == 0)
			break;
		a.id = q.id;
		a.result = (int64_t)q.value * q.value;
		r = ipcchan_send(rp, &a, sizeof(a), 0, IPCCHAN_WAIT_FOREVER);
		if (r < 0)
			die("server send", (int)r);
	}
	ipcchan_close(rq);
	ipcchan_close(rp);
	return 0;
}

int main(void)
{
	struct ipcchan_opts o = {
		.flags = IPCCHAN_CREATE | IPCCHAN_EXCL,
		.mode = 0600,
		.max_msg_size = sizeof(struct reply),
	};
	char req_name[IPCCHAN_NAME_MAX], rep_name[IPCCHAN_NAME_MAX];
	int rq, rp, status, bad = 0;
	struct request q;
	struct reply a;
	uint32_t id;
	pid_t pid;
	ssize_t r;

	snprintf(req_name, sizeof(req_name), "example-req-%d", (int)getpid());
	snprintf(rep_name, sizeof(rep_name), "example-rep-%d", (int)getpid());
	rq = ipcchan_open(req_name, &o);
	if (rq < 0)
		die("create requests", rq);
	rp = ipcchan_open(rep_name, &o);
	if (rp < 0)
		die("create replies", rp);

	pid = fork();
	if (pid < 0)
		die("fork", -1);
	if (pid == 0)
		_exit(server(req_name, rep_name));

	for (id = 1; id <= 10; id++) {
		q.id = id;
		q.value = (int32_t)id * 7;
		r = ipcchan_send(rq, &q, sizeof(q), 0, IPCCHAN_WAIT_FOREVER);
		if (r < 0)
			die("send request", (int)r);
		r = ipcchan_recv(rp, &a, sizeof(a), NULL, 10000000000LL);
		if (r < 0)
			die("recv reply", (int)r);
		if (r != sizeof(a) || a.id != id ||
		    a.result != (int64_t)q.value * q.value)
			bad++;
		else
			printf("%d squared is %" PRId64 "\n", q.value, a.result);
	}
	q.id = 0;	/* quit */
	q.value = 0;
	ipcchan_send(rq, &q, sizeof(q), 0, IPCCHAN_WAIT_FOREVER);

	waitpid(pid, &status, 0);
	ipcchan_close(rq);
	ipcchan_close(rp);
	ipcchan_unlink(req_name);
	ipcchan_unlink(rep_name);
	if (bad || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "request_response: %d bad replies\n", bad);
		return 1;
	}
	return 0;
}
