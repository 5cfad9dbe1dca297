// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench environment: the kernel, machine, CPU model, clocksource
 * and date that head the report and bench.json.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* The value of the first "model name" line of /proc/cpuinfo. */
static void cpu_model(char *buf, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !c)
			continue;
		c += 1 + (c[1] == ' ');
		c[strcspn(c, "\n")] = 0;
		snprintf(buf, n, "%s", c);
		break;
	}
	if (f)
		fclose(f);
}

void fill_env(struct env *e)
{
	struct utsname u;
	time_t t = time(NULL);
	FILE *f;

	if (!uname(&u)) {
		snprintf(e->kernel, sizeof(e->kernel), "%s", u.release);
		snprintf(e->machine, sizeof(e->machine), "%s", u.machine);
	}
	e->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	strftime(e->date, sizeof(e->date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	cpu_model(e->cpu_model, sizeof(e->cpu_model));
	/* What CLOCK_MONOTONIC costs depends on it (vDSO or system call). */
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  "r");
	if (f && fgets(e->clocksource, sizeof(e->clocksource), f))
		e->clocksource[strcspn(e->clocksource, "\n")] = 0;
	if (f)
		fclose(f);
}
