// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench system-call counter: a perf counter on the
 * raw_syscalls:sys_enter tracepoint, one per child process (inherit, so
 * threads it starts count too), read at the start and the end of the
 * measured part of a cell, like the context switches.  It counts every
 * system call the process enters, whatever the method does, so a method
 * cannot hide a call in a library.
 *
 * The tracepoint's id comes from tracefs (/sys/kernel/tracing, or the
 * tracing directory of debugfs).  Without tracefs, perf events or the
 * privilege to use them the counts are "n/a", with the reason in
 * sysc_why; nothing else changes.  The two read() calls of the counter
 * itself land outside the measured interval except one per side, which
 * is negligible against the thousands of messages a cell measures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

static const char *const id_paths[] = {
	"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
	"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
};

char sysc_why[WHY_LEN] = "not probed";
static long long tp_id = -1;	/* the tracepoint's id, -1: unavailable */
static int sysc_fd = -1;	/* this process's counter */
/*
 * The main process keeps one counter (not inherited) open until it exits,
 * so the tracepoint stays enabled from the probe to the end of the run.
 * Without it every cell's children would enable it when they open their
 * counters and disable it when they exit, and each of those flips patches
 * the kernel's system-call entry code (a static key, text_poke): in the
 * TCG VM both vCPUs were once found spinning in syscall_trace_enter()
 * after such a flip, a soft lockup that stopped the run (twice in about
 * 300 cells, both sides closing their counters at the end of a cell).
 */
static int keep_fd = -1;

static int perf_open(long long id, bool inherit)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (unsigned long long)id;
	a.inherit = inherit;
	/* the tracepoint fires in the kernel: exclude_kernel would hide it */
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static long long read_id(void)
{
	long long id = -1;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(id_paths) && id < 0; i++) {
		FILE *f = fopen(id_paths[i], "r");

		if (!f)
			continue;
		if (fscanf(f, "%lld", &id) != 1)
			id = -1;
		fclose(f);
	}
	return id;
}

/* Can this process count its system calls?  Once, in the main process. */
bool sysc_probe(void)
{
	long long id = read_id();
	int fd;

	if (id < 0) {
		snprintf(sysc_why, WHY_LEN,
			 "no raw_syscalls/sys_enter/id under /sys/kernel/tracing or /sys/kernel/debug/tracing (tracefs not mounted, or no CONFIG_FTRACE_SYSCALLS)");
		return false;
	}
	fd = perf_open(id, false);
	if (fd < 0) {
		snprintf(sysc_why, WHY_LEN,
			 "perf_event_open(raw_syscalls:sys_enter): %s%s",
			 strerror(errno), errno == EACCES || errno == EPERM ?
			 " (needs root or kernel.perf_event_paranoid <= -1)" : "");
		return false;
	}
	/* kept open for the whole run: see keep_fd */
	keep_fd = fd;
	tp_id = id;
	sysc_why[0] = 0;
	return true;
}

/* In a child, before the measured part: its own counter. */
void sysc_open(void)
{
	if (tp_id >= 0)
		sysc_fd = perf_open(tp_id, true);
}

/* System calls entered so far by this process, -1 when not counted. */
long long sysc_now(void)
{
	unsigned long long v;

	if (sysc_fd < 0 || read(sysc_fd, &v, sizeof(v)) != sizeof(v))
		return -1;
	return (long long)v;
}
