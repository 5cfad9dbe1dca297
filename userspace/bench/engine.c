// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench engine: runs one cell (method x pattern x size) between two
 * forked processes.
 *
 * Payload: word 0 of every message is its tag (sequence number, plus
 * STOP_BIT on the last one); the other words are seq_mix(tag) + index, so
 * the receiver can check a 64-bit sum of every payload byte against a closed
 * form, and compares every word exactly on one message in SAMPLE_EVERY.  The
 * sender writes every byte of every message and the receiver reads every
 * byte, so a zero-copy path cannot win by not touching the data.
 *
 * pingpong: side 0 sends a request, side 1 checks it and sends a reply of the
 * same size with the same tag; side 0 times each round trip on
 * CLOCK_MONOTONIC after the warm-up.
 * stream: side 0 sends as fast as the method lets it; side 1 checks the
 * sequence and times from the first measured message to the stop message.
 * Both sides read their own CPU clock (CLOCK_PROCESS_CPUTIME_ID, user +
 * system) over the measured part and report it through a shared page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"

#define STOP_BIT	(1ULL << 63)
#define SAMPLE_EVERY	64	/* exact compare of one message in this many */
#define MAX_MARKS	64	/* stream: throughput intervals recorded */
#define N_INTERVALS	10

typedef uint64_t __attribute__((may_alias)) word_t;

struct side_report {
	int err;
	char why[WHY_LEN];
	double cpu_s;		/* CPU seconds over the measured part */
	long csw;		/* context switches over the measured part */
	long long sysc;		/* system calls over it, -1: not counted */
};

/* Shared between the main process and both children of a cell. */
struct ctl {
	_Atomic uint32_t barrier;
	_Atomic uint64_t warm_seq;	/* tag of the first measured message */
	struct side_report side[2];
	/* pingpong, written by side 0 */
	double rtt[ST_NR];
	uint64_t iters;
	uint64_t outliers;
	/* stream, written by side 1 */
	double t0, t1;
	uint64_t count;
	unsigned int nmarks;
	double mark_t[MAX_MARKS];
	uint64_t mark_n[MAX_MARKS];
};

/* --- payload ------------------------------------------------------------- */

static inline uint64_t seq_mix(uint64_t tag)
{
	return (tag + 1) * 0x9E3779B97F4A7C15ULL;
}

/*
 * Every method's payload is filled and checksummed by these two loops, so
 * they must not be what a large-message measurement sees: they are built
 * vectorized (-O3, see the Makefile) and, where the CPU has AVX2, in a
 * 32-byte version picked at load time (an ifunc, as glibc's memcpy does).
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PAYLOAD_LOOP __attribute__((target_clones("avx2", "default")))
#else
#define PAYLOAD_LOOP
#endif

PAYLOAD_LOOP
static void payload_fill(void *buf, size_t len, uint64_t tag)
{
	word_t *w = buf;
	uint8_t *tail = (uint8_t *)buf + len / 8 * 8;
	uint64_t v = seq_mix(tag);
	size_t n = len / 8, i;

	w[0] = tag;
	for (i = 1; i < n; i++)
		w[i] = v + i;
	for (i = 0; i < len % 8; i++)
		tail[i] = (uint8_t)(v + i);
}

/* Sum of words 1..n-1 and of the tail bytes. */
PAYLOAD_LOOP
static uint64_t payload_sum(const void *buf, size_t len)
{
	const word_t *w = buf;
	const uint8_t *tail = (const uint8_t *)buf + len / 8 * 8;
	uint64_t s0 = 0, s1 = 0;
	size_t n = len / 8, i;

	for (i = 1; i + 1 < n; i += 2) {
		s0 += w[i];
		s1 += w[i + 1];
	}
	if (i < n)
		s0 += w[i];
	for (i = 0; i < len % 8; i++)
		s1 += tail[i];
	return s0 + s1;
}

static uint64_t payload_expect(size_t len, uint64_t tag)
{
	uint64_t v = seq_mix(tag), m = len / 8 - 1, tri, s;
	size_t i;

	/* sum_{i=1..m} (v + i) = m * v + m (m + 1) / 2, mod 2^64 */
	tri = (m % 2 == 0) ? (m / 2) * (m + 1) : m * ((m + 1) / 2);
	s = m * v + tri;
	for (i = 0; i < len % 8; i++)
		s += (uint8_t)(v + i);
	return s;
}

static int payload_check(const void *buf, size_t len, size_t want_len,
			 uint64_t tag, bool exact, char *why)
{
	const word_t *w = buf;
	uint64_t v = seq_mix(tag);
	size_t i;

	if (len != want_len) {
		snprintf(why, WHY_LEN, "message %llu: length %zu, expected %zu",
			 (unsigned long long)(tag & ~STOP_BIT), len, want_len);
		return -EBADMSG;
	}
	if (payload_sum(buf, len) != payload_expect(len, tag)) {
		snprintf(why, WHY_LEN, "message %llu: payload checksum mismatch",
			 (unsigned long long)(tag & ~STOP_BIT));
		return -EBADMSG;
	}
	if (!exact)
		return 0;
	for (i = 1; i < len / 8; i++) {
		if (w[i] != v + i) {
			snprintf(why, WHY_LEN,
				 "message %llu: payload word %zu corrupted",
				 (unsigned long long)(tag & ~STOP_BIT), i);
			return -EBADMSG;
		}
	}
	return 0;
}

/* --- one message --------------------------------------------------------- */

static int do_tx(struct chan *ch, uint64_t tag, bool flush)
{
	size_t len = ch->cfg.size;
	void *buf;
	int err;

	err = ch->m->tx_begin(ch, len, &buf);
	if (err)
		return err;
	payload_fill(buf, len, tag);
	err = ch->m->tx_end(ch, len);
	if (!err && flush && ch->m->tx_flush)
		err = ch->m->tx_flush(ch);
	return err;
}

/* Receive one message, check it; *tag gets its tag. */
static int do_rx(struct chan *ch, uint64_t expect, uint64_t *tag)
{
	const void *buf;
	size_t len;
	int err;

	err = ch->m->rx_begin(ch, &buf, &len);
	if (err)
		return err;
	if (len < 8) {
		snprintf(ch->why, WHY_LEN, "message %llu: length %zu, expected %zu",
			 (unsigned long long)expect, len, ch->cfg.size);
		return -EBADMSG;
	}
	*tag = *(const word_t *)buf;
	if ((*tag & ~STOP_BIT) != expect) {
		snprintf(ch->why, WHY_LEN,
			 "sequence error: got message %llu, expected %llu",
			 (unsigned long long)(*tag & ~STOP_BIT),
			 (unsigned long long)expect);
		return -EBADMSG;
	}
	err = payload_check(buf, len, ch->cfg.size, *tag,
			    expect % SAMPLE_EVERY == 0, ch->why);
	if (err)
		return err;
	return ch->m->rx_end ? ch->m->rx_end(ch) : 0;
}

/* --- the two patterns ---------------------------------------------------- */

/* System calls since s0 (a sysc_now() value), -1 when not counted. */
static long long sysc_since(long long s0)
{
	long long s = sysc_now();

	return s0 < 0 || s < 0 ? -1 : s - s0;
}

static int pp_client(struct chan *ch, const struct profile *p, struct ctl *ctl)
{
	uint64_t cap = p->pp_max_iters, n = 0, seq, tag, t0, t1, tm0 = 0;
	uint64_t warm_end = now_ns() + (uint64_t)(p->warm_s * 1e9);
	uint64_t meas_ns = (uint64_t)(p->pp_time_s * 1e9);
	uint64_t min_n = prof_min_count(p, p->pp_min_iters, ch->cfg.size);
	struct side_report *me = &ctl->side[0];
	bool measuring = false;
	double *samp, cpu0 = 0;
	long long sys0 = -1;
	long csw0 = 0;
	int err = 0;

	samp = malloc(cap * sizeof(*samp));
	if (!samp)
		return -ENOMEM;
	t1 = now_ns();
	for (seq = 0;; seq++) {
		if (!measuring && t1 >= warm_end && seq >= 2) {
			measuring = true;
			atomic_store(&ctl->warm_seq, seq);
			cpu0 = cpu_s();
			csw0 = csw_now();
			sys0 = sysc_now();
			tm0 = now_ns();
		}
		t0 = now_ns();
		err = do_tx(ch, seq, true);
		if (err)
			goto out;
		err = do_rx(ch, seq, &tag);
		if (err)
			goto out;
		t1 = now_ns();
		if (!measuring)
			continue;
		samp[n++] = (double)(t1 - t0);
		if (n >= cap || (n >= min_n && t1 - tm0 >= meas_ns))
			break;
	}
	err = do_tx(ch, (seq + 1) | STOP_BIT, true);
	me->cpu_s = cpu_s() - cpu0;
	me->csw = csw_now() - csw0;
	me->sysc = sysc_since(sys0);
	ctl->iters = n;
	stats_compute(samp, n, ctl->rtt);
	for (uint64_t i = 0; i < n; i++)
		ctl->outliers += samp[i] > 10 * ctl->rtt[ST_P50];
out:
	free(samp);
	return err;
}

static int pp_server(struct chan *ch, struct ctl *ctl)
{
	struct side_report *me = &ctl->side[1];
	double cpu0 = cpu_s();
	long csw0 = csw_now();
	long long sys0 = sysc_now();
	uint64_t expect, tag;
	int err;

	for (expect = 0;; expect++) {
		err = do_rx(ch, expect, &tag);
		if (err)
			return err;
		if (tag & STOP_BIT)
			break;
		if (tag == atomic_load(&ctl->warm_seq)) {
			cpu0 = cpu_s();
			csw0 = csw_now();
			sys0 = sysc_now();
		}
		err = do_tx(ch, tag, true);
		if (err)
			return err;
	}
	me->cpu_s = cpu_s() - cpu0;
	me->csw = csw_now() - csw0;
	me->sysc = sysc_since(sys0);
	return 0;
}

/* Look at the clock every message for big ones, every 64 for small ones. */
static inline bool clock_due(const struct chan *ch, uint64_t seq)
{
	return ch->cfg.size >= 4096 || (seq & 63) == 0;
}

static int st_producer(struct chan *ch, const struct profile *p,
		       struct ctl *ctl)
{
	uint64_t min_n = prof_min_count(p, p->st_min_msgs, ch->cfg.size);
	struct side_report *me = &ctl->side[0];
	double start = now_s(), tm0 = 0, t, cpu0 = 0;
	uint64_t seq, warm = 0;
	bool measuring = false;
	long long sys0 = -1;
	long csw0 = 0;
	int err;

	for (seq = 0;; seq++) {
		if (clock_due(ch, seq)) {
			t = now_s();
			if (!measuring && t - start >= p->warm_s && seq >= 2) {
				measuring = true;
				warm = seq;
				atomic_store(&ctl->warm_seq, seq);
				cpu0 = cpu_s();
				csw0 = csw_now();
				sys0 = sysc_now();
				tm0 = t;
			} else if (measuring && t - tm0 >= p->st_time_s &&
				   seq - warm >= min_n) {
				break;
			}
		}
		err = do_tx(ch, seq, false);
		if (err)
			return err;
	}
	err = do_tx(ch, seq | STOP_BIT, true);
	me->cpu_s = cpu_s() - cpu0;
	me->csw = csw_now() - csw0;
	me->sysc = sysc_since(sys0);
	return err;
}

static int st_consumer(struct chan *ch, const struct profile *p,
		       struct ctl *ctl)
{
	struct side_report *me = &ctl->side[1];
	double t, t0 = 0, last_mark = 0, cpu0 = 0;
	double interval = p->st_time_s / N_INTERVALS;
	uint64_t expect, tag, warm = 0;
	bool started = false;
	long long sys0 = -1;
	long csw0 = 0;
	int err;

	for (expect = 0;; expect++) {
		err = do_rx(ch, expect, &tag);
		if (err)
			return err;
		if (tag & STOP_BIT)
			break;
		if (!started) {
			if (tag != atomic_load(&ctl->warm_seq))
				continue;
			started = true;
			warm = tag;
			t0 = last_mark = now_s();
			cpu0 = cpu_s();
			csw0 = csw_now();
			sys0 = sysc_now();
			ctl->mark_t[0] = t0;
			ctl->mark_n[0] = tag;
			ctl->nmarks = 1;
		} else if (clock_due(ch, expect)) {
			t = now_s();
			if (t - last_mark >= interval && ctl->nmarks < MAX_MARKS) {
				ctl->mark_t[ctl->nmarks] = t;
				ctl->mark_n[ctl->nmarks++] = tag;
				last_mark = t;
			}
		}
	}
	if (!started) {
		snprintf(ch->why, WHY_LEN, "stopped before the measured part");
		return -EPROTO;
	}
	ctl->t0 = t0;
	ctl->t1 = now_s();
	ctl->count = (tag & ~STOP_BIT) - warm;
	me->cpu_s = cpu_s() - cpu0;
	me->csw = csw_now() - csw0;
	me->sysc = sysc_since(sys0);
	return 0;
}

/* --- processes ----------------------------------------------------------- */

static void barrier_wait(struct ctl *ctl)
{
	uint32_t v = atomic_fetch_add(&ctl->barrier, 1) + 1;

	if (v >= 2) {
		futex_wake(&ctl->barrier, INT_MAX);
		return;
	}
	while ((v = atomic_load(&ctl->barrier)) < 2)
		futex_wait(&ctl->barrier, v);
}

/* A page-aligned buffer of size bytes, its pages faulted in. */
void *alloc_buf(size_t size)
{
	size_t len = align_up(size ? size : 1, 4096);
	void *p = aligned_alloc(4096, len);

	if (p)
		memset(p, 0, len);	/* fault the pages in now */
	return p;
}

static void __attribute__((noreturn))
child(struct chan *ch, int side, const struct profile *p, struct ctl *ctl)
{
	struct side_report *me = &ctl->side[side];
	int err;

	ch->side = side;
	ch->why = me->why;
	pin_side(side);
	sysc_open();
	ch->txbuf = alloc_buf(ch->cfg.size);
	ch->rxbuf = alloc_buf(ch->cfg.size);
	if (!ch->txbuf || !ch->rxbuf) {
		me->err = -ENOMEM;
		_exit(2);
	}
	err = ch->m->open(ch);
	if (err) {
		me->err = err;
		_exit(2);
	}
	barrier_wait(ctl);
	if (ch->cfg.pat == PAT_PINGPONG)
		err = side ? pp_server(ch, ctl) : pp_client(ch, p, ctl);
	else
		err = side ? st_consumer(ch, p, ctl) : st_producer(ch, p, ctl);
	if (ch->m->close)
		ch->m->close(ch);
	me->err = err;
	_exit(err ? 1 : 0);
}

/*
 * Wait for both children.  A child that fails may leave its peer blocked
 * forever, so the peer gets a short grace period and is then killed; the
 * whole cell is killed at the watchdog deadline.
 */
static int reap(pid_t pid[2], double watchdog_s, char *why)
{
	double deadline = now_s() + watchdog_s, grace = INFINITY;
	int alive = (pid[0] > 0) + (pid[1] > 0), failed = 0, killed = 0;
	int st, i;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	while (alive) {
		for (i = 0; i < 2; i++) {
			if (pid[i] <= 0 || waitpid(pid[i], &st, WNOHANG) != pid[i])
				continue;
			pid[i] = 0;
			alive--;
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				failed = 1;
				if (grace == INFINITY)
					grace = now_s() + 2;
			}
		}
		if (!alive)
			break;
		double t = now_s(), until = deadline < grace ? deadline : grace;

		if (t >= until) {
			for (i = 0; i < 2; i++)
				if (pid[i] > 0)
					kill(pid[i], SIGKILL);
			if (!killed && t >= deadline)
				snprintf(why, WHY_LEN,
					 "watchdog: cell took over %.0f s, killed",
					 watchdog_s);
			killed = 1;
			deadline = grace = t + 5;
		}
		struct timespec ts = {
			.tv_sec = (time_t)(until - t),
			.tv_nsec = (long)((until - t - (time_t)(until - t)) * 1e9),
		};
		if (t < until)
			sigtimedwait(&set, NULL, &ts);
		else
			sigtimedwait(&set, NULL, &(struct timespec){0, 10000000});
	}
	return failed || killed ? -1 : 0;
}

/* Start a cell's result: skipped, with the reason, if it cannot run. */
static bool cell_runnable(const struct method *m, const struct cellcfg *cfg,
			  struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->m = m;
	r->pat = cfg->pat;
	r->size = cfg->size;
	r->status = CELL_SKIPPED;
	if (cfg->size < 8) {
		snprintf(r->why, WHY_LEN,
			 "size below 8 B: no room for the sequence number");
		return false;
	}
	return !(m->check && m->check(cfg, r->why));
}

/* Fork both sides and wait for them; nonzero when either failed. */
static int run_sides(struct chan *ch, const struct profile *p,
		     struct ctl *ctl, char *why)
{
	int i, fork_failed = 0;
	pid_t pid[2];

	fflush(NULL);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			child(ch, i, p, ctl);
		if (pid[i] < 0) {
			snprintf(why, WHY_LEN, "fork: %s", strerror(errno));
			fork_failed = 1;
			if (i == 1)
				kill(pid[0], SIGKILL);
			pid[i] = 0;
		}
	}
	return reap(pid, p->watchdog_s, why) || fork_failed;
}

/*
 * A cell this machine cannot run is skipped, as a kselftest skips without
 * its kernel option or privilege, and says why: a kernel built without the
 * method's facility (no memfd, POSIX mq or INET in a tinyconfig kernel),
 * or a limit this user may not pass (F_SETPIPE_SZ above fs.pipe-max-size
 * or msg_qbytes above kernel.msgmnb without CAP_SYS_RESOURCE, e.g. with
 * --no-raise).  Its depth would differ from the other methods'.
 */
static void cannot_run_here(int err, struct result *r)
{
	size_t l = strlen(r->why);
	const char *why;

	if (err == -ENOSYS || err == -EAFNOSUPPORT || err == -EPROTONOSUPPORT)
		why = "not in this kernel";
	else if (err == -EPERM)
		why = "not permitted: a limit or privilege this user lacks";
	else
		return;
	snprintf(r->why + l, WHY_LEN - l, " (%s)", why);
	r->status = CELL_SKIPPED;
}

/*
 * Unless there is a reason already: the side that failed, and why.  A side
 * that failed with EPIPE only saw its peer go, so the peer's reason wins.
 */
static void side_failure(const struct cellcfg *cfg, const struct ctl *ctl,
			 struct result *r)
{
	const struct side_report *s0 = &ctl->side[0], *s1 = &ctl->side[1];
	int i = s1->err && (!s0->err || s0->err == -EPIPE);
	const struct side_report *s = &ctl->side[i];

	if (!s->err || r->why[0])
		return;
	snprintf(r->why, WHY_LEN, "%s %s: %s%s%s",
		 cfg->pat == PAT_PINGPONG ? (i ? "server" : "client")
					  : (i ? "consumer" : "producer"),
		 "failed", s->why, s->why[0] ? " " : "", strerror(-s->err));
	cannot_run_here(s->err, r);
}

/* The figures of a cell that ran, from what the sides reported. */
static void cell_figures(const struct cellcfg *cfg, const struct ctl *ctl,
			 struct result *r)
{
	double msgs;
	int i;

	if (cfg->pat == PAT_PINGPONG) {
		msgs = 2.0 * ctl->iters;
		r->iterations = ctl->iters;
		memcpy(r->rtt_ns, ctl->rtt, sizeof(r->rtt_ns));
		r->outliers = ctl->outliers;
		r->msgs_per_s = 2e9 / ctl->rtt[ST_MEAN];
	} else {
		msgs = (double)ctl->count;
		r->iterations = ctl->count;
		r->msgs_per_s = msgs / (ctl->t1 - ctl->t0);
		r->spread = rate_spread(ctl->mark_t, ctl->mark_n, ctl->nmarks);
	}
	for (i = 0; i < 2; i++)
		r->cpu_ns_side[i] = ctl->side[i].cpu_s * 1e9 / msgs;
	r->csw_per_msg = (ctl->side[0].csw + ctl->side[1].csw) / msgs;
	r->sysc_per_msg = NAN;
	if (ctl->side[0].sysc >= 0 && ctl->side[1].sysc >= 0)
		r->sysc_per_msg = (ctl->side[0].sysc + ctl->side[1].sysc) / msgs;
	r->bytes_per_s = r->msgs_per_s * cfg->size;
	r->cpu_ns_per_msg = r->cpu_ns_side[0] + r->cpu_ns_side[1];
}

void run_cell(const struct method *m, const struct cellcfg *cfg,
	      const struct profile *p, struct result *r)
{
	struct chan ch = { .m = m, .cfg = *cfg, .side = -1, .why = r->why };
	double t_start = now_s();
	struct ctl *ctl;
	int err;

	if (!cell_runnable(m, cfg, r))
		return;
	r->status = CELL_ERROR;
	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED) {
		snprintf(r->why, WHY_LEN, "mmap: %s", strerror(errno));
		return;
	}
	atomic_store(&ctl->warm_seq, UINT64_MAX);
	err = m->setup(&ch);
	if (err) {
		size_t l = strlen(r->why);

		snprintf(r->why + l, WHY_LEN - l, "%s%s", l ? ": " : "setup: ",
			 strerror(-err));
		if (m->teardown)
			m->teardown(&ch);
		cannot_run_here(err, r);
		goto out_unmap;
	}
	r->depth_msgs = ch.depth_msgs;
	r->depth_bytes = ch.depth_bytes;
	err = run_sides(&ch, p, ctl, r->why);
	if (m->teardown)
		m->teardown(&ch);
	side_failure(cfg, ctl, r);
	if (err) {
		if (!r->why[0])
			snprintf(r->why, WHY_LEN, "a process died");
		goto out_unmap;
	}
	if (r->status == CELL_SKIPPED)
		goto out_unmap;
	r->status = CELL_OK;
	r->elapsed_s = now_s() - t_start;
	cell_figures(cfg, ctl, r);
out_unmap:
	munmap(ctl, sizeof(*ctl));
}

/* Children are reaped with sigtimedwait(); a dead peer gives EPIPE. */
void engine_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* --- helpers for copying methods ----------------------------------------- */

int copy_tx_begin(struct chan *ch, size_t len, void **buf)
{
	(void)len;
	*buf = ch->txbuf;
	return 0;
}
