// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench: compare ipcchan with every standard Linux IPC path, between
 * two processes, side by side, in one run.
 *
 *	ipcchan-bench [--profile quick|full] [--methods a,b] [--sizes 8,64K]
 *		      [--pattern pingpong|stream|both] [--accel tcg|kvm|none]
 *		      [--repeat N] [--out DIR]
 *
 * See docs/benchmark.md for the methodology.  Progress goes to stderr, the
 * report to stdout, and with --out DIR also bench.json, bench.csv and
 * table.txt to DIR.
 *
 * options.c reads the command line, plan.c lists the cells, run.c measures
 * them (engine.c runs one), report.c and output.c show the results.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct options o;
	struct plan p;
	int rc, failed;

	rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	fill_env(&o.env);
	engine_signals();
	if (plan_make(&o, &p))
		return 1;
	failed = p.ncells ? run_plan(&p) : 0;
	o.env.run = &p.info;
	failed |= sweep_run(&o);	/* --pattern sweep */
	failed |= scale_run(&o);	/* --pattern scale */

	putchar('\n');
	report_all(stdout, &o.env, &p.lim, p.res, p.ncells, isatty(1));
	sweep_report(stdout);
	scale_report(stdout);
	if (o.out && (write_outputs(o.out, &o.env, &p.lim, p.res, p.ncells) ||
		      sweep_write(o.out) || scale_write(o.out)))
		failed = 1;
	plan_free(&p);
	return failed ? 1 : 0;
}
