/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan-bench: shared definitions.
 *
 * A "method" is one way of moving messages between two processes (pipe,
 * posix-mq, ipcchan-ring, ...).  The engine (engine.c) runs one "cell" at a
 * time: one method, one pattern (pingpong or stream), one message size.  For
 * a cell it calls the method's setup() in the main process, forks side 0
 * (client / producer) and side 1 (server / consumer), calls open() in each
 * child, and then moves messages through four calls:
 *
 *	tx_begin(len) -> where to write the payload	(a local buffer, or
 *	tx_end(len)   -> send it			 the shared ring itself)
 *	rx_begin()    -> where the received payload is	(same idea)
 *	rx_end()      -> done with it
 *
 * so copying methods and zero-copy methods run the same loop: the sender
 * writes every payload byte once, the receiver reads every payload byte.
 */
#ifndef IPCCHAN_BENCH_H
#define IPCCHAN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define KiB		1024UL
#define MiB		(1024UL * 1024UL)
#define WHY_LEN		256
#define MAX_REPEAT	100	/* --repeat upper bound */
#define MAX_METHODS	64
#define MAX_SIZES	32

enum pattern { PAT_PINGPONG, PAT_STREAM, PAT_NR };

/* Parameters of one cell, the same for both processes. */
struct cellcfg {
	enum pattern pat;
	size_t size;		/* payload bytes per message */
	size_t capacity;	/* in-flight bytes one direction should hold */
	unsigned int batch;	/* messages per call for batching methods */
	long spin_ns;		/* bounded spin before sleeping (spinning methods) */
	unsigned int id;	/* unique per cell: for names of channels/queues */
};

/*
 * One endpoint pair.  setup() fills priv in the main process before fork, so
 * both children inherit it; side 0 sends on direction 0 and receives on
 * direction 1 (pingpong only), side 1 the reverse.
 */
struct chan {
	const struct method *m;
	struct cellcfg cfg;
	int side;		/* 0 or 1 in the children, -1 in the main process */
	void *priv;		/* method state */
	/*
	 * setup() says how much this channel holds in one direction, as
	 * configured or measured by filling it: messages of cfg.size, and
	 * the bytes of their payloads (0: unknown, e.g. TCP autotuning).
	 */
	uint64_t depth_msgs;
	uint64_t depth_bytes;
	void *txbuf;		/* process-local, page aligned, cfg.size bytes */
	void *rxbuf;
	char *why;		/* WHY_LEN bytes: reason for the last error */
};

static inline int tx_dir(const struct chan *ch) { return ch->side; }
static inline int rx_dir(const struct chan *ch) { return 1 - ch->side; }

/*
 * Every call returns 0 or a negative errno and may explain the error in
 * ch->why.  Optional calls may be NULL.
 */
struct method {
	const char *name;
	const char *desc;	/* one line: what it does */
	const char *spin;	/* NULL: blocks in the kernel; else how it spins */
	/* optional: can the method run here at all (e.g. device present)? */
	int (*avail)(char *why);
	/* optional: can it run this cell?  -errno with a reason if not */
	int (*check)(const struct cellcfg *c, char *why);
	/* optional: raise the system limits it needs for these sizes */
	void (*limits)(size_t min_size, size_t max_size);
	int (*setup)(struct chan *ch);			/* main, before fork */
	int (*open)(struct chan *ch);			/* each child */
	int (*tx_begin)(struct chan *ch, size_t len, void **buf);
	int (*tx_end)(struct chan *ch, size_t len);
	int (*tx_flush)(struct chan *ch);		/* optional */
	int (*rx_begin)(struct chan *ch, const void **buf, size_t *len);
	int (*rx_end)(struct chan *ch);			/* optional */
	void (*close)(struct chan *ch);			/* optional, child */
	void (*teardown)(struct chan *ch);		/* optional, main */
};

extern const struct method *const std_methods[];
extern const size_t n_std_methods;
extern const struct method *const shm_methods[];
extern const size_t n_shm_methods;
extern const struct method *const ipcchan_methods[];
extern const size_t n_ipcchan_methods;
extern const struct method *const batch_methods[];
extern const size_t n_batch_methods;
extern const struct method *const large_methods[];	/* m_large.c */
extern const size_t n_large_methods;
extern long bench_ring_spin;	/* --ring-spin ns, -1: as --spin-ns */

/* m_std.c, shared with m_batch.c: queue depth of pipes and sockets */
size_t std_pipe_size(size_t size);
void std_pipe_limits(size_t min_size, size_t max_size);
int std_set_pipe_size(struct chan *ch, int fd);
void std_unix_limits(size_t min_size, size_t max_size);
int std_sock_depth(struct chan *ch, const int s[2], bool strict);
int std_dgram_check(const struct cellcfg *c, char *why);
int std_fill_depth(struct chan *ch, int wfd, int rfd);
int std_pipes(struct chan *ch, int (*fd)[2]);

/* Generic copy helpers: tx_begin/rx into the process-local buffers. */
int copy_tx_begin(struct chan *ch, size_t len, void **buf);

/* The profile: how long and how many. */
struct profile {
	const char *name;
	double warm_s;		/* warm-up per cell */
	double pp_time_s;	/* pingpong: measure at least this long ... */
	uint64_t pp_min_iters;	/* ... and at least this many round trips */
	uint64_t pp_max_iters;	/* ... but stop at this many */
	double st_time_s;	/* stream: measure this long */
	uint64_t st_min_msgs;	/* ... and at least this many messages */
	uint64_t min_bytes;	/* a minimum count is also met by this many
				 * bytes one way (0: no byte budget) */
	double ref_time_s;	/* reference limits: time per measurement */
	double watchdog_s;	/* a cell taking longer than this is killed */
};

/*
 * The minimum count of a cell of SIZE-byte messages: MIN, or fewer where
 * MIN messages would move more than the profile's byte budget (at least
 * 20: percentiles need samples).
 */
static inline uint64_t prof_min_count(const struct profile *p, uint64_t min,
				      size_t size)
{
	uint64_t by_bytes;

	if (!p->min_bytes || !size)
		return min;
	by_bytes = p->min_bytes / size;
	if (by_bytes < 20)
		by_bytes = 20;
	return by_bytes < min ? by_bytes : min;
}

enum { ST_MIN, ST_P50, ST_P90, ST_P99, ST_MAX, ST_MEAN, ST_STDDEV, ST_NR };
extern const char *const stat_names[ST_NR];

enum cell_status { CELL_OK, CELL_SKIPPED, CELL_ERROR };

/* The outcome of one cell. */
struct result {
	const struct method *m;
	enum pattern pat;
	size_t size;
	enum cell_status status;
	char why[WHY_LEN];
	uint64_t iterations;	/* round trips, or messages measured */
	double rtt_ns[ST_NR];	/* pingpong */
	uint64_t outliers;	/* pingpong: samples above 10x p50 */
	double msgs_per_s;	/* stream (pingpong: messages both ways / s) */
	double bytes_per_s;
	double cpu_ns_per_msg;	/* both processes together */
	double cpu_ns_side[2];	/* per message, side 0 and side 1 */
	double csw_per_msg;	/* context switches per message, both sides */
	double sysc_per_msg;	/* system calls per message, both sides; NaN:
				 * not counted (sysc_why says why) */
	double spread;		/* stream: (max-min)/mean of interval rates */
	double elapsed_s;
	uint64_t depth_msgs;	/* messages in flight one direction holds */
	uint64_t depth_bytes;	/* their payload bytes (0: unknown) */
	/*
	 * --repeat: a reported cell is one of its runs (the median by the
	 * headline metric, see result_headline()); these say which and what
	 * the others measured.
	 */
	unsigned int nruns;	/* runs measured (1 without --repeat) */
	unsigned int median_round; /* 1-based round of the reported run */
	double runs[MAX_REPEAT]; /* headline value of every run, by round */
	double rep_spread;	/* (max-min)/reported value; NaN: one run */
};

struct limits {
	size_t nsizes;
	size_t sizes[MAX_SIZES];
	double memcpy_bps[MAX_SIZES];
	double cacheline_rtt_ns;	/* p50 of batched round trips */
	double cacheline_rtt_min_ns;
};

/* engine.c: one cell, between two forked processes */
void engine_signals(void);
void run_cell(const struct method *m, const struct cellcfg *cfg,
	      const struct profile *p, struct result *r);
void *alloc_buf(size_t size);

/* cpu.c: which CPU each side runs on */
extern int bench_cpu[2];	/* CPU for side 0 / side 1, -1: not pinned */
void pin_side(int side);
void pick_cpus(int *a, int *b);

/* reflimits.c: what the machine can do at best (memcpy, cache line) */
void measure_limits(const struct profile *p, struct limits *l);

/* stats.c: percentiles, medians, spreads, the median of repeated runs */
void stats_compute(double *v, size_t n, double out[ST_NR]);
double sort_median(double *v, size_t n);
double rate_spread(const double *t, const uint64_t *count, unsigned int n);
double result_headline(const struct result *r);
const char *headline_name(enum pattern p);
void combine_runs(const struct result *run, unsigned int n,
		  struct result *out);
/* The median of v[0..n) and a distribution-free confidence interval */
struct median_ci {
	double median, lo, hi;
	double coverage;	/* of [lo, hi], 0..1 */
	unsigned int n;
};
void median_ci(double *v, unsigned int n, struct median_ci *ci);
/* p99 is shown only from this many samples up */
#define P99_MIN_N	1000

/* targets.c: the ratios the project aims for, from paired rounds */
const char *target_judge(bool lower, double bound, const struct median_ci *ci);

/* scale_out.c: issue 15's 8x8 target, from the scale pattern's rounds */
struct scale_target {
	const char *den;	/* the better of posix-mq and unix-dgram */
	double ratio[MAX_REPEAT];	/* by round, NaN where one failed */
	unsigned int nruns, n;	/* rounds, ratios that are numbers */
	struct median_ci ci;
	const char *verdict;
};
bool scale_target(struct scale_target *t);

void print_targets(FILE *f, const struct limits *l, const struct result *r,
		   size_t n);
void json_targets(FILE *f, const struct limits *l, const struct result *r,
		  size_t n);

/* costs.c: what each method costs per message besides time */
struct method_cost {
	const char *name;
	const char *family;	/* the texts' class: shared memory, pipe, ... */
	double kcopies;		/* payload copies by the kernel per message */
	double ucopies;		/* payload copies by the method in userspace */
	const char *how;
};
const struct method_cost *method_cost(const char *name);
struct grid;
void print_costs(FILE *f, const struct grid *g, const struct result *r,
		 size_t n);

/* counters.c: system calls per process (raw_syscalls:sys_enter) */
extern char sysc_why[WHY_LEN];	/* why they are not counted, "" if they are */
bool sysc_probe(void);		/* main process, once */
void sysc_open(void);		/* each child, before measuring */
long long sysc_now(void);	/* -1 when not counted */

/* sysctl.c */
struct sysctl_change {
	char name[96];
	long long before;
	long long after;
	int err;		/* 0, or errno when it could not be set */
};
int sysctl_read(const char *path, long long *val);
void sysctl_raise(const char *path, long long want);
void sysctl_note(const char *name, long long before, long long after, int err);
extern struct sysctl_change sysctl_changes[32];
extern size_t n_sysctl_changes;
void sysctl_log(FILE *f);

/*
 * What run.c learns about the run itself: the seed of the cell order, the
 * calibration cell (pipe 64 B pingpong p50) at the start and the end of
 * every round, and the load of the machine.
 */
struct runinfo {
	unsigned long long seed;	/* cell order: shuffled per round */
	unsigned int nrounds;
	double calib_ns[MAX_REPEAT][2];	/* p50 at round start, end; NaN */
	uint64_t calib_n[MAX_REPEAT][2];	/* round trips behind each */
	double round_s[MAX_REPEAT];	/* how long each round took */
	char load[2][64];		/* /proc/loadavg at start, end */
	const char *host_load;		/* --host-load, or NULL */
};

/* report.c */
struct env {
	char kernel[128];
	char machine[80];
	char cpu_model[128];
	char copy_flags[32];	/* "erms fsrm", or which are missing */
	char clocksource[64];	/* the kernel's, "" when unknown */
	long cpus;
	const char *accel;
	const struct profile *profile;
	char date[64];
	long spin_ns;
	unsigned int repeat;	/* runs per cell (--repeat) */
	const struct runinfo *run;	/* NULL before the run */
};
void fill_env(struct env *e);	/* env.c */

/* The methods and sizes of a set of results, in the order they were run. */
struct grid {
	const struct method *m[MAX_METHODS];
	size_t nm;
	size_t size[MAX_SIZES];
	size_t ns;
};
void grid_build(struct grid *g, const struct result *r, size_t n);
void report_all(FILE *f, const struct env *env, const struct limits *l,
		const struct result *r, size_t n, bool tty);
const char *pat_name(enum pattern p);
const char *size_str(size_t size, char *buf, size_t n);

/* output.c: bench.json, bench.csv and table.txt */
int write_outputs(const char *dir, const struct env *env,
		  const struct limits *l, const struct result *r, size_t n);

/* methods.c: every method, by name */
size_t methods_all(const struct method **out);
int methods_parse(char *arg, const struct method **out, size_t *n);
void methods_list(FILE *f);

/* options.c: what the command line asks for */
struct options {
	struct profile prof;
	struct env env;
	const struct method *methods[MAX_METHODS];
	size_t nmethods;
	size_t sizes[MAX_SIZES];
	size_t nsizes;
	bool pat[PAT_NR];	/* patterns to run */
	bool raise;		/* raise kernel limits (not --no-raise) */
	unsigned int batch;	/* --batch */
	const char *out;	/* --out DIR, or NULL */
	int pin;		/* 0: not pinned, 1: --pin, 2: --cpus A,B */
	int cpu[2];		/* --cpus A,B */
	bool sweep;		/* --pattern sweep: large transfers (sweep.c) */
	bool scale;		/* --pattern scale: P x C processes (scale.c) */
	size_t sweep_sizes[MAX_SIZES];	/* --sweep-sizes */
	size_t nsweep;
	unsigned long long seed;	/* --seed */
	bool seed_set;
	const char *host_load;	/* --host-load */
	bool no_syscalls;	/* --no-syscalls */
};
const struct result *result_find(const struct result *r, size_t n,
				 const char *method, enum pattern p,
				 size_t size);	/* report.c */
int parse_options(int argc, char **argv, struct options *o);

/* plan.c: the cells in the order they run, and room for their results */
struct cell {
	struct cellcfg cfg;
	size_t mi;		/* index in options.methods */
};
struct plan {
	const struct options *o;
	int avail_err[MAX_METHODS];	/* the method's avail(), per method */
	char avail_why[MAX_METHODS][WHY_LEN];
	struct cell *cells;
	size_t ncells;
	struct result *runs;	/* runs[cell * repeat + round - 1] */
	struct result *res;	/* per cell: its median run */
	struct limits lim;
	struct runinfo info;
};
int plan_make(const struct options *o, struct plan *p);
void plan_free(struct plan *p);

/* run.c: every cell in rounds, then the median run of each */
int run_plan(struct plan *p);

/* sweep.c: the large-transfer sweep and the crossover (--pattern sweep) */
size_t sweep_default_sizes(const char *profile, size_t *out);
int sweep_run(const struct options *o);
void sweep_report(FILE *f);
int sweep_write(const char *dir);

/* scale.c: producers x consumers, pairs, idle channels (--pattern scale) */
int scale_parse_shapes(const char *arg);	/* --scale-shapes */
int scale_run(const struct options *o);
void scale_report(FILE *f);
int scale_write(const char *dir);

/* futex.c: the futex calls of the engine and the shared-memory methods */
int futex_wait(void *addr, uint32_t expected);
int futex_wake(void *addr, int n);

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

/*
 * Queue depth, the same for every method: each direction holds at least
 * cell_depth(size) messages of size bytes, 64 KiB of payload and never
 * fewer than 10 messages (a POSIX queue's default), plus whatever the
 * method needs beside the payload (record headers, skb overhead, the page
 * granularity of a pipe).  What a channel really holds is reported per
 * cell (result.depth_msgs).
 */
#define CELL_DEPTH_MIN	10

static inline size_t cell_depth(size_t size)
{
	size_t d = 64 * KiB / (size ? size : 1);

	return d > CELL_DEPTH_MIN ? d : CELL_DEPTH_MIN;
}

/* In-flight payload bytes every method is given per direction. */
static inline size_t cell_capacity(size_t size)
{
	return cell_depth(size) * size;
}

/*
 * Messages per call of the batching methods (ipcchan-batch and the batched
 * standard paths): --batch, at most IPCCHAN_BATCH_MAX (1024), 256 KiB of
 * payload and half the queue depth; one in pingpong, where there is never
 * more than one message queued.
 */
static inline unsigned int cell_batch(const struct cellcfg *c)
{
	size_t n = c->batch, lim = 256 * KiB / c->size;

	if (n > 1024)
		n = 1024;
	if (n > lim)
		n = lim;
	if (n > cell_depth(c->size) / 2)
		n = cell_depth(c->size) / 2;
	if (n < 1 || c->pat == PAT_PINGPONG)
		n = 1;
	return (unsigned int)n;
}

static inline size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static inline size_t roundup_pow2(size_t v)
{
	size_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

#endif /* IPCCHAN_BENCH_H */
