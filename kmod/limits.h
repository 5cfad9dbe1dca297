/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan module limits (module parameters) and module-wide counters
 * (limits.c).  Everything else reads them; they read nothing of ours.
 */
#ifndef IPCCHAN_LIMITS_H
#define IPCCHAN_LIMITS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/types.h>

/*
 * Read-only once loaded.  max_channels and total_bytes_limit apply to each
 * IPC namespace, the user_* limits to each user at every level of the user
 * namespace hierarchy, global_bytes_limit to the whole module (channel.c).
 */
struct ipcchan_limits {
	unsigned int default_max_msgs;
	unsigned int max_msgs_limit;
	unsigned int default_max_msg_size;
	unsigned int max_msg_size_limit;
	unsigned int max_channels;
	unsigned int ring_pages_max;
	unsigned int user_channels_limit;
	unsigned long user_bytes_limit;
	unsigned long total_bytes_limit;
	unsigned long global_bytes_limit;
};

extern struct ipcchan_limits ipcchan_limits;

int ipcchan_limits_check(void);

/* Module-wide object counts: what is alive now (for leak reports). */
struct ipcchan_stats {
	atomic64_t channels;
	atomic64_t reserved_bytes;
};

extern struct ipcchan_stats ipcchan_stats;

/*
 * Queued messages and bytes change on every send and receive, on both
 * CPUs of a producer/consumer pair: per-CPU deltas, summed when read,
 * keep that traffic off a shared cache line.
 */
struct ipcchan_msg_stats {
	s64 messages;
	s64 queued_bytes;
};

DECLARE_PER_CPU(struct ipcchan_msg_stats, ipcchan_msg_stats);

static inline void ipcchan_stats_add(s64 messages, s64 bytes)
{
	this_cpu_add(ipcchan_msg_stats.messages, messages);
	this_cpu_add(ipcchan_msg_stats.queued_bytes, bytes);
}

void ipcchan_stats_sum(s64 *messages, s64 *bytes);

#endif /* IPCCHAN_LIMITS_H */
