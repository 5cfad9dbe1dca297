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

/* Is flag one of the words of a /proc/cpuinfo "flags" line? */
static bool has_flag(const char *flags, const char *flag)
{
	size_t l = strlen(flag);
	const char *p;

	for (p = strstr(flags, flag); p; p = strstr(p + 1, flag))
		if ((p == flags || p[-1] == ' ') && (!p[l] || p[l] == ' ' ||
						     p[l] == '\n'))
			return true;
	return false;
}

/*
 * The value of the first "model name" line of /proc/cpuinfo, and which of
 * the flags that make the kernel copy with rep movsb the CPU has (the VM
 * can run without them, VM_CPU: docs/benchmark.md).
 */
static void cpu_model(char *buf, size_t n, char *copy, size_t cn)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool model = false, flags = false;

	while (f && fgets(line, sizeof(line), f) && !(model && flags)) {
		char *c = strchr(line, ':');

		if (!c)
			continue;
		if (!model && !strncmp(line, "model name", 10)) {
			c += 1 + (c[1] == ' ');
			c[strcspn(c, "\n")] = 0;
			snprintf(buf, n, "%s", c);
			model = true;
		} else if (!flags && !strncmp(line, "flags", 5)) {
			bool e = has_flag(c, "erms"), r = has_flag(c, "fsrm");

			snprintf(copy, cn, "%s", e && r ? "erms fsrm" : e ?
				 "erms, no fsrm" : r ? "fsrm, no erms" :
				 "no erms, no fsrm");
			flags = true;
		}
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
	cpu_model(e->cpu_model, sizeof(e->cpu_model), e->copy_flags,
		  sizeof(e->copy_flags));
	/* What CLOCK_MONOTONIC costs depends on it (vDSO or system call). */
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  "r");
	if (f && fgets(e->clocksource, sizeof(e->clocksource), f))
		e->clocksource[strcspn(e->clocksource, "\n")] = 0;
	if (f)
		fclose(f);
}
