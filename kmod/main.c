// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan: named IPC channels on a misc character device.
 *
 * Userspace drives it like this (see include/uapi/linux/ipcchan.h):
 *
 *	fd = open("/dev/ipcchan", O_RDWR);
 *	ioctl(fd, IPCCHAN_IOC_ATTACH, &(struct ipcchan_attach){
 *		.name = "jobs", .flags = IPCCHAN_CREATE,
 *		.access = IPCCHAN_ACCESS_RDWR, .mode = 0600 });
 *	ioctl(fd, IPCCHAN_IOC_SEND, &msg);	// or write(fd, buf, len)
 *	ioctl(fd, IPCCHAN_IOC_RECV, &msg);	// or read(fd, buf, len)
 *	poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, -1);
 *	ring = mmap(NULL, info.ring_map_size, PROT_READ | PROT_WRITE,
 *		    MAP_SHARED, fd, 0);	// channels with ring pages
 *	ioctl(fd, IPCCHAN_IOC_UNLINK, &(struct ipcchan_unlink){ "jobs" });
 *
 * Objects and lifetimes:
 *  - the registry (channel.c): (IPC namespace, name) -> channel hash,
 *    per IPC namespace channel lists and reservations, per (user
 *    namespace, uid) channel counts and reservations, under one mutex; a
 *    delayed work frees the channels of namespaces only they keep alive;
 *  - a channel: a kref held by the registry until unlink and by every
 *    attached file until release.  A ring mapping pins its file (vm_file),
 *    so it keeps the channel alive without a reference of its own.  The
 *    last put frees queued messages, ring pages and the reservation;
 *  - a file (struct ipcchan_file): attached once, for good;
 *  - a message: a sender takes a slot, then an object (recycled, or
 *    allocated within the channel's max_msgs objects), fills it and
 *    queues it (incoming list, then a priority queue); a receiver copies
 *    it out and puts it on one of the channel's two free lists, small
 *    (<= 256 B) or large (within 4 MiB), for the next sender, or frees it.
 *    Free-listed messages die with the channel.
 * Every open file pins the module (fops owner), so module_exit only meets
 * channels the registry still holds, and frees them.
 *
 * Locks, outermost first: registry mutex -> channel send lock -> channel
 * lock -> wait queue locks.  Senders take the send lock, receivers the
 * channel lock; only INFO, MODINFO and /proc/ipcchan take both.  The two
 * sides meet in lock-free lists and counters (msgq.c).  Nothing sleeps under a
 * channel lock.  User memory is touched under one only with page faults
 * disabled (msgq.c's small-message fast paths); a copy that would fault
 * is redone with the lock dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "ipcchan.h"

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
	.global_bytes_limit	= 0,	/* set at load, see ipcchan_check_params() */
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

static int ipcchan_check_params(void)
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

static int ipcchan_open(struct inode *inode, struct file *file)
{
	struct ipcchan_file *pf;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL_ACCOUNT);
	if (!pf)
		return -ENOMEM;
	mutex_init(&pf->attach_lock);
	file->private_data = pf;
	return nonseekable_open(inode, file);
}

static int ipcchan_release(struct inode *inode, struct file *file)
{
	struct ipcchan_file *pf = file->private_data;
	struct ipcchan_channel *ch = ipcchan_file_channel(pf);

	if (ch) {
		atomic_dec(&ch->attached);
		ipcchan_channel_put(ch);
	}
	mutex_destroy(&pf->attach_lock);
	kfree(pf);
	return 0;
}

static long ipcchan_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct ipcchan_file *pf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case IPCCHAN_IOC_ATTACH:
		return ipcchan_attach(pf, uarg);
	case IPCCHAN_IOC_SEND:
		return ipcchan_send(file, uarg);
	case IPCCHAN_IOC_RECV:
		return ipcchan_recv(file, uarg);
	case IPCCHAN_IOC_SEND_BATCH:
		return ipcchan_send_batch(file, uarg);
	case IPCCHAN_IOC_RECV_BATCH:
		return ipcchan_recv_batch(file, uarg);
	case IPCCHAN_IOC_INFO:
		return ipcchan_info(pf, uarg);
	case IPCCHAN_IOC_UNLINK:
		return ipcchan_unlink(uarg);
	case IPCCHAN_IOC_MODINFO:
		return ipcchan_modinfo(uarg);
	case IPCCHAN_IOC_RING_WAIT:
		return ipcchan_ring_wait(file, uarg);
	case IPCCHAN_IOC_RING_NOTIFY:
		return ipcchan_ring_notify(file, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ipcchan_fops = {
	.owner		= THIS_MODULE,
	.open		= ipcchan_open,
	.release	= ipcchan_release,
	.read		= ipcchan_read,
	.write		= ipcchan_write,
	.read_iter	= ipcchan_read_iter,
	.write_iter	= ipcchan_write_iter,
	.poll		= ipcchan_poll,
	.mmap		= ipcchan_mmap,
	.unlocked_ioctl	= ipcchan_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice ipcchan_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipcchan",
	.fops	= &ipcchan_fops,
	.mode	= 0666,
};

/* Same layout for 32- and 64-bit userspace: compat_ptr_ioctl suffices. */
static_assert(sizeof(struct ipcchan_attach) == 112);
static_assert(sizeof(struct ipcchan_msg) == 64);
static_assert(sizeof(struct ipcchan_batch) == 48);
static_assert(sizeof(struct ipcchan_modinfo) == 128);
static_assert(sizeof(struct ipcchan_info) == 208 + sizeof(struct ipcchan_modinfo));
static_assert(sizeof(struct ipcchan_unlink) == 80);
static_assert(sizeof(struct ipcchan_ring_hdr) == 256);
static_assert(sizeof(struct ipcchan_ring_wait) == 40);
static_assert(sizeof(struct ipcchan_ring_notify) == 24);

static int __init ipcchan_init(void)
{
	int ret;

	ret = ipcchan_check_params();
	if (ret)
		return ret;
	ret = ipcchan_msgq_cache_init();
	if (ret)
		return ret;
	ret = ipcchan_registry_init();
	if (ret)
		goto out_cache;
	ret = misc_register(&ipcchan_misc);
	if (ret) {
		pr_err("cannot register misc device: %d\n", ret);
		goto out_registry;
	}
	return 0;

out_registry:
	ipcchan_registry_exit();
out_cache:
	ipcchan_msgq_cache_exit();
	return ret;
}

static void __exit ipcchan_exit(void)
{
	misc_deregister(&ipcchan_misc);
	ipcchan_registry_exit();
	ipcchan_msgq_cache_exit();
}

module_init(ipcchan_init);
module_exit(ipcchan_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipcchan: named IPC channels with message passing and shared rings");
