/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan-bench scale pattern: what scale.c (the shapes, one cell, the
 * rounds), m_scale.c (the methods' channels) and scale_out.c (report, CSV)
 * share.  See scale.c for what the pattern measures and checks.
 */
#ifndef IPCCHAN_BENCH_SCALE_H
#define IPCCHAN_BENCH_SCALE_H

#include <ipcchan.h>
#include <mqueue.h>

#include "bench.h"

#define SC_SIZE		64		/* bytes per message */
#define SC_WORDS	(SC_SIZE / 8)
#define SC_DEPTH	64		/* messages in flight per channel */
#define SC_MAXP		8		/* producers (and consumers) at most */
#define SC_PROCS	(2 * SC_MAXP)
#define SC_MAXIDLE	1000
#define SC_BATCH	(SC_DEPTH / 2)	/* ipcchan-batch: messages per call */
#define SC_STOP		(1ULL << 63)
#define SC_SEQ_MASK	((1ULL << 48) - 1)
#define SC_MAXCFG	16
#define SC_NMETHODS	5

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

extern const struct sops sc_methods[SC_NMETHODS];
void sq_init(struct sq *q);
void sq_close_fds(struct sq *q);

enum sc_mode { SC_SHARED, SC_PAIRS, SC_IDLE };

struct sc_cfg {
	enum sc_mode mode;
	unsigned int n;		/* P = C (shared), pairs, idle channels */
};

extern struct sc_cfg sc_cfgs[SC_MAXCFG];
extern unsigned int sc_ncfg;
unsigned int cfg_procs(const struct sc_cfg *c);
unsigned int cfg_busy(const struct sc_cfg *c);
const char *cfg_name(const struct sc_cfg *c, char *buf, size_t n);

struct sc_run {
	int status;		/* CELL_* */
	char why[WHY_LEN];
	double msgs_per_s, cpu_ns, csw;
	uint64_t msgs;
};

/* Every figure of the pattern, filled by scale_run(). */
struct scale_state {
	bool ran;
	unsigned int rounds;
	long cpus;
	const struct sops *m[SC_NMETHODS];
	unsigned int nm;
	int avail[SC_NMETHODS];
	char avail_why[SC_NMETHODS][WHY_LEN];
	long long dgram_qlen;
	/* runs[cfg][method][round] */
	struct sc_run runs[SC_MAXCFG][SC_NMETHODS][MAX_REPEAT];
};
extern struct scale_state sc;

#endif /* IPCCHAN_BENCH_SCALE_H */
