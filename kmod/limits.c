// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan module limits: the module parameters, checked once at load, and
 * the module-wide counters the leak report at unload reads.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

#include "limits.h"

struct ipcchan_limits ipcchan_limits = {
	.default_max_msgs	= 64,
	.max_msgs_limit		= 65536,
	.default_max_msg_size	= 8192,
	.max_msg_size_limit	= 4 << 20,
	.max_channels		= 1024,
	.ring_pages_max		= 1024,
	.user_channels_limit	= 256,
	.user_bytes_limit	= 64UL << 20,
	.total_bytes_limit	= 256UL << 20,
	.global_bytes_limit	= 0,	/* set at load, see ipcchan_limits_check() */
};

struct ipcchan_stats ipcchan_stats;
DEFINE_PER_CPU(struct ipcchan_msg_stats, ipcchan_msg_stats);

/**
 * ipcchan_stats_sum - queued messages and bytes, module-wide
 * @messages: out: messages queued or in flight
 * @bytes: out: their payload bytes
 */
void ipcchan_stats_sum(s64 *messages, s64 *bytes)
{
	int cpu;

	*messages = 0;
	*bytes = 0;
	/* Other CPUs update theirs meanwhile (this_cpu_add()). */
	for_each_possible_cpu(cpu) {
		*messages += READ_ONCE(per_cpu(ipcchan_msg_stats.messages, cpu));
		*bytes += READ_ONCE(per_cpu(ipcchan_msg_stats.queued_bytes, cpu));
	}
}

module_param_named(default_max_msgs, ipcchan_limits.default_max_msgs, uint, 0444);
MODULE_PARM_DESC(default_max_msgs, "Queue depth of a channel created with max_msgs 0 (default 64)");
module_param_named(max_msgs_limit, ipcchan_limits.max_msgs_limit, uint, 0444);
MODULE_PARM_DESC(max_msgs_limit, "Highest max_msgs a channel may have (default 65536)");
module_param_named(default_max_msg_size, ipcchan_limits.default_max_msg_size, uint, 0444);
MODULE_PARM_DESC(default_max_msg_size, "Largest message of a channel created with max_msg_size 0 (default 8192)");
module_param_named(max_msg_size_limit, ipcchan_limits.max_msg_size_limit, uint, 0444);
MODULE_PARM_DESC(max_msg_size_limit, "Highest max_msg_size in bytes, at most 64 MiB (default 4 MiB)");
module_param_named(max_channels, ipcchan_limits.max_channels, uint, 0444);
MODULE_PARM_DESC(max_channels, "Most channels alive at once in one IPC namespace (default 1024)");
module_param_named(ring_pages_max, ipcchan_limits.ring_pages_max, uint, 0444);
MODULE_PARM_DESC(ring_pages_max, "Most ring data pages per channel, a power of two up to 65536 (default 1024)");
module_param_named(user_channels_limit, ipcchan_limits.user_channels_limit, uint, 0444);
MODULE_PARM_DESC(user_channels_limit, "Most live channels one user may create, counted at every user namespace level (default 256)");
module_param_named(user_bytes_limit, ipcchan_limits.user_bytes_limit, ulong, 0444);
MODULE_PARM_DESC(user_bytes_limit, "Bytes one user may reserve over its channels, counted at every user namespace level (default 64 MiB)");
module_param_named(total_bytes_limit, ipcchan_limits.total_bytes_limit, ulong, 0444);
MODULE_PARM_DESC(total_bytes_limit, "Bytes the channels of one IPC namespace may reserve (default 256 MiB)");
module_param_named(global_bytes_limit, ipcchan_limits.global_bytes_limit, ulong, 0444);
MODULE_PARM_DESC(global_bytes_limit, "Bytes all channels of all namespaces may reserve; 0: a quarter of RAM, at least total_bytes_limit (default 0)");

/**
 * ipcchan_limits_check - check the module parameters at load
 *
 * Also sets global_bytes_limit when it was left 0.
 *
 * Return: 0, or -EINVAL (with the rule that failed in the log).
 */
int ipcchan_limits_check(void)
{
	struct ipcchan_limits *l = &ipcchan_limits;

	if (!l->max_msgs_limit || l->max_msgs_limit > (1U << 24) ||
	    !l->default_max_msgs || l->default_max_msgs > l->max_msgs_limit) {
		pr_err("need 1 <= default_max_msgs <= max_msgs_limit <= 16M\n");
		return -EINVAL;
	}
	if (l->max_msg_size_limit > (64U << 20) ||
	    l->default_max_msg_size > l->max_msg_size_limit) {
		pr_err("need default_max_msg_size <= max_msg_size_limit <= 64M\n");
		return -EINVAL;
	}
	if (!l->max_channels || l->max_channels > (1U << 20) ||
	    !l->user_channels_limit) {
		pr_err("need 1 <= max_channels <= 1M and user_channels_limit >= 1\n");
		return -EINVAL;
	}
	if (l->ring_pages_max > 65536 ||
	    (l->ring_pages_max && !is_power_of_2(l->ring_pages_max))) {
		pr_err("ring_pages_max must be 0 or a power of two <= 65536\n");
		return -EINVAL;
	}
	if (!l->user_bytes_limit || l->user_bytes_limit > l->total_bytes_limit) {
		pr_err("need 0 < user_bytes_limit <= total_bytes_limit\n");
		return -EINVAL;
	}
	/* The module-wide ceiling; sysfs shows the value in force. */
	if (!l->global_bytes_limit)
		l->global_bytes_limit = max(l->total_bytes_limit,
					    (totalram_pages() / 4) << PAGE_SHIFT);
	if (l->global_bytes_limit < l->total_bytes_limit) {
		pr_err("need total_bytes_limit <= global_bytes_limit\n");
		return -EINVAL;
	}
	return 0;
}
