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
 *
 * m_scale.c has the methods' channels, scale_out.c the report and
 * scale.csv, scale.h what the three share.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scale.h"
#include "clock.h"

/* --- the shapes ---------------------------------------------------------- */

static const char sc_default_shapes[] =
	"1x1,2x2,4x4,8x8,pairs2,pairs4,pairs8,idle1,idle100,idle1000";
struct sc_cfg sc_cfgs[SC_MAXCFG];
unsigned int sc_ncfg;

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

unsigned int cfg_procs(const struct sc_cfg *c)
{
	return c->mode == SC_IDLE ? 2 : 2 * c->n;
}

unsigned int cfg_busy(const struct sc_cfg *c)
{
	return c->mode == SC_PAIRS ? c->n : 1;
}

const char *cfg_name(const struct sc_cfg *c, char *buf, size_t n)
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
/* Every producer sends at least this many, deadline or not. */
#define SC_MIN_SENT	64
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
		/*
		 * At least SC_MIN_SENT messages (and a fault to inject) however
		 * slow the kernel: a producer first scheduled after the deadline
		 * (16 processes on 2 vCPUs of a debug kernel) would otherwise
		 * send none, and the cell's 0 msgs/s measure nothing.
		 */
		if (seq >= SC_MIN_SENT && seq % 64 < b &&
		    (!sc_fault || seq > SC_FAULT_SEQ) &&
		    now_s() >= x->sh->deadline)
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

/* --- rounds and limits -------------------------------------------------- */

struct scale_state sc;

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
