// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench counted costs: what a message costs besides time, and the
 * check of the IPC texts' claims against it.
 *
 * System calls and context switches are measured (counters.c, engine.c).
 * Payload copies cannot be counted from userspace, so they are derived
 * from each method's mechanism in method_costs[] below: "kernel" copies
 * are copy_from_user/copy_to_user (or the equivalent page copy) of the
 * payload inside a system call, "user" copies are memcpy() calls the
 * method makes in userspace besides the engine's own fill and check of
 * every payload byte, which every method pays alike.  Headers and
 * descriptors are not counted.  Bytes copied by the kernel per message are
 * kernel copies x payload size.
 *
 * The texts this project started from say that a request/response over
 * kernel message passing costs 4 user/kernel crossings (send and receive
 * of the request, send and receive of the reply) and 4 copies (each
 * message into the kernel and out again), and rank shared memory "very
 * fast", pipes "fast", message queues and sockets "medium".
 * print_costs() sets the measured figures beside each claim.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

/*
 * One line per method; a method missing here shows "?" copies.  The
 * families are the texts' classes.
 */
static const struct method_cost method_costs[] = {
	/* write() copies into the pipe buffer, read() out of it */
	{ "pipe", "pipe", 2, 0, "write() into the pipe buffer, read() out" },
	{ "fifo", "pipe", 2, 0, "as pipe" },
	{ "pipe-spin", "pipe", 2, 0, "as pipe; non-blocking reads spin" },
	{ "pipe-batch", "pipe", 2, 0, "writev() of N into the buffer, one read() out" },
	/* the socket layer copies into an skb, recv copies out of it */
	{ "unix-stream", "socket", 2, 0, "send() into an skb, recv() out" },
	{ "unix-dgram", "socket", 2, 0, "as unix-stream" },
	{ "unix-seqpacket", "socket", 2, 0, "as unix-stream" },
	{ "tcp", "socket", 2, 0, "loopback: into an skb, out of it" },
	{ "unix-stream-batch", "socket", 2, 0, "writev() of N, one read()" },
	{ "unix-dgram-batch", "socket", 2, 0, "sendmmsg()/recvmmsg()" },
	{ "unix-seqpacket-batch", "socket", 2, 0, "sendmmsg()/recvmmsg()" },
	{ "io-uring", "socket", 2, 0, "io_uring send/recv: the same copies" },
	{ "io-uring-sqpoll", "socket", 2, 0, "as io-uring" },
	/* a message object in the kernel, copied in and out */
	{ "posix-mq", "message queue", 2, 0, "mq_send() into a msg_msg, mq_receive() out" },
	{ "sysv-msg", "message queue", 2, 0, "msgsnd() into a msg_msg, msgrcv() out" },
	{ "ipcchan-ioctl", "ipcchan kernel queue", 2, 0,
	  "SEND copies into a kernel message, RECV out" },
	{ "ipcchan-rw", "ipcchan kernel queue", 2, 0,
	  "write() into a kernel message, read() out" },
	{ "ipcchan-batch", "ipcchan kernel queue", 2, 0,
	  "as ipcchan-ioctl, N messages per ioctl" },
	/* the payload never passes through a system call */
	{ "shm-futex", "shared memory", 0, 2, "memcpy() into the mapped ring and out" },
	{ "shm-futex-spin0", "shared memory", 0, 2, "as shm-futex" },
	{ "shm-futex-zc", "shared memory", 0, 0, "written and read in place" },
	{ "shm-futex-zc-spin0", "shared memory", 0, 0, "as shm-futex-zc" },
	{ "shm-eventfd", "shared memory", 0, 2, "as shm-futex, eventfd doorbell" },
	{ "shm-eventfd-spin0", "shared memory", 0, 2, "as shm-eventfd" },
	{ "ipcchan-ring", "shared memory", 0, 2,
	  "libipcchan memcpy() into the mapped ring and out" },
	{ "ipcchan-ring-spin0", "shared memory", 0, 2, "as ipcchan-ring" },
	{ "ipcchan-ring-zc", "shared memory", 0, 0, "reserve/commit, peek/release in place" },
	{ "ipcchan-ring-zc-spin0", "shared memory", 0, 0, "as ipcchan-ring-zc" },
	/* large transfers */
	{ "memfd-scm", "shared memory", 0, 0,
	  "memfd passed once; written and read in place, a doorbell per message" },
	{ "process-vm-writev", "kernel copy", 1, 0,
	  "one copy from the sender straight into the receiver" },
	{ "vmsplice", "pipe", 1, 0, "vmsplice() maps the pages in, read() copies out" },
};

const struct method_cost *method_cost(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(method_costs); i++)
		if (!strcmp(method_costs[i].name, name))
			return &method_costs[i];
	return NULL;
}

static const struct result *find_ok(const struct result *r, size_t n,
				    const struct method *m, enum pattern p,
				    size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].m == m && r[i].pat == p && r[i].size == size &&
		    r[i].status == CELL_OK)
			return &r[i];
	return NULL;
}

static void fmt_num(double v, const char *f, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, f, v);
}

/* Per round trip at size: crossings (system calls), switches, copies. */
static void print_crossings(FILE *f, const struct grid *g,
			    const struct result *r, size_t n, size_t size)
{
	char sz[32], a[32], b[32], c[32], d[32], e[32];
	size_t i;

	fprintf(f, "\ncrossings and copies per round trip (pingpong %s; system calls and context switches\n"
		"measured, both processes; payload copies derived from the mechanism, costs.c):\n",
		size_str(size, sz, sizeof(sz)));
	fprintf(f, "  %-20s %-20s %8s %8s %8s %8s %10s  %s\n", "method", "family",
		"syscalls", "ctxsw", "k-copies", "u-copies", "k-bytes", "texts: 4 crossings, 4 copies");
	for (i = 0; i < g->nm; i++) {
		const struct result *x = find_ok(r, n, g->m[i], PAT_PINGPONG, size);
		const struct method_cost *mc = method_cost(g->m[i]->name);
		double sc, kc = mc ? 2 * mc->kcopies : NAN;
		const char *verdict;

		if (!x)
			continue;
		sc = 2 * x->sysc_per_msg;
		fmt_num(sc, "%.2f", a, sizeof(a));
		fmt_num(2 * x->csw_per_msg, "%.2f", b, sizeof(b));
		fmt_num(kc, "%.0f", c, sizeof(c));
		fmt_num(mc ? 2 * mc->ucopies : NAN, "%.0f", d, sizeof(d));
		fmt_num(kc * size, "%.0f", e, sizeof(e));
		if (isnan(sc) || isnan(kc))
			verdict = "-";
		else if (kc == 4 && sc >= 3.5 && sc <= 4.5)
			verdict = "holds";
		else if (kc == 4)
			verdict = sc < 3.5 ? "copies hold, fewer crossings" :
					     "copies hold, more crossings";
		else
			verdict = sc < 4 ? "fewer copies and crossings" :
					   "fewer copies";
		fprintf(f, "  %-20s %-20s %8s %8s %8s %8s %10s  %s\n",
			g->m[i]->name, mc ? mc->family : "?", a, b, c, d, e, verdict);
	}
}

/* The texts' ranking: the median per family of stream msgs/s at size. */
static void print_ranking(FILE *f, const struct grid *g,
			  const struct result *r, size_t n, size_t size)
{
	static const char *const fam[] = {
		"shared memory", "pipe", "message queue", "socket",
		"ipcchan kernel queue",
	};
	static const char *const claim[] = {
		"very fast", "fast", "medium", "medium", "(not in the texts)",
	};
	double v[MAX_METHODS], med[ARRAY_SIZE(fam)];
	char sz[32];
	size_t i, k, nv;

	fprintf(f, "the texts' ranking against stream msgs/s at %s (median over each family's methods):\n",
		size_str(size, sz, sizeof(sz)));
	for (k = 0; k < ARRAY_SIZE(fam); k++) {
		for (i = nv = 0; i < g->nm; i++) {
			const struct method_cost *mc = method_cost(g->m[i]->name);
			const struct result *x = find_ok(r, n, g->m[i], PAT_STREAM, size);

			if (mc && x && !strcmp(mc->family, fam[k]))
				v[nv++] = x->msgs_per_s;
		}
		med[k] = nv ? sort_median(v, nv) : NAN;
	}
	for (k = 0; k < ARRAY_SIZE(fam); k++) {
		size_t rank = 1;

		if (isnan(med[k]))
			continue;
		for (i = 0; i < ARRAY_SIZE(fam); i++)
			rank += !isnan(med[i]) && med[i] > med[k];
		fprintf(f, "  %-22s texts: %-18s measured %10.0f msgs/s, rank %zu\n",
			fam[k], claim[k], med[k], rank);
	}
}

void print_costs(FILE *f, const struct grid *g, const struct result *r,
		 size_t n)
{
	size_t size = g->ns ? g->size[0] : 64, j;

	for (j = 0; j < g->ns; j++)
		if (g->size[j] == 64)
			size = 64;
	print_crossings(f, g, r, n, size);
	if (sysc_why[0])
		fprintf(f, "  (system calls not counted: %s)\n", sysc_why);
	print_ranking(f, g, r, n, size);
}
