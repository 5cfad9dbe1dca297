// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan channel registry: names, attach, permissions, quotas, unlink,
 * INFO/MODINFO and the /proc/ipcchan listing.
 *
 * A process binds an open /dev/ipcchan file to a channel with
 * IPCCHAN_IOC_ATTACH; with IPCCHAN_CREATE a missing channel is made, owned by
 * the caller's euid/egid with the given mode, and its worst-case memory
 * (max_msgs * max_msg_size plus the ring pages) is reserved against the
 * creator's per-user and the global byte limits, so no user can pin more
 * kernel memory than its limit however the channel is used.  Access to an
 * existing channel is checked like a file's: read permission to receive,
 * write permission to send, CAP_IPC_OWNER overrides.  IPCCHAN_IOC_UNLINK
 * removes the name; the channel lives on until its last file is released.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringhash.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "ipcchan.h"

#define IPCCHAN_HASH_BITS	8

/**
 * struct ipcchan_registry - all named channels and their accounting
 * @lock: protects every field
 * @names: name -> channel, named (not unlinked) channels only
 * @users: per uid accounting (xarray of uid -> struct ipcchan_user)
 * @total_bytes: bytes reserved by all live channels
 * @channels: live channels, named or not
 */
static struct ipcchan_registry {
	struct mutex lock;	/* protects the registry */
	DECLARE_HASHTABLE(names, IPCCHAN_HASH_BITS);
	struct xarray users;
	u64 total_bytes;
	u32 channels;
} reg;

static struct proc_dir_entry *ipcchan_proc;

/* 1..63 bytes of [A-Za-z0-9._-] followed by a NUL. */
static int ipcchan_check_name(const char *name)
{
	size_t len = strnlen(name, IPCCHAN_NAME_MAX);
	size_t i;

	if (len == 0 || len == IPCCHAN_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		/* ASCII only: the kernel's isalnum() accepts Latin-1 too. */
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '.' && c != '_' && c != '-')
			return -EINVAL;
	}
	return 0;
}

/*
 * Names live in the caller's IPC namespace, like SysV and POSIX IPC.  A
 * channel pins its namespace; put_ipc_ns() is not exported to modules, so
 * the reference is dropped through the namespace's own proc_ns_operations,
 * the way nsfs drops it.
 */
static struct ipc_namespace *ipcchan_ns(void)
{
	return current->nsproxy->ipc_ns;
}

static void ipcchan_ns_put(struct ipc_namespace *ns)
{
#ifdef CONFIG_IPC_NS
	ns->ns.ops->put(&ns->ns);
#endif
}

static u32 ipcchan_hash(struct ipc_namespace *ns, const char *name)
{
	return full_name_hash(ns, name, strlen(name));
}

static struct ipcchan_channel *ipcchan_lookup(struct ipc_namespace *ns,
					      const char *name)
{
	struct ipcchan_channel *ch;

	lockdep_assert_held(&reg.lock);
	hash_for_each_possible(reg.names, ch, hnode, ipcchan_hash(ns, name))
		if (ch->ns == ns && !strcmp(ch->name, name))
			return ch;
	return NULL;
}

/**
 * struct ipcchan_user - what one uid holds (registry mutex)
 * @bytes: bytes reserved by its channels
 * @channels: its live channels
 */
struct ipcchan_user {
	u64 bytes;
	u32 channels;
};

/* Reserve @bytes and one channel for @uid; -ENOSPC over a limit. */
static int ipcchan_charge(kuid_t uid, u64 bytes)
{
	struct ipcchan_user *u;
	int ret;

	lockdep_assert_held(&reg.lock);
	if (reg.channels >= ipcchan_limits.max_channels ||
	    bytes > ipcchan_limits.total_bytes_limit - reg.total_bytes)
		return -ENOSPC;
	u = xa_load(&reg.users, __kuid_val(uid));
	if (u && (u->channels >= ipcchan_limits.user_channels_limit ||
		  bytes > ipcchan_limits.user_bytes_limit - u->bytes))
		return -ENOSPC;
	if (!u) {
		if (bytes > ipcchan_limits.user_bytes_limit)
			return -ENOSPC;
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u)
			return -ENOMEM;
		ret = xa_err(xa_store(&reg.users, __kuid_val(uid), u,
				      GFP_KERNEL));
		if (ret) {
			kfree(u);
			return ret;
		}
	}
	u->bytes += bytes;
	u->channels++;
	reg.total_bytes += bytes;
	reg.channels++;
	atomic64_add(bytes, &ipcchan_stats.reserved_bytes);
	atomic64_inc(&ipcchan_stats.channels);
	return 0;
}

static void ipcchan_uncharge(kuid_t uid, u64 bytes)
{
	struct ipcchan_user *u = xa_load(&reg.users, __kuid_val(uid));

	lockdep_assert_held(&reg.lock);
	u->bytes -= bytes;
	if (!--u->channels)
		kfree(xa_erase(&reg.users, __kuid_val(uid)));
	reg.total_bytes -= bytes;
	reg.channels--;
	atomic64_sub(bytes, &ipcchan_stats.reserved_bytes);
	atomic64_dec(&ipcchan_stats.channels);
}

static void ipcchan_channel_release(struct kref *ref)
{
	struct ipcchan_channel *ch = container_of(ref, struct ipcchan_channel,
						  ref);

	ipcchan_msgq_purge(ch);
	ipcchan_ring_free(ch);
	mutex_lock(&reg.lock);
	ipcchan_uncharge(ch->uid, ch->reserved);
	mutex_unlock(&reg.lock);
	ipcchan_ns_put(ch->ns);
	kfree(ch);
}

/**
 * ipcchan_channel_put - drop a channel reference, freeing it with the last
 * @ch: the channel
 *
 * Must not be called with the registry mutex held.
 */
void ipcchan_channel_put(struct ipcchan_channel *ch)
{
	kref_put(&ch->ref, ipcchan_channel_release);
}

/* File-like check: owner, then group, then other bits. */
static int ipcchan_permission(struct ipcchan_channel *ch, u32 access)
{
	umode_t granted = ch->mode;
	umode_t need = 0;

	if (access & IPCCHAN_ACCESS_RECV)
		need |= 04;
	if (access & IPCCHAN_ACCESS_SEND)
		need |= 02;
	if (uid_eq(current_euid(), ch->uid))
		granted >>= 6;
	else if (in_egroup_p(ch->gid))
		granted >>= 3;
	if ((granted & need) == need)
		return 0;
	return ns_capable(ch->ns->user_ns, CAP_IPC_OWNER) ? 0 : -EACCES;
}

static int ipcchan_check_attach(struct ipcchan_attach *at)
{
	const struct ipcchan_limits *l = &ipcchan_limits;

	if (at->reserved0 || !ipcchan_zeroed(at->reserved,
					     ARRAY_SIZE(at->reserved)))
		return -EINVAL;
	if (at->flags & ~IPCCHAN_ATTACH_FLAGS)
		return -EINVAL;
	if ((at->flags & IPCCHAN_EXCL) && !(at->flags & IPCCHAN_CREATE))
		return -EINVAL;
	if (!at->access || (at->access & ~IPCCHAN_ACCESS_RDWR))
		return -EINVAL;
	if (at->mode & ~0777U)
		return -EINVAL;
	if (at->max_msgs > l->max_msgs_limit ||
	    at->max_msg_size > l->max_msg_size_limit)
		return -EINVAL;
	if (at->ring_pages && (!is_power_of_2(at->ring_pages) ||
			       at->ring_pages > l->ring_pages_max))
		return -EINVAL;
	return ipcchan_check_name(at->name);
}

static struct ipcchan_channel *ipcchan_create(struct ipcchan_attach *at)
{
	struct ipcchan_channel *ch;
	u64 queue, ring, total;
	int ret;

	lockdep_assert_held(&reg.lock);
	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	kref_init(&ch->ref);
	strscpy(ch->name, at->name, sizeof(ch->name));
	ch->uid = current_euid();
	ch->gid = current_egid();
	ch->mode = at->mode;
	ch->max_msgs = at->max_msgs ?: ipcchan_limits.default_max_msgs;
	ch->max_msg_size = at->max_msg_size ?: ipcchan_limits.default_max_msg_size;
	ipcchan_msgq_init(ch);

	/* Worst case: a full queue of largest messages, plus the ring. */
	ring = at->ring_pages ? ((u64)at->ring_pages + 1) * PAGE_SIZE : 0;
	queue = ipcchan_msgq_charge(ch->max_msgs, ch->max_msg_size);
	if (check_add_overflow(queue, ring, &total)) {
		ret = -ENOSPC;
		goto out_free;
	}
	ret = ipcchan_charge(ch->uid, total);
	if (ret)
		goto out_free;
	ch->reserved = total;

	ret = ipcchan_ring_alloc(ch, at->ring_pages);
	if (ret)
		goto out_uncharge;
	ch->ns = get_ipc_ns(ipcchan_ns());
	hash_add(reg.names, &ch->hnode, ipcchan_hash(ch->ns, ch->name));
	return ch;

out_uncharge:
	ipcchan_uncharge(ch->uid, total);
out_free:
	kfree(ch);
	return ERR_PTR(ret);
}

/**
 * ipcchan_attach - IPCCHAN_IOC_ATTACH: bind a file to a channel
 * @pf: the file's state
 * @uarg: struct ipcchan_attach in userspace
 *
 * Return: 0 or a negative errno (see the UAPI header).
 */
long ipcchan_attach(struct ipcchan_file *pf, void __user *uarg)
{
	struct ipcchan_channel *ch;
	struct ipcchan_attach at;
	int ret;

	if (copy_from_user(&at, uarg, sizeof(at)))
		return -EFAULT;
	ret = ipcchan_check_attach(&at);
	if (ret)
		return ret;

	mutex_lock(&pf->attach_lock);
	if (pf->ch) {
		ret = -EBUSY;
		goto out_unlock_file;
	}

	mutex_lock(&reg.lock);
	at.result = 0;
	ch = ipcchan_lookup(ipcchan_ns(), at.name);
	if (ch) {
		if ((at.flags & IPCCHAN_CREATE) && (at.flags & IPCCHAN_EXCL))
			ret = -EEXIST;
		else
			ret = ipcchan_permission(ch, at.access);
		if (ret)
			goto out_unlock_reg;
		kref_get(&ch->ref);
	} else {
		if (!(at.flags & IPCCHAN_CREATE)) {
			ret = -ENOENT;
			goto out_unlock_reg;
		}
		ch = ipcchan_create(&at);
		if (IS_ERR(ch)) {
			ret = PTR_ERR(ch);
			goto out_unlock_reg;
		}
		/* One reference for the registry, one for this file. */
		kref_get(&ch->ref);
		at.result = IPCCHAN_ATTACH_CREATED;
	}
	atomic_inc(&ch->attached);
	mutex_unlock(&reg.lock);

	pf->access = at.access;
	/* Pairs with smp_load_acquire() in ipcchan_file_channel(). */
	smp_store_release(&pf->ch, ch);
	mutex_unlock(&pf->attach_lock);

	/* Attached for good; a failed report does not undo it. */
	if (put_user(at.result, &((struct ipcchan_attach __user *)uarg)->result))
		return -EFAULT;
	return 0;

out_unlock_reg:
	mutex_unlock(&reg.lock);
out_unlock_file:
	mutex_unlock(&pf->attach_lock);
	return ret;
}

/**
 * ipcchan_unlink - IPCCHAN_IOC_UNLINK: remove a channel's name
 * @uarg: struct ipcchan_unlink in userspace
 *
 * Return: 0 or a negative errno.
 */
long ipcchan_unlink(void __user *uarg)
{
	struct ipcchan_channel *ch;
	struct ipcchan_unlink un;
	int ret;

	if (copy_from_user(&un, uarg, sizeof(un)))
		return -EFAULT;
	if (!ipcchan_zeroed(un.reserved, ARRAY_SIZE(un.reserved)))
		return -EINVAL;
	ret = ipcchan_check_name(un.name);
	if (ret)
		return ret;

	mutex_lock(&reg.lock);
	ch = ipcchan_lookup(ipcchan_ns(), un.name);
	if (!ch) {
		mutex_unlock(&reg.lock);
		return -ENOENT;
	}
	if (!uid_eq(current_euid(), ch->uid) &&
	    !ns_capable(ch->ns->user_ns, CAP_IPC_OWNER)) {
		mutex_unlock(&reg.lock);
		return -EPERM;
	}
	hash_del(&ch->hnode);
	WRITE_ONCE(ch->unlinked, true);
	mutex_unlock(&reg.lock);

	/* Pollers see EPOLLHUP once the queue is empty. */
	wake_up_interruptible_poll(&ch->recv_wq, EPOLLHUP);
	ipcchan_channel_put(ch);
	return 0;
}

/**
 * ipcchan_fill_modinfo - the module part of MODINFO and INFO
 * @mi: filled completely (reserved fields zero)
 */
void ipcchan_fill_modinfo(struct ipcchan_modinfo *mi)
{
	const struct ipcchan_limits *l = &ipcchan_limits;
	s64 messages, bytes;

	memset(mi, 0, sizeof(*mi));
	mi->abi_version = IPCCHAN_ABI_VERSION;
	mi->page_size = PAGE_SIZE;
	mi->features = IPCCHAN_FEAT_MSG | IPCCHAN_FEAT_BATCH |
		       IPCCHAN_FEAT_RDWR | IPCCHAN_FEAT_POLL |
		       IPCCHAN_FEAT_RING | IPCCHAN_FEAT_PROC;
	mi->default_max_msgs = l->default_max_msgs;
	mi->max_msgs_limit = l->max_msgs_limit;
	mi->default_max_msg_size = l->default_max_msg_size;
	mi->max_msg_size_limit = l->max_msg_size_limit;
	mi->max_channels = l->max_channels;
	mi->ring_pages_max = l->ring_pages_max;
	mi->user_bytes_limit = l->user_bytes_limit;
	mi->total_bytes_limit = l->total_bytes_limit;
	mi->channels = atomic64_read(&ipcchan_stats.channels);
	ipcchan_stats_sum(&messages, &bytes);
	mi->messages = messages;
	mi->queued_bytes = bytes;
	mi->reserved_bytes = atomic64_read(&ipcchan_stats.reserved_bytes);
	mi->msg_overhead = sizeof(struct ipcchan_kmsg);
	mi->user_channels_limit = l->user_channels_limit;
	mi->batch_max = IPCCHAN_BATCH_MAX;
	mi->prio_max = IPCCHAN_PRIO_MAX;
}

/**
 * ipcchan_modinfo - IPCCHAN_IOC_MODINFO
 * @uarg: struct ipcchan_modinfo in userspace
 *
 * Return: 0 or -EFAULT.
 */
long ipcchan_modinfo(void __user *uarg)
{
	struct ipcchan_modinfo mi;

	ipcchan_fill_modinfo(&mi);
	return copy_to_user(uarg, &mi, sizeof(mi)) ? -EFAULT : 0;
}

/**
 * ipcchan_info - IPCCHAN_IOC_INFO: the attached channel's state
 * @pf: the file's state
 * @uarg: struct ipcchan_info in userspace
 *
 * Return: 0 or a negative errno.
 */
long ipcchan_info(struct ipcchan_file *pf, void __user *uarg)
{
	struct ipcchan_channel *ch = ipcchan_file_channel(pf);
	struct ipcchan_info *in;
	struct ipcchan_msgq_snap snap;
	long ret = 0;

	if (!ch)
		return -ENOTCONN;
	in = kzalloc(sizeof(*in), GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	strscpy(in->name, ch->name, sizeof(in->name));
	in->uid = from_kuid_munged(current_user_ns(), ch->uid);
	in->gid = from_kgid_munged(current_user_ns(), ch->gid);
	in->mode = ch->mode;
	in->access = pf->access;
	in->max_msgs = ch->max_msgs;
	in->max_msg_size = ch->max_msg_size;
	in->ring_pages = ch->ring_npages;
	in->state = READ_ONCE(ch->unlinked) ? IPCCHAN_STATE_UNLINKED : 0;
	in->charged = ch->reserved;
	in->attached = atomic_read(&ch->attached);
	in->mappings = atomic_read(&ch->mappings);
	if (ch->ring_npages) {
		in->ring_hdr_offset = 0;
		in->ring_data_offset = PAGE_SIZE;
		in->ring_data_size = (u64)ch->ring_npages * PAGE_SIZE;
		in->ring_map_size = PAGE_SIZE + 2 * in->ring_data_size;
	}

	ipcchan_msgq_snapshot(ch, &snap);
	in->cur_msgs = snap.cur_msgs;
	in->cur_bytes = snap.cur_bytes;
	in->sent = snap.sent;
	in->received = snap.received;
	in->blocked_senders = snap.blocked_senders;
	in->blocked_receivers = snap.blocked_receivers;

	ipcchan_fill_modinfo(&in->mod);
	if (copy_to_user(uarg, in, sizeof(*in)))
		ret = -EFAULT;
	kfree(in);
	return ret;
}

/*
 * /proc/ipcchan: one line per named channel of the reader's IPC namespace,
 * like /proc/sysvipc/msg.
 */
static int ipcchan_proc_show(struct seq_file *m, void *v)
{
	struct user_namespace *ns = seq_user_ns(m);
	struct ipc_namespace *ipc_ns = ipcchan_ns();
	struct ipcchan_channel *ch;
	unsigned int bkt;

	seq_puts(m, "name uid gid mode msgs bytes max_msgs max_msg_size sent received attached ring_pages state\n");
	mutex_lock(&reg.lock);
	hash_for_each(reg.names, bkt, ch, hnode) {
		struct ipcchan_msgq_snap q;

		if (ch->ns != ipc_ns)
			continue;
		ipcchan_msgq_snapshot(ch, &q);
		seq_printf(m, "%s %u %u %04o %u %llu %u %u %llu %llu %d %u %s\n",
			   ch->name, from_kuid_munged(ns, ch->uid),
			   from_kgid_munged(ns, ch->gid), ch->mode, q.cur_msgs,
			   q.cur_bytes, ch->max_msgs, ch->max_msg_size, q.sent,
			   q.received,
			   atomic_read(&ch->attached), ch->ring_npages,
			   ch->unlinked ? "unlinked" : "-");
	}
	mutex_unlock(&reg.lock);
	return 0;
}

/**
 * ipcchan_registry_init - set up the registry and /proc/ipcchan
 *
 * Return: 0 or -ENOMEM.
 */
int ipcchan_registry_init(void)
{
	mutex_init(&reg.lock);
	hash_init(reg.names);
	xa_init(&reg.users);
	ipcchan_proc = proc_create_single("ipcchan", 0444, NULL,
					  ipcchan_proc_show);
	if (!ipcchan_proc) {
		pr_err("cannot create /proc/ipcchan\n");
		return -ENOMEM;
	}
	return 0;
}

/**
 * ipcchan_registry_exit - free every channel left; report leaks
 *
 * Called at module unload, when no file can be open any more, so the
 * registry holds the only reference to each remaining channel.
 */
void ipcchan_registry_exit(void)
{
	struct ipcchan_channel *ch;
	struct hlist_node *tmp;
	unsigned int bkt, freed = 0;
	s64 messages, bytes;

	proc_remove(ipcchan_proc);
	mutex_lock(&reg.lock);
	hash_for_each_safe(reg.names, bkt, tmp, ch, hnode) {
		hash_del(&ch->hnode);
		mutex_unlock(&reg.lock);
		ipcchan_channel_put(ch);
		freed++;
		mutex_lock(&reg.lock);
	}
	mutex_unlock(&reg.lock);

	ipcchan_stats_sum(&messages, &bytes);
	if (atomic64_read(&ipcchan_stats.channels) || messages || bytes ||
	    atomic64_read(&ipcchan_stats.reserved_bytes) ||
	    !xa_empty(&reg.users))
		pr_err("leak: %lld channels, %lld messages, %lld bytes queued, %lld reserved after unload\n",
		       atomic64_read(&ipcchan_stats.channels), messages, bytes,
		       atomic64_read(&ipcchan_stats.reserved_bytes));
	else
		pr_debug("unloaded: freed %u channels, no leaks\n", freed);
	xa_destroy(&reg.users);
	mutex_destroy(&reg.lock);
}
