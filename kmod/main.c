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
 * Files, in reading order; each uses only those above it:
 *   limits.c   module parameters, module-wide counters
 *   ipcchan.h  the channel and file objects, their counter pairs
 *   ucopy.h    the structs userspace passes: out fields, reserved fields
 *   msg.c      message objects: allocation, recycling, the sender's pid
 *   msgq.c     the message queue: SEND/RECV, read/write, the queue's poll
 *   batch.c    SEND_BATCH/RECV_BATCH on msgq.c's primitives
 *   ring.c     shared ring pages: mmap, RING_WAIT/RING_NOTIFY, ring poll
 *   channel.c  the registry: attach, unlink, quotas, INFO/MODINFO, /proc
 *   main.c     the device: open/release, ioctl dispatch, poll, init/exit
 *   compat.h   differences between the kernel versions supported
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
 *  - a message: from a sender's slot to a receiver, then kept for the
 *    next sender or freed; its life is told at the top of msgq.c.  Kept
 *    message objects die with the channel.
 * Every open file pins the module (fops owner), so module_exit only meets
 * channels the registry still holds, and frees them.
 *
 * Locks, outermost first: registry mutex -> channel send lock -> channel
 * lock -> wait queue locks.  Senders take the send lock, receivers the
 * channel lock; only INFO, MODINFO and /proc/ipcchan take both.  A
 * receiver takes the send lock only with its own dropped, to hand freed
 * slots to blocked senders (grant_slots(), msgq.c).  The two
 * sides meet in lock-free lists and counters (msgq.c).  Nothing sleeps under
 * a channel lock.  User memory is touched under one only with page faults
 * disabled (msgq.c's small-message fast paths); a copy that would fault
 * is redone with the lock dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>

#include "batch.h"
#include "channel.h"
#include "limits.h"
#include "msg.h"
#include "msgq.h"
#include "ring.h"

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

	/* ZOO BEGIN unlink-uaf: release drops no reference (2/2) */
	if (ch) {
		atomic_dec(&ch->attached);
		ipcchan_channel_put(ch);
	}
	/*
	 * ZOO BROKEN unlink-uaf
	 *	if (ch)
	 *		atomic_dec(&ch->attached);
	 * ZOO END unlink-uaf
	 */
	mutex_destroy(&pf->attach_lock);
	kfree(pf);
	return 0;
}

/*
 * poll(2): the queue's readiness and, for a channel with a ring, the
 * ring's.
 */
static __poll_t ipcchan_poll(struct file *file, struct poll_table_struct *pt)
{
	struct ipcchan_channel *ch = ipcchan_file_channel(file->private_data);

	if (!ch)
		return EPOLLERR;
	return ipcchan_msgq_poll(ch, file, pt) | ipcchan_ring_poll(ch, file, pt);
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
	/* Every UAPI struct has one layout for 32- and 64-bit callers. */
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice ipcchan_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipcchan",
	.fops	= &ipcchan_fops,
	.mode	= 0666,
};

static int __init ipcchan_init(void)
{
	int ret;

	ret = ipcchan_limits_check();
	if (ret)
		return ret;
	ret = ipcchan_msg_cache_init();
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
	ipcchan_msg_cache_exit();
	return ret;
}

static void __exit ipcchan_exit(void)
{
	misc_deregister(&ipcchan_misc);
	ipcchan_registry_exit();
	ipcchan_msg_cache_exit();
}

module_init(ipcchan_init);
module_exit(ipcchan_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipcchan: named IPC channels with message passing and shared rings");
