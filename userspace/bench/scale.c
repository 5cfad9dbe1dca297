// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench scale (--pattern scale): cost as the work grows.  64-byte
 * messages, stream only, every queue the same depth (SC_DEPTH messages:
 * ipcchan max_msgs, mq_maxmsg, a one-page pipe, net.unix.max_dgram_qlen),
 * in three shapes:
 *
 *  shared PxC  P producer and C consumer processes on one channel
 *              (1x1, 2x2, 4x4, 8x8)
 *  pairs N     N channels with one producer and one consumer each (2, 4, 8)
 *  idle K      K idle channels of the same kind (created, open, no traffic)
 *              beside one busy 1x1 pair (1, 100, 1000)
 *
 * Every process is its own fork()ed child, none pinned: with more
 * processes than CPUs the scheduler's cost is part of what is measured,
 * and the report says how far the CPUs are oversubscribed.
 *
 * Checks: word 0 of a message is (producer << 48 | sequence), the other
 * seven words are derived from it and every word is compared.  A consumer
 * sees each producer's sequence strictly increasing (with one consumer on
 * the channel: exactly +1, no gap); afterwards, per producer, the messages
 * counted by all consumers must equal the messages sent, and so must the
 * sum of a 64-bit hash of their sequence numbers, so a message lost and
 * another delivered twice is caught too.  Producers send for the profile's
 * stream time; the last producer of a channel then queues one stop message
 * per consumer behind all data (same priority, FIFO), and a batch consumer
 * that takes more than one stop puts the others back.
 *
 * Figures per cell: aggregate messages/s (all messages received over the
 * time from the start signal to the last consumer's stop), CPU ns per
 * message (CPU time of every process over the same span, user + system),
 * context switches per message; median of the rounds with min..max.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ipcchan.h>
#include <limits.h>
#include <math.h>
#include <mqueue.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"

#define SC_SIZE		64		/* bytes per message */
#define SC_WORDS	(SC_SIZE / 8)
#define SC_DEPTH	64		/* messages in flight per channel */
#define SC_MAXP		8		/* producers (and consumers) at most */
#define SC_PROCS	(2 * SC_MAXP)
#define SC_MAXIDLE	1000
#define SC_BATCH	(SC_DEPTH / 2)	/* ipcchan-batch: messages per call */
#define SC_STOP		(1ULL << 63)
#define SC_SEQ_MASK	((1ULL << 48) - 1)

/* --- the methods --------------------------------------------------------- */

/* One channel of a method; set up in the main process, inherited. */
struct sq {
	int fd[2];		/* pipe: read, write; unix-dgram: send, recv */
	mqd_t mq;
	char name[64];		/* mq or ipcchan name, "" when none */
	int cfd;		/* ipcchan: this process's fd */
	struct ipcchan_msg msgs[SC_BATCH];	/* ipcchan-batch, per process */
};

struct sops {
	const char *name;	/* as ipcchan-bench --list calls it */
	unsigned int batch;	/* messages per call at most */
	int (*avail)(char *why);
	int (*create)(struct sq *q, unsigned int id, char *why);
	int (*open)(struct sq *q, char *why);			/* child */
	int (*send)(struct sq *q, const void *msgs, unsigned int n);
	int (*recv)(struct sq *q, void *buf, unsigned int max);	/* count */
	void (*destroy)(struct sq *q);
};

static struct ipcchan_modinfo sc_modinfo;

static void sq_init(struct sq *q)
{
	memset(q, 0, sizeof(*q));
	q->fd[0] = q->fd[1] = q->cfd = -1;
	q->mq = (mqd_t)-1;
}

static int sq_nop_open(struct sq *q, char *why)
{
	(void)q;
	(void)why;
	return 0;
}

static void sq_close_fds(struct sq *q)
{
	int i;

	for (i = 0; i < 2; i++)
		if (q->fd[i] >= 0)
			close(q->fd[i]);
	q->fd[0] = q->fd[1] = -1;
}

/* Exactly one message of SC_SIZE bytes moved, or an error. */
static int one_msg(ssize_t n)
{
	if (n < 0)
		return -errno;
	return n == SC_SIZE ? 1 : -EBADMSG;
}

static int pipe_create(struct sq *q, unsigned int id, char *why)
{
	(void)id;
	if (pipe2(q->fd, O_CLOEXEC) < 0)
		return -errno;
	/* one page: SC_DEPTH messages of SC_SIZE */
	if (fcntl(q->fd[1], F_SETPIPE_SZ, SC_DEPTH * SC_SIZE) < 0) {
		snprintf(why, WHY_LEN, "F_SETPIPE_SZ %d", SC_DEPTH * SC_SIZE);
		return -errno;
	}
	return 0;
}

static int pipe_send(struct sq *q, const void *msgs, unsigned int n)
{
	ssize_t r;

	(void)n;
	do	/* at most PIPE_BUF bytes: one atomic write */
		r = write(q->fd[1], msgs, SC_SIZE);
	while (r < 0 && errno == EINTR);
	return one_msg(r);
}

static int pipe_recv(struct sq *q, void *buf, unsigned int max)
{
	ssize_t r;

	(void)max;
	do	/* the pipe holds whole messages only: one read, one message */
		r = read(q->fd[0], buf, SC_SIZE);
	while (r < 0 && errno == EINTR);
	return one_msg(r);
}

static int dgram_create(struct sq *q, unsigned int id, char *why)
{
	(void)id;
	(void)why;
	return socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, q->fd) < 0 ?
	       -errno : 0;
}

static int dgram_send(struct sq *q, const void *msgs, unsigned int n)
{
	ssize_t r;

	(void)n;
	do
		r = send(q->fd[0], msgs, SC_SIZE, 0);
	while (r < 0 && errno == EINTR);
	return one_msg(r);
}

static int dgram_recv(struct sq *q, void *buf, unsigned int max)
{
	ssize_t r;

	(void)max;
	do
		r = recv(q->fd[1], buf, SC_SIZE, MSG_TRUNC);
	while (r < 0 && errno == EINTR);
	return one_msg(r);
}

static int mq_create(struct sq *q, unsigned int id, char *why)
{
	struct mq_attr a = { .mq_maxmsg = SC_DEPTH, .mq_msgsize = SC_SIZE };

	snprintf(q->name, sizeof(q->name), "/ipcchan-bench-scale.%d.%u",
		 (int)getpid(), id);
	mq_unlink(q->name);
	q->mq = mq_open(q->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600,
			&a);
	if (q->mq == (mqd_t)-1) {
		int err = -errno;

		snprintf(why, WHY_LEN,
			 "mq_open %s (fs.mqueue.queues_max, msg_max, RLIMIT_MSGQUEUE)",
			 q->name);
		q->name[0] = 0;
		return err;
	}
	return 0;
}

static int mq_send1(struct sq *q, const void *msgs, unsigned int n)
{
	int r;

	(void)n;
	do
		r = mq_send(q->mq, msgs, SC_SIZE, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 1;
}

static int mq_recv1(struct sq *q, void *buf, unsigned int max)
{
	ssize_t r;

	(void)max;
	do
		r = mq_receive(q->mq, buf, SC_SIZE, NULL);
	while (r < 0 && errno == EINTR);
	return one_msg(r);
}

static void mq_destroy(struct sq *q)
{
	if (q->mq != (mqd_t)-1)
		mq_close(q->mq);
	if (q->name[0])
		mq_unlink(q->name);
}

static int ic_avail(char *why)
{
	int err;

	if (access(IPCCHAN_DEVICE, F_OK)) {
		snprintf(why, WHY_LEN, "%s not present", IPCCHAN_DEVICE);
		return -ENODEV;
	}
	err = ipcchan_modinfo(-1, &sc_modinfo);
	if (err)
		snprintf(why, WHY_LEN, "IPCCHAN_IOC_MODINFO: %s", strerror(-err));
	return err;
}

static int ic_avail_batch(char *why)
{
	int err = ic_avail(why);

	if (!err && !(sc_modinfo.features & IPCCHAN_FEAT_BATCH)) {
		snprintf(why, WHY_LEN, "module lacks IPCCHAN_FEAT_BATCH");
		return -EOPNOTSUPP;
	}
	return err;
}

static int ic_create(struct sq *q, unsigned int id, char *why)
{
	struct ipcchan_opts o = {
		.flags = IPCCHAN_CREATE | IPCCHAN_EXCL,
		.access = IPCCHAN_ACCESS_RDWR,
		.mode = 0600,
		.max_msgs = SC_DEPTH,
		.max_msg_size = SC_SIZE,
	};
	int fd;

	snprintf(q->name, sizeof(q->name), "bench-scale.%d.%u", (int)getpid(),
		 id);
	ipcchan_unlink(q->name);
	fd = ipcchan_open(q->name, &o);
	if (fd < 0) {
		snprintf(why, WHY_LEN,
			 "create channel %s (module max_channels %u, user_channels_limit %u)",
			 q->name, sc_modinfo.max_channels,
			 sc_modinfo.user_channels_limit);
		q->name[0] = 0;
		return fd;
	}
	ipcchan_close(fd);
	return 0;
}

/* Each process opens the channel itself: its own file, like a client. */
static int ic_open(struct sq *q, char *why)
{
	struct ipcchan_opts o = { .access = IPCCHAN_ACCESS_RDWR };

	q->cfd = ipcchan_open(q->name, &o);
	if (q->cfd < 0) {
		snprintf(why, WHY_LEN, "open channel %s", q->name);
		return q->cfd;
	}
	return 0;
}

static int ic_send(struct sq *q, const void *msgs, unsigned int n)
{
	ssize_t r;

	(void)n;
	r = ipcchan_send(q->cfd, msgs, SC_SIZE, 0, IPCCHAN_WAIT_FOREVER);
	return r < 0 ? (int)r : 1;
}

static int ic_recv(struct sq *q, void *buf, unsigned int max)
{
	ssize_t r;

	(void)max;
	r = ipcchan_recv(q->cfd, buf, SC_SIZE, NULL, IPCCHAN_WAIT_FOREVER);
	return r < 0 ? (int)r : r == SC_SIZE ? 1 : -EBADMSG;
}

static int icb_send(struct sq *q, const void *msgs, unsigned int n)
{
	unsigned int i, off = 0;
	int r;

	n = n < SC_BATCH ? n : SC_BATCH;
	for (i = 0; i < n; i++)
		ipcchan_msg_init(&q->msgs[i], (const uint8_t *)msgs + i * SC_SIZE,
				 SC_SIZE, 0);
	while (off < n) {
		r = ipcchan_send_batch(q->cfd, q->msgs + off, n - off,
				       IPCCHAN_WAIT_FOREVER);
		if (r < 0)
			return r;
		off += (unsigned int)r;
	}
	return (int)n;
}

static int icb_recv(struct sq *q, void *buf, unsigned int max)
{
	unsigned int i;
	int r;

	for (i = 0; i < max; i++)
		ipcchan_msg_init(&q->msgs[i], (uint8_t *)buf + i * SC_SIZE,
				 SC_SIZE, 0);
	r = ipcchan_recv_batch(q->cfd, q->msgs, max, IPCCHAN_WAIT_FOREVER);
	for (i = 0; r > 0 && i < (unsigned int)r; i++)
		if (q->msgs[i].len != SC_SIZE)
			return -EBADMSG;
	return r;
}

static void ic_destroy(struct sq *q)
{
	if (q->name[0])
		ipcchan_unlink(q->name);
}

static const struct sops sc_methods[] = {
	{ "ipcchan-ioctl", 1, ic_avail, ic_create, ic_open, ic_send, ic_recv,
	  ic_destroy },
	{ "ipcchan-batch", SC_BATCH, ic_avail_batch, ic_create, ic_open,
	  icb_send, icb_recv, ic_destroy },
	{ "posix-mq", 1, NULL, mq_create, sq_nop_open, mq_send1, mq_recv1,
	  mq_destroy },
	{ "unix-dgram", 1, NULL, dgram_create, sq_nop_open, dgram_send,
	  dgram_recv, NULL },
	{ "pipe", 1, NULL, pipe_create, sq_nop_open, pipe_send, pipe_recv,
	  NULL },
};

/* --- the shapes ---------------------------------------------------------- */

enum sc_mode { SC_SHARED, SC_PAIRS, SC_IDLE };

struct sc_cfg {
	enum sc_mode mode;
	unsigned int n;		/* P = C (shared), pairs, idle channels */
};

#define SC_MAXCFG	16
static const char sc_default_shapes[] =
	"1x1,2x2,4x4,8x8,pairs2,pairs4,pairs8,idle1,idle100,idle1000";
static struct sc_cfg sc_cfgs[SC_MAXCFG];
static unsigned int sc_ncfg;

/* --scale-shapes: NxN (one channel), pairsN, idleN; nonzero when bad. */
int scale_parse_shapes(const char *arg)
{
	char copy[256], *tok, *save = NULL, junk;
	unsigned int a, b;

	snprintf(copy, sizeof(copy), "%s", arg ? arg : sc_default_shapes);
	sc_ncfg = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct sc_cfg c;

		if (sscanf(tok, "%ux%u%c", &a, &b, &junk) == 2 && a == b &&
		    a >= 1 && a <= SC_MAXP)
			c = (struct sc_cfg){ SC_SHARED, a };
		else if (sscanf(tok, "pairs%u%c", &a, &junk) == 1 && a >= 1 &&
			 a <= SC_MAXP)
			c = (struct sc_cfg){ SC_PAIRS, a };
		else if (sscanf(tok, "idle%u%c", &a, &junk) == 1 &&
			 a <= SC_MAXIDLE)
			c = (struct sc_cfg){ SC_IDLE, a };
		else
			return -EINVAL;
		if (sc_ncfg == SC_MAXCFG)
			return -E2BIG;
		sc_cfgs[sc_ncfg++] = c;
	}
	return sc_ncfg ? 0 : -EINVAL;
}

static unsigned int cfg_procs(const struct sc_cfg *c)
{
	return c->mode == SC_IDLE ? 2 : 2 * c->n;
}

static unsigned int cfg_busy(const struct sc_cfg *c)
{
	return c->mode == SC_PAIRS ? c->n : 1;
}

static const char *cfg_name(const struct sc_cfg *c, char *buf, size_t n)
{
	if (c->mode == SC_SHARED)
		snprintf(buf, n, "%ux%u one channel", c->n, c->n);
	else if (c->mode == SC_PAIRS)
		snprintf(buf, n, "%u pairs", c->n);
	else
		snprintf(buf, n, "1x1 + %u idle", c->n);
	return buf;
}

/* The channel of producer or consumer i (of P + C processes). */
static unsigned int chan_of(const struct sc_cfg *c, unsigned int np,
			    unsigned int i)
{
	if (c->mode != SC_PAIRS)
		return 0;
	return i < np ? i : i - np;
}

/* --- one cell ------------------------------------------------------------ */

struct sc_proc {
	int err;
	char why[WHY_LEN];
	double cpu_s;
	long csw;
	double t_end;
	uint64_t sent, sent_hash;	/* producer */
	uint64_t cnt[SC_MAXP], hash[SC_MAXP];	/* consumer, per producer */
};

struct sc_shm {
	_Atomic uint32_t ready;
	_Atomic uint32_t go;
	double t0, deadline;
	_Atomic uint32_t prod_done[SC_MAXP];	/* per channel */
	struct sc_proc proc[SC_PROCS];
};

struct sc_cell {
	const struct sops *m;
	const struct sc_cfg *c;
	struct sq *q;		/* busy channels, then idle ones */
	unsigned int nq;
	unsigned int np, nc;	/* producers, consumers */
	double time_s;
	struct sc_shm *sh;
};

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static void msg_fill(uint64_t *w, uint64_t tag)
{
	uint64_t v = mix(tag);
	int i;

	w[0] = tag;
	for (i = 1; i < SC_WORDS; i++)
		w[i] = v + i;
}

static bool msg_ok(const uint64_t *w)
{
	uint64_t v = mix(w[0]);
	int i;

	for (i = 1; i < SC_WORDS; i++)
		if (w[i] != v + i)
			return false;
	return true;
}

static int send_all(struct sc_cell *x, struct sq *q, const uint64_t *buf,
		    unsigned int n)
{
	unsigned int off = 0;
	int r;

	while (off < n) {
		r = x->m->send(q, buf + off * SC_WORDS, n - off);
		if (r < 0)
			return r;
		off += (unsigned int)r;
	}
	return 0;
}

/* n stop messages, from producer i. */
static int send_stops(struct sc_cell *x, struct sq *q, unsigned int i,
		      unsigned int n)
{
	uint64_t buf[SC_WORDS];
	int err;

	msg_fill(buf, SC_STOP | (uint64_t)i << 48);
	while (n--) {
		err = send_all(x, q, buf, 1);
		if (err)
			return err;
	}
	return 0;
}

/*
 * IPCCHAN_BENCH_SCALE_FAULT=lose|dup|corrupt: every producer loses,
 * doubles or corrupts its message SC_FAULT_SEQ, so a test can see the
 * checks fail the cell.
 */
#define SC_FAULT_SEQ	100
enum { F_NONE, F_LOSE, F_DUP, F_CORRUPT };
static int sc_fault;

static void sc_fault_init(void)
{
	const char *f = getenv("IPCCHAN_BENCH_SCALE_FAULT");

	sc_fault = !f ? F_NONE : !strcmp(f, "lose") ? F_LOSE :
		   !strcmp(f, "dup") ? F_DUP : !strcmp(f, "corrupt") ? F_CORRUPT :
		   F_NONE;
	if (sc_fault)
		fprintf(stderr, "ipcchan-bench: scale: injecting fault '%s'\n", f);
}

/* Message k of the n in buf: lose, double or corrupt it. */
static void sc_fault_apply(uint64_t *buf, unsigned int *n, unsigned int k)
{
	uint64_t *w = buf + k * SC_WORDS;

	if (sc_fault == F_LOSE) {
		memmove(w, w + SC_WORDS, (*n - k - 1) * SC_SIZE);
		(*n)--;
	} else if (sc_fault == F_DUP) {
		memmove(w + SC_WORDS, w, (*n - k) * SC_SIZE);
		(*n)++;
	} else {
		((uint8_t *)w)[SC_SIZE / 2] ^= 1;
	}
}

static int producer(struct sc_cell *x, unsigned int i, struct sc_proc *me)
{
	unsigned int ch = chan_of(x->c, x->np, i), b = x->m->batch, k;
	unsigned int mates = x->c->mode == SC_PAIRS ? 1 : x->np;
	unsigned int consumers = x->c->mode == SC_PAIRS ? 1 : x->nc;
	struct sq *q = &x->q[ch];
	uint64_t buf[(SC_BATCH + 1) * SC_WORDS], seq = 0;
	unsigned int n;
	int err;

	for (;;) {
		if (seq % 64 < b && now_s() >= x->sh->deadline)
			break;
		for (k = 0; k < b; k++) {
			msg_fill(buf + k * SC_WORDS, (uint64_t)i << 48 | (seq + k));
			me->sent_hash += mix(seq + k);
		}
		n = b;
		if (sc_fault && seq <= SC_FAULT_SEQ && SC_FAULT_SEQ < seq + b)
			sc_fault_apply(buf, &n, SC_FAULT_SEQ - (unsigned int)seq);
		err = send_all(x, q, buf, n);
		if (err)
			return err;
		seq += b;
	}
	me->sent = seq;
	/* the last producer of the channel queues one stop per consumer */
	if (atomic_fetch_add(&x->sh->prod_done[ch], 1) + 1 == mates)
		return send_stops(x, q, i, consumers);
	return 0;
}

static int consumer(struct sc_cell *x, unsigned int j, struct sc_proc *me)
{
	unsigned int ch = chan_of(x->c, x->np, x->np + j), b = x->m->batch;
	bool alone = x->c->mode == SC_PAIRS || x->nc == 1;
	uint64_t buf[SC_BATCH * SC_WORDS], next[SC_MAXP] = { 0 };
	struct sq *q = &x->q[ch];
	unsigned int stops = 0, stop_from = 0, p, k;
	int n;

	while (!stops) {
		n = x->m->recv(q, buf, b);
		if (n < 0)
			return n;
		for (k = 0; k < (unsigned int)n; k++) {
			const uint64_t *w = buf + k * SC_WORDS;
			uint64_t seq = w[0] & SC_SEQ_MASK;

			p = (unsigned int)((w[0] & ~SC_STOP) >> 48);
			if (!msg_ok(w) || p >= x->np || chan_of(x->c, x->np, p) != ch) {
				snprintf(me->why, WHY_LEN,
					 "corrupt message (word 0 %#llx)",
					 (unsigned long long)w[0]);
				return -EBADMSG;
			}
			if (w[0] & SC_STOP) {
				stop_from = p;
				stops++;
				continue;
			}
			if (stops || seq < next[p] || (alone && seq != next[p])) {
				snprintf(me->why, WHY_LEN,
					 "producer %u: got message %llu, expected %s%llu%s",
					 p, (unsigned long long)seq,
					 alone ? "" : "at least ",
					 (unsigned long long)next[p],
					 stops ? " (after a stop)" : "");
				return -EBADMSG;
			}
			next[p] = seq + 1;
			me->cnt[p]++;
			me->hash[p] += mix(seq);
		}
	}
	/* stops taken for other consumers of the channel go back */
	return stops > 1 ? send_stops(x, q, stop_from, stops - 1) : 0;
}

static void __attribute__((noreturn)) sc_child(struct sc_cell *x, unsigned int i)
{
	struct sc_proc *me = &x->sh->proc[i];
	unsigned int ch = chan_of(x->c, x->np, i);
	double cpu0;
	long csw0;
	int err;

	err = x->m->open(&x->q[ch], me->why);
	atomic_fetch_add(&x->sh->ready, 1);
	futex_wake(&x->sh->ready, 1);
	while (!atomic_load(&x->sh->go))
		futex_wait(&x->sh->go, 0);
	cpu0 = cpu_s();
	csw0 = csw_now();
	if (!err)
		err = i < x->np ? producer(x, i, me) : consumer(x, i - x->np, me);
	me->t_end = now_s();
	me->cpu_s = cpu_s() - cpu0;
	me->csw = csw_now() - csw0;
	me->err = err;
	_exit(err ? 1 : 0);
}

/* Wait for every child; kill them all at the deadline or 2 s after one failed. */
static int sc_reap(pid_t *pid, unsigned int n, double watchdog_s, char *why)
{
	double deadline = now_s() + watchdog_s;
	unsigned int alive = n, i;
	int st, bad = 0;

	while (alive) {
		for (i = 0; i < n; i++) {
			if (pid[i] <= 0 || waitpid(pid[i], &st, WNOHANG) != pid[i])
				continue;
			pid[i] = 0;
			alive--;
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				if (!bad)
					deadline = fmin(deadline, now_s() + 2);
				bad = 1;
			}
		}
		if (alive && now_s() >= deadline) {
			for (i = 0; i < n; i++)
				if (pid[i] > 0)
					kill(pid[i], SIGKILL);
			if (!bad)
				snprintf(why, WHY_LEN, "watchdog: killed after %.0f s",
					 watchdog_s);
			bad = 1;
			deadline = now_s() + 60;
		}
		if (alive)
			nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	}
	return bad;
}

struct sc_run {
	int status;		/* CELL_* */
	char why[WHY_LEN];
	double msgs_per_s, cpu_ns, csw;
	uint64_t msgs;
};

/* Every producer's messages arrived exactly once, by count and hash. */
static int sc_verify(const struct sc_cell *x, char *why)
{
	unsigned int p, j;

	for (p = 0; p < x->np; p++) {
		uint64_t cnt = 0, hash = 0;

		for (j = 0; j < x->nc; j++) {
			cnt += x->sh->proc[x->np + j].cnt[p];
			hash += x->sh->proc[x->np + j].hash[p];
		}
		if (cnt != x->sh->proc[p].sent || hash != x->sh->proc[p].sent_hash) {
			snprintf(why, WHY_LEN,
				 "producer %u sent %llu messages, consumers got %llu%s",
				 p, (unsigned long long)x->sh->proc[p].sent,
				 (unsigned long long)cnt,
				 cnt == x->sh->proc[p].sent ?
				 " (not the same ones: lost and duplicated)" : "");
			return -EBADMSG;
		}
	}
	return 0;
}

static void sc_figures(const struct sc_cell *x, struct sc_run *r)
{
	double t1 = x->sh->t0, cpu = 0;
	unsigned int i, n = x->np + x->nc;
	long csw = 0;

	r->msgs = 0;
	for (i = 0; i < n; i++) {
		t1 = fmax(t1, x->sh->proc[i].t_end);
		cpu += x->sh->proc[i].cpu_s;
		csw += x->sh->proc[i].csw;
		if (i < x->np)
			r->msgs += x->sh->proc[i].sent;
	}
	r->msgs_per_s = r->msgs / (t1 - x->sh->t0);
	r->cpu_ns = r->msgs ? cpu * 1e9 / r->msgs : NAN;
	r->csw = r->msgs ? (double)csw / r->msgs : NAN;
}

static int sc_fork(struct sc_cell *x, const struct profile *prof, char *why)
{
	unsigned int i, n = x->np + x->nc;
	pid_t pid[SC_PROCS] = { 0 };
	int bad = 0;

	fflush(NULL);
	for (i = 0; i < n; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			sc_child(x, i);
		if (pid[i] < 0) {
			snprintf(why, WHY_LEN, "fork: %s", strerror(errno));
			pid[i] = 0;
			bad = 1;
			break;
		}
	}
	if (!bad) {
		uint32_t v;

		while ((v = atomic_load(&x->sh->ready)) < n)
			futex_wait(&x->sh->ready, v);
		x->sh->t0 = now_s();
		x->sh->deadline = x->sh->t0 + x->time_s;
		atomic_store(&x->sh->go, 1);
		futex_wake(&x->sh->go, INT_MAX);
	} else {
		for (i = 0; i < n; i++)
			if (pid[i] > 0)
				kill(pid[i], SIGKILL);
	}
	return sc_reap(pid, n, prof->watchdog_s, why) || bad;
}

/* The first child's complaint. */
static void sc_child_why(const struct sc_cell *x, char *why)
{
	unsigned int i;

	for (i = 0; i < x->np + x->nc && !why[0]; i++) {
		const struct sc_proc *p = &x->sh->proc[i];

		if (p->err)
			snprintf(why, WHY_LEN, "%s %u: %s%s%s",
				 i < x->np ? "producer" : "consumer",
				 i < x->np ? i : i - x->np, p->why,
				 p->why[0] ? ": " : "", strerror(-p->err));
	}
}

static void sc_cell_run(const struct sops *m, const struct sc_cfg *c,
			const struct profile *prof, struct sc_run *r)
{
	unsigned int busy = cfg_busy(c), idle = c->mode == SC_IDLE ? c->n : 0;
	struct sc_cell x = {
		.m = m, .c = c, .nq = busy + idle, .time_s = prof->st_time_s,
		.np = cfg_procs(c) / 2, .nc = cfg_procs(c) / 2,
	};
	unsigned int i, made = 0;
	int err = 0;

	memset(r, 0, sizeof(*r));
	r->status = CELL_ERROR;
	x.q = calloc(x.nq, sizeof(*x.q));
	x.sh = mmap(NULL, sizeof(*x.sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!x.q || x.sh == MAP_FAILED) {
		snprintf(r->why, WHY_LEN, "out of memory");
		free(x.q);
		return;
	}
	static unsigned int serial;

	for (i = 0; i < x.nq && !err; i++, made++) {
		sq_init(&x.q[i]);
		err = m->create(&x.q[i], serial++, r->why);
	}
	if (err) {
		size_t l = strlen(r->why);

		snprintf(r->why + l, WHY_LEN - l, "%s%s (channel %u of %u)",
			 l ? ": " : "", strerror(-err), made, x.nq);
	} else if (sc_fork(&x, prof, r->why)) {
		sc_child_why(&x, r->why);
		if (!r->why[0])
			snprintf(r->why, WHY_LEN, "a process died");
	} else if (!sc_verify(&x, r->why)) {
		r->status = CELL_OK;
		sc_figures(&x, r);
	}
	for (i = 0; i < made; i++) {
		if (m->destroy)
			m->destroy(&x.q[i]);
		sq_close_fds(&x.q[i]);
	}
	free(x.q);
	munmap(x.sh, sizeof(*x.sh));
}

/* --- rounds, limits, report ---------------------------------------------- */

static struct {
	bool ran;
	unsigned int rounds;
	long cpus;
	const struct sops *m[ARRAY_SIZE(sc_methods)];
	unsigned int nm;
	int avail[ARRAY_SIZE(sc_methods)];
	char avail_why[ARRAY_SIZE(sc_methods)][WHY_LEN];
	long long dgram_qlen;
	/* runs[cfg][method][round] */
	struct sc_run runs[SC_MAXCFG][ARRAY_SIZE(sc_methods)][MAX_REPEAT];
} sc;

static void raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void sc_limits(bool raise)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	/* every process inherits every channel: two fds for each idle pipe */
	raise_nofile(2 * SC_MAXIDLE + 256);
	if (raise) {
		sysctl_raise("/proc/sys/fs/mqueue/msg_max", SC_DEPTH);
		sysctl_raise("/proc/sys/fs/mqueue/queues_max", SC_MAXIDLE + 64);
		sysctl_raise("/proc/sys/net/unix/max_dgram_qlen", SC_DEPTH);
		if (setrlimit(RLIMIT_MSGQUEUE, &rl))
			fprintf(stderr, "ipcchan-bench: RLIMIT_MSGQUEUE stays: %s\n",
				strerror(errno));
	}
	if (sysctl_read("/proc/sys/net/unix/max_dgram_qlen", &sc.dgram_qlen))
		sc.dgram_qlen = -1;
}

static void sc_progress(unsigned int round, const struct sc_cfg *c,
			const struct sops *m, const struct sc_run *r)
{
	char name[40];

	fprintf(stderr, "[scale %u/%u] %-20s %-14s ", round + 1, sc.rounds,
		cfg_name(c, name, sizeof(name)), m->name);
	if (r->status == CELL_OK)
		fprintf(stderr, "%10.0f msg/s  cpu %7.0f ns/msg  (%llu messages)\n",
			r->msgs_per_s, r->cpu_ns, (unsigned long long)r->msgs);
	else
		fprintf(stderr, "%s: %s\n",
			r->status == CELL_SKIPPED ? "n/a" : "FAILED", r->why);
}

/* Run the scale pattern if --pattern asks for it; nonzero when a cell failed. */
int scale_run(const struct options *o)
{
	unsigned int i, j, k, round;
	int failed = 0;

	if (!o->scale)
		return 0;
	for (i = 0; i < ARRAY_SIZE(sc_methods); i++)
		for (j = 0; j < o->nmethods; j++)
			if (!strcmp(o->methods[j]->name, sc_methods[i].name)) {
				sc.m[sc.nm] = &sc_methods[i];
				sc.avail[sc.nm] = sc_methods[i].avail ?
					sc_methods[i].avail(sc.avail_why[sc.nm]) : 0;
				sc.nm++;
				break;
			}
	if (!sc.nm)
		return 0;
	sc.rounds = o->env.repeat;
	sc.cpus = o->env.cpus > 0 ? o->env.cpus : sysconf(_SC_NPROCESSORS_ONLN);
	sc_limits(o->raise);
	if (!sc_ncfg)
		scale_parse_shapes(NULL);
	sc_fault_init();
	fprintf(stderr, "ipcchan-bench: scale: %u methods x %u shapes x %u round%s, %.2f s each\n",
		sc.nm, sc_ncfg, sc.rounds, sc.rounds == 1 ? "" : "s",
		o->prof.st_time_s);
	for (round = 0; round < sc.rounds; round++)
		for (i = 0; i < sc_ncfg; i++)
			for (k = 0; k < sc.nm; k++) {
				struct sc_run *r = &sc.runs[i][k][round];

				if (sc.avail[k]) {
					memset(r, 0, sizeof(*r));
					r->status = CELL_SKIPPED;
					snprintf(r->why, WHY_LEN, "%.240s",
						 sc.avail_why[k]);
					if (round == 0 && i == 0)
						sc_progress(round, &sc_cfgs[i],
							    sc.m[k], r);
					continue;
				}
				sc_cell_run(sc.m[k], &sc_cfgs[i], &o->prof, r);
				failed |= r->status == CELL_ERROR;
				sc_progress(round, &sc_cfgs[i], sc.m[k], r);
			}
	sc.ran = true;
	return failed;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, min and max of a figure over the rounds that ran; n rounds. */
static unsigned int sc_stat(unsigned int ci, unsigned int mi, int which,
			    double *med, double *lo, double *hi)
{
	double v[MAX_REPEAT];
	unsigned int k, n = 0;

	for (k = 0; k < sc.rounds; k++) {
		const struct sc_run *r = &sc.runs[ci][mi][k];

		if (r->status == CELL_OK)
			v[n++] = which == 0 ? r->msgs_per_s :
				 which == 1 ? r->cpu_ns : r->csw;
	}
	if (!n || n < sc.rounds)	/* a failed round: no figure */
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	*lo = v[0];
	*hi = v[n - 1];
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return n;
}

static const char *si(double v, char *buf, size_t n)
{
	if (v >= 1e6)
		snprintf(buf, n, "%.3gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, n, "%.3gk", v / 1e3);
	else
		snprintf(buf, n, "%.3g", v);
	return buf;
}

static void sc_table(FILE *f, int which, const char *title)
{
	char name[40], a[24], cell[40];
	double med, lo, hi;
	unsigned int i, k;

	fprintf(f, "\n%s\n%-20s %5s", title, "shape", "procs");
	for (k = 0; k < sc.nm; k++)
		fprintf(f, " %16s", sc.m[k]->name);
	fputc('\n', f);
	for (i = 0; i < sc_ncfg; i++) {
		fprintf(f, "%-20s %5u", cfg_name(&sc_cfgs[i], name, sizeof(name)),
			cfg_procs(&sc_cfgs[i]));
		for (k = 0; k < sc.nm; k++) {
			const struct sc_run *r0 = &sc.runs[i][k][0];

			if (sc_stat(i, k, which, &med, &lo, &hi) > 1)
				snprintf(cell, sizeof(cell), "%s ±%.0f%%",
					 si(med, a, sizeof(a)),
					 med > 0 ? 50 * (hi - lo) / med : 0);
			else if (sc_stat(i, k, which, &med, &lo, &hi))
				snprintf(cell, sizeof(cell), "%s",
					 si(med, a, sizeof(a)));
			else
				snprintf(cell, sizeof(cell), "%s",
					 r0->status == CELL_SKIPPED ? "n/a" : "ERR");
			fprintf(f, " %16s", cell);
		}
		fputc('\n', f);
	}
}

/* ipcchan-ioctl over the best of posix-mq and unix-dgram at 8x8, per round. */
static void sc_target(FILE *f)
{
	int io = -1, mq = -1, dg = -1;
	unsigned int k, n = 0, ci;
	double v[MAX_REPEAT], med;

	for (ci = 0; ci < sc_ncfg; ci++)
		if (sc_cfgs[ci].mode == SC_SHARED && sc_cfgs[ci].n == SC_MAXP)
			break;
	if (ci == sc_ncfg)
		return;

	for (k = 0; k < sc.nm; k++) {
		io = !strcmp(sc.m[k]->name, "ipcchan-ioctl") ? (int)k : io;
		mq = !strcmp(sc.m[k]->name, "posix-mq") ? (int)k : mq;
		dg = !strcmp(sc.m[k]->name, "unix-dgram") ? (int)k : dg;
	}
	if (io < 0 || (mq < 0 && dg < 0))
		return;
	for (k = 0; k < sc.rounds; k++) {
		const struct sc_run *a = &sc.runs[ci][io][k];
		const struct sc_run *b = mq >= 0 ? &sc.runs[ci][mq][k] : NULL;
		const struct sc_run *c = dg >= 0 ? &sc.runs[ci][dg][k] : NULL;
		double best = 0;

		if (a->status != CELL_OK)
			continue;
		if (b && b->status == CELL_OK)
			best = fmax(best, b->msgs_per_s);
		if (c && c->status == CELL_OK)
			best = fmax(best, c->msgs_per_s);
		if (best > 0)
			v[n++] = a->msgs_per_s / best;
	}
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	med = n % 2 ? v[n / 2] : sqrt(v[n / 2 - 1] * v[n / 2]);
	fprintf(f, "\n8x8 on one channel: ipcchan-ioctl / best of posix-mq, unix-dgram (paired per round, %u round%s): %.2fx [%.2f..%.2f]: %s\n",
		n, n == 1 ? "" : "s", med, v[0], v[n - 1],
		n < 2 ? "one round, no interval" :
		v[0] >= 1 ? "met (>= 1.0x)" :
		v[n - 1] < 1 ? "missed" : "inconclusive");
}

/* The scale section of the report. */
void scale_report(FILE *f)
{
	if (!sc.ran)
		return;
	fprintf(f, "\nscale: %d-byte messages, stream, queue depth %d messages per channel (unix-dgram: net.unix.max_dgram_qlen %lld),\n"
		"median of %u round%s ±half the min-max range; processes not pinned\n",
		SC_SIZE, SC_DEPTH, sc.dgram_qlen, sc.rounds,
		sc.rounds == 1 ? "" : "s");
	fprintf(f, "oversubscription: %ld CPU%s here; 2x2 runs 4 processes (%.1fx), 4x4 8 (%.1fx), 8x8 and 8 pairs 16 (%.1fx):\n"
		"  beyond %ld processes the figures include the scheduler's cost of sharing the CPUs\n",
		sc.cpus, sc.cpus == 1 ? "" : "s", 4.0 / sc.cpus, 8.0 / sc.cpus,
		16.0 / sc.cpus, sc.cpus);
	sc_table(f, 0, "scale: aggregate messages/s (all producers to all consumers), higher is better");
	sc_table(f, 1, "scale: CPU ns per message, all processes, lower is better");
	sc_table(f, 2, "scale: context switches per message, all processes");
	sc_target(f);
}

static int write_scale_csv(const char *path)
{
	static const char *const modes[] = { "shared", "pairs", "idle" };
	FILE *f = fopen(path, "w");
	double med[3], lo[3], hi[3];
	unsigned int i, k, r, w;

	if (!f)
		return -errno;
	fprintf(f, "mode,n,producers,consumers,channels,idle_channels,processes,cpus,method,status,rounds,msgs_per_s,msgs_per_s_min,msgs_per_s_max,cpu_ns_per_msg,cpu_ns_min,cpu_ns_max,ctx_switches_per_msg,size,depth,runs,reason\n");
	for (i = 0; i < sc_ncfg; i++) {
		const struct sc_cfg *c = &sc_cfgs[i];

		for (k = 0; k < sc.nm; k++) {
			const struct sc_run *r0 = &sc.runs[i][k][0];
			bool ok = true;

			for (w = 0; w < 3; w++)
				ok &= sc_stat(i, k, (int)w, &med[w], &lo[w],
					      &hi[w]) > 0;
			fprintf(f, "%s,%u,%u,%u,%u,%u,%u,%ld,%s,", modes[c->mode],
				c->n, cfg_procs(c) / 2, cfg_procs(c) / 2,
				cfg_busy(c), c->mode == SC_IDLE ? c->n : 0,
				cfg_procs(c), sc.cpus, sc.m[k]->name);
			if (ok)
				fprintf(f, "ok,%u,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,",
					sc.rounds, med[0], lo[0], hi[0], med[1],
					lo[1], hi[1], med[2]);
			else
				fprintf(f, "%s,%u,,,,,,,,",
					r0->status == CELL_SKIPPED ? "skipped" : "error",
					sc.rounds);
			fprintf(f, "%d,%lld,", SC_SIZE,
				strcmp(sc.m[k]->name, "unix-dgram") ?
				SC_DEPTH : sc.dgram_qlen);
			for (r = 0; r < sc.rounds; r++)
				fprintf(f, "%s%.6g", r ? ";" : "",
					sc.runs[i][k][r].status == CELL_OK ?
					sc.runs[i][k][r].msgs_per_s : NAN);
			fputc(',', f);
			for (r = 0; r < sc.rounds; r++)
				if (sc.runs[i][k][r].status != CELL_OK) {
					/* the CSV has no quoting: no commas */
					char why[WHY_LEN], *p;

					snprintf(why, sizeof(why), "%s",
						 sc.runs[i][k][r].why);
					for (p = why; *p; p++)
						*p = *p == ',' ? ';' : *p;
					fprintf(f, "%s", why);
					break;
				}
			fputc('\n', f);
		}
	}
	return fclose(f) ? -errno : 0;
}

/* DIR/scale.csv, and the section added to table.txt. */
int scale_write(const char *dir)
{
	char path[4096];
	FILE *f;
	int err;

	if (!sc.ran)
		return 0;
	snprintf(path, sizeof(path), "%s/scale.csv", dir);
	err = write_scale_csv(path);
	if (!err) {
		snprintf(path, sizeof(path), "%s/table.txt", dir);
		f = fopen(path, "a");
		err = f ? 0 : -errno;
		if (f) {
			scale_report(f);
			err = fclose(f) ? -errno : 0;
		}
	}
	if (err)
		fprintf(stderr, "ipcchan-bench: write %s: %s\n", path,
			strerror(-err));
	return err;
}
