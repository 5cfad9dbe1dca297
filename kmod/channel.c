// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan channel registry: names, attach, permissions, quotas, unlink,
 * INFO/MODINFO and the /proc/ipcchan listing.
 *
 * A process binds an open /dev/ipcchan file to a channel with
 * IPCCHAN_IOC_ATTACH; with IPCCHAN_CREATE a missing channel is made, owned by
 * the caller's euid/egid with the given mode, and its worst-case memory
 * (max_msgs * max_msg_size plus the ring pages) is reserved, before
 * anything is allocated, against three bounds: the creator's user at every
 * level of its user namespace hierarchy (user_channels_limit,
 * user_bytes_limit), the channel's IPC namespace (max_channels,
 * total_bytes_limit) and the module (global_bytes_limit).  So no user,
 * container or namespace can pin more kernel memory than its limit however
 * the channel is used, nor starve the others.  Access to an existing
 * channel is checked like a file's: read permission to receive, write
 * permission to send, CAP_IPC_OWNER overrides.  IPCCHAN_IOC_UNLINK removes
 * the name; the channel lives on until its last file is released.  A
 * namespace's channels are unlinked when the namespace dies (see
 * ns_is_initial()).  MODINFO, INFO and /proc/ipcchan report one
 * IPC namespace only.
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
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringhash.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "channel.h"
#include "limits.h"
#include "msg.h"
#include "msgq.h"
#include "ring.h"
#include "ucopy.h"

/* The same layout for 32- and 64-bit userspace (compat_ptr_ioctl). */
static_assert(sizeof(struct ipcchan_attach) == 112);
static_assert(sizeof(struct ipcchan_unlink) == 80);
static_assert(sizeof(struct ipcchan_modinfo) == 128);
static_assert(sizeof(struct ipcchan_info) == 208 + sizeof(struct ipcchan_modinfo));

#define IPCCHAN_HASH_BITS	8
#define IPCCHAN_ACCT_BITS	6

/* How often dead namespaces are looked for while one may exist. */
#define IPCCHAN_GC_PERIOD	HZ

/**
 * struct ipcchan_registry - all named channels and their accounting
 * @lock: protects every field
 * @names: (namespace, name) -> channel, named (not unlinked) channels only
 * @nsds: per IPC namespace accounting (struct ipcchan_nsd)
 * @users: per (user namespace, uid) accounting (struct ipcchan_user)
 * @total_bytes: bytes reserved by all live channels, every namespace
 * @foreign_named: named channels of namespaces other than the initial one;
 *                 @gc runs while there are any
 * @gc: looks for namespaces only channels keep alive (collect)
 */
static struct ipcchan_registry {
	struct mutex lock;	/* protects the registry */
	DECLARE_HASHTABLE(names, IPCCHAN_HASH_BITS);
	DECLARE_HASHTABLE(nsds, IPCCHAN_ACCT_BITS);
	DECLARE_HASHTABLE(users, IPCCHAN_ACCT_BITS);
	u64 total_bytes;
	u32 foreign_named;
	struct delayed_work gc;
} reg;

/**
 * struct ipcchan_nsd - what one IPC namespace holds (registry mutex)
 * @node: link in the registry's @nsds
 * @ns: the namespace (each of its channels holds a reference)
 * @channels: its live channels, named or unlinked (ipcchan_chan_acct.node)
 * @bytes: bytes reserved by its channels
 * @nr: its channels, live or being created: each holds one reference to @ns
 * @named: those of them that have a name
 * @initial: @ns is the initial IPC namespace, which never dies
 */
struct ipcchan_nsd {
	struct hlist_node node;
	struct ipc_namespace *ns;
	struct list_head channels;
	u64 bytes;
	u32 nr;
	u32 named;
	bool initial;
};

/**
 * struct ipcchan_user - what one user holds at one level (registry mutex)
 * @node: link in the registry's @users
 * @ns: the user namespace of this level, referenced
 * @uid: the user
 * @parent: the same channels one level up: (@ns->parent, @ns->owner);
 *          NULL at init_user_ns
 * @bytes: bytes reserved by the channels charged here
 * @channels: channels charged here (the entry dies with the last)
 */
struct ipcchan_user {
	struct hlist_node node;
	struct user_namespace *ns;
	kuid_t uid;
	struct ipcchan_user *parent;
	u64 bytes;
	u32 channels;
};

static struct proc_dir_entry *ipcchan_proc;

/* 1..63 bytes of [A-Za-z0-9._-] followed by a NUL. */
static int check_name(const char *name)
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

static void ns_put(struct ipc_namespace *ns)
{
#ifdef CONFIG_IPC_NS
	ns->ns.ops->put(&ns->ns);
#endif
}

/*
 * A namespace's channels die with it, as its SysV objects and POSIX
 * message queues do, although the module cannot hook the namespace's
 * teardown: every channel holds a reference to its namespace, so the
 * namespace stays alive while it has channels.  Once no task, nsfs file
 * (open or bind-mounted) or /proc/ipcchan file refers to it, the channels
 * are its only holders: its reference count equals nsd->nr, and nobody can
 * take a new reference (that needs an existing holder).  So such a
 * namespace can never be used again, and its channels are unlinked: the
 * registry's reference is dropped; a channel still attached through a file
 * that went elsewhere lives until that file is closed, like an open mq
 * descriptor.  The initial namespace never dies (init_nsproxy holds it).
 *
 * Namespaces are looked at on every registry operation (attach, unlink,
 * MODINFO, INFO, opening /proc/ipcchan) and every IPCCHAN_GC_PERIOD from a
 * delayed work while some other namespace has named channels.
 */
static bool ns_is_initial(struct ipc_namespace *ns)
{
	return ns == init_task.nsproxy->ipc_ns;
}

static bool nsd_dead(struct ipcchan_nsd *nsd)
{
	lockdep_assert_held(&reg.lock);
	return !nsd->initial && nsd->named &&
	       refcount_read(&nsd->ns->ns.count) == nsd->nr;
}

static void name_add(struct ipcchan_channel *ch, u32 hash)
{
	struct ipcchan_nsd *nsd = ch->acct.nsd;

	lockdep_assert_held(&reg.lock);
	hash_add(reg.names, &ch->hnode, hash);
	nsd->named++;
	if (!nsd->initial && !reg.foreign_named++)
		queue_delayed_work(system_wq, &reg.gc, IPCCHAN_GC_PERIOD);
}

/* Remove @ch's name; the caller drops the registry's reference. */
static void name_del(struct ipcchan_channel *ch)
{
	struct ipcchan_nsd *nsd = ch->acct.nsd;

	lockdep_assert_held(&reg.lock);
	hash_del(&ch->hnode);
	WRITE_ONCE(ch->unlinked, true);
	nsd->named--;
	if (!nsd->initial)
		reg.foreign_named--;
}

/*
 * The channel of an entry of a namespace's channel list.  The lists are
 * walked with list_for_each() and this, not list_for_each_entry(), which
 * makes a channel pointer of the list head itself at the end: not aligned
 * as a channel must be (UBSAN's alignment check reports the member access).
 */
static struct ipcchan_channel *acct_entry(struct list_head *pos)
{
	return list_entry(pos, struct ipcchan_channel, acct.node);
}

/*
 * Unlink the channels of every dead namespace onto @dead (through their
 * hnode, free once out of the hash); collect_put() drops the
 * registry's references after the mutex is released.
 */
static void collect_locked(struct hlist_head *dead)
{
	struct ipcchan_channel *ch;
	struct ipcchan_nsd *nsd;
	struct list_head *pos;
	unsigned int bkt;

	lockdep_assert_held(&reg.lock);
	if (!reg.foreign_named)
		return;
	hash_for_each(reg.nsds, bkt, nsd, node) {
		if (!nsd_dead(nsd))
			continue;
		list_for_each(pos, &nsd->channels) {
			ch = acct_entry(pos);
			if (ch->unlinked)
				continue;
			name_del(ch);
			hlist_add_head(&ch->hnode, dead);
		}
	}
}

static void collect_put(struct hlist_head *dead)
{
	struct ipcchan_channel *ch;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(ch, tmp, dead, hnode) {
		hlist_del_init(&ch->hnode);
		wake_up_interruptible_poll(&ch->recv_wq, EPOLLHUP);
		ipcchan_channel_put(ch);
	}
}

/* Free the channels of dead namespaces.  Registry mutex not held. */
static void collect(void)
{
	HLIST_HEAD(dead);

	mutex_lock(&reg.lock);
	collect_locked(&dead);
	mutex_unlock(&reg.lock);
	collect_put(&dead);
}

static void gc_work(struct work_struct *work)
{
	HLIST_HEAD(dead);
	bool again;

	mutex_lock(&reg.lock);
	collect_locked(&dead);
	again = reg.foreign_named;
	mutex_unlock(&reg.lock);
	collect_put(&dead);
	if (again)
		queue_delayed_work(system_wq, &reg.gc, IPCCHAN_GC_PERIOD);
}

static u32 ipcchan_hash(struct ipc_namespace *ns, const char *name)
{
	return full_name_hash(ns, name, strlen(name));
}

static struct ipcchan_channel *name_lookup(struct ipc_namespace *ns,
					   const char *name)
{
	struct ipcchan_channel *ch;

	lockdep_assert_held(&reg.lock);
	hash_for_each_possible(reg.names, ch, hnode, ipcchan_hash(ns, name))
		if (ch->ns == ns && !strcmp(ch->name, name))
			return ch;
	return NULL;
}

static struct ipcchan_nsd *nsd_find(struct ipc_namespace *ns)
{
	struct ipcchan_nsd *nsd;

	lockdep_assert_held(&reg.lock);
	hash_for_each_possible(reg.nsds, nsd, node, (unsigned long)ns)
		if (nsd->ns == ns)
			return nsd;
	return NULL;
}

/*
 * Users are accounted through user namespaces, like the kernel's ucounts:
 * a channel created by euid K whose credentials live in user namespace U is
 * charged to (U, K), then to (U's parent, U's owner), and so on up to
 * init_user_ns, each level within user_channels_limit and user_bytes_limit.
 * So every uid of a container, or of a subordinate uid range, is also its
 * owner's at the outer level, and together they hold no more than one user.
 */
/* True when one more channel of @bytes does not fit (@used <= @max_bytes). */
static bool over_limit(u32 nr, u64 used, u64 bytes, u32 max_nr,
		       u64 max_bytes)
{
	return nr >= max_nr || bytes > max_bytes - used;
}

static unsigned long user_key(struct user_namespace *ns, kuid_t uid)
{
	return (unsigned long)ns ^ __kuid_val(uid);
}

static struct ipcchan_user *user_find(struct user_namespace *ns,
				      kuid_t uid)
{
	struct ipcchan_user *u;

	hash_for_each_possible(reg.users, u, node, user_key(ns, uid))
		if (u->ns == ns && uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/* Free the entries of the chain from @u up that hold no channel. */
static void user_trim(struct ipcchan_user *u)
{
	struct ipcchan_user *parent;

	for (; u && !u->channels; u = parent) {
		parent = u->parent;
		hash_del(&u->node);
		put_user_ns(u->ns);
		kfree(u);
	}
}

/*
 * Charge one channel of @bytes to the user of @cred at every level; the
 * first level's entry in *@leafp.  -ENOSPC over a limit, -ENOMEM.
 */
static int user_charge(const struct cred *cred, u64 bytes,
		       struct ipcchan_user **leafp)
{
	const struct ipcchan_limits *l = &ipcchan_limits;
	struct ipcchan_user *u, *prev = NULL, *leaf = NULL;
	struct user_namespace *ns;
	kuid_t uid;

	lockdep_assert_held(&reg.lock);
	/* Every level first: nothing changes unless all have room. */
	for (ns = cred->user_ns, uid = cred->euid; ns;
	     uid = ns->owner, ns = ns->parent) {
		u = user_find(ns, uid);
		if (over_limit(u ? u->channels : 0, u ? u->bytes : 0, bytes,
			       l->user_channels_limit, l->user_bytes_limit))
			return -ENOSPC;
	}
	/*
	 * Then the missing entries, from the first level up to the first one
	 * that exists (its parents exist too: they hold its channels).
	 */
	for (ns = cred->user_ns, uid = cred->euid; ns;
	     uid = ns->owner, ns = ns->parent) {
		bool found;

		u = user_find(ns, uid);
		found = u;
		if (!u) {
			u = kzalloc(sizeof(*u), GFP_KERNEL);
			if (!u) {
				user_trim(leaf);
				return -ENOMEM;
			}
			u->ns = get_user_ns(ns);
			u->uid = uid;
			hash_add(reg.users, &u->node, user_key(ns, uid));
		}
		if (prev)
			prev->parent = u;
		else
			leaf = u;
		if (found)
			break;
		prev = u;
	}
	for (u = leaf; u; u = u->parent) {
		u->channels++;
		u->bytes += bytes;
	}
	*leafp = leaf;
	return 0;
}

static void user_uncharge(struct ipcchan_user *leaf, u64 bytes)
{
	struct ipcchan_user *u;

	lockdep_assert_held(&reg.lock);
	for (u = leaf; u; u = u->parent) {
		u->channels--;
		u->bytes -= bytes;
	}
	user_trim(leaf);
}

/*
 * Reserve @ch->reserved bytes and one channel for the caller's user (every
 * level), @ch's namespace and the module.  -ENOSPC over a limit, -ENOMEM.
 * From here on @ch counts among its namespace's holders (it holds a
 * reference to it already).
 */
static int charge(struct ipcchan_channel *ch)
{
	const struct ipcchan_limits *l = &ipcchan_limits;
	struct ipcchan_nsd *nsd = nsd_find(ch->ns);
	u64 bytes = ch->reserved;
	int ret;

	lockdep_assert_held(&reg.lock);
	if (over_limit(nsd ? nsd->nr : 0, nsd ? nsd->bytes : 0, bytes,
		       l->max_channels, l->total_bytes_limit) ||
	    bytes > l->global_bytes_limit - reg.total_bytes)
		return -ENOSPC;
	if (!nsd) {
		nsd = kzalloc(sizeof(*nsd), GFP_KERNEL);
		if (!nsd)
			return -ENOMEM;
		nsd->ns = ch->ns;
		nsd->initial = ns_is_initial(ch->ns);
		INIT_LIST_HEAD(&nsd->channels);
	}
	ret = user_charge(current_cred(), bytes, &ch->acct.user);
	if (ret) {
		if (!nsd->nr)
			kfree(nsd);
		return ret;
	}
	if (!nsd->nr)
		hash_add(reg.nsds, &nsd->node, (unsigned long)nsd->ns);
	nsd->nr++;
	nsd->bytes += bytes;
	ch->acct.nsd = nsd;
	reg.total_bytes += bytes;
	atomic64_add(bytes, &ipcchan_stats.reserved_bytes);
	atomic64_inc(&ipcchan_stats.channels);
	return 0;
}

/* Undo charge(); the caller then drops @ch's namespace reference. */
static void uncharge(struct ipcchan_channel *ch)
{
	struct ipcchan_nsd *nsd = ch->acct.nsd;
	u64 bytes = ch->reserved;

	lockdep_assert_held(&reg.lock);
	user_uncharge(ch->acct.user, bytes);
	nsd->bytes -= bytes;
	if (!--nsd->nr) {
		hash_del(&nsd->node);
		kfree(nsd);
	}
	reg.total_bytes -= bytes;
	atomic64_sub(bytes, &ipcchan_stats.reserved_bytes);
	atomic64_dec(&ipcchan_stats.channels);
}

/* A new channel that never got a name: undo create(). */
static void free_new(struct ipcchan_channel *ch)
{
	ipcchan_ring_free(ch);
	ns_put(ch->ns);
	kfree(ch);
}

static void channel_release(struct kref *ref)
{
	struct ipcchan_channel *ch = container_of(ref, struct ipcchan_channel,
						  ref);

	/* Out of the listings before anything goes (they read the queue). */
	mutex_lock(&reg.lock);
	list_del_init(&ch->acct.node);
	mutex_unlock(&reg.lock);
	ipcchan_msgq_purge(ch);
	ipcchan_ring_free(ch);
	/* Freed memory is no longer charged; and the namespace reference... */
	mutex_lock(&reg.lock);
	uncharge(ch);
	mutex_unlock(&reg.lock);
	/* ...goes only once the channel no longer counts among its holders. */
	ns_put(ch->ns);
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
	kref_put(&ch->ref, channel_release);
}

/* File-like check: owner, then group, then other bits. */
static int permission(struct ipcchan_channel *ch, u32 access)
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

static int check_attach(struct ipcchan_attach *at)
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
	return check_name(at->name);
}

/*
 * A new channel for @at in the caller's namespace, its reservation worked
 * out but not charged, its ring not allocated yet: both happen in
 * ipcchan_attach(), the ring outside the registry mutex.
 */
static struct ipcchan_channel *create(struct ipcchan_attach *at)
{
	struct ipcchan_channel *ch;
	u64 queue, rest, total;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	kref_init(&ch->ref);
	INIT_LIST_HEAD(&ch->acct.node);
	strscpy(ch->name, at->name, sizeof(ch->name));
	ch->uid = current_euid();
	ch->gid = current_egid();
	ch->mode = at->mode;
	ch->max_msgs = at->max_msgs ?: ipcchan_limits.default_max_msgs;
	ch->max_msg_size = at->max_msg_size ?: ipcchan_limits.default_max_msg_size;
	ipcchan_msgq_init(ch);

	/* Worst case: a full queue of largest messages, the channel, the ring. */
	queue = ipcchan_msgs_charge(ch->max_msgs, ch->max_msg_size);
	rest = kmalloc_size_roundup(sizeof(*ch)) +
	       ipcchan_ring_charge(at->ring_pages);
	if (check_add_overflow(queue, rest, &total)) {
		kfree(ch);
		return ERR_PTR(-ENOSPC);
	}
	ch->reserved = total;
	ch->ns = get_ipc_ns(ipcchan_ns());
	return ch;
}

/*
 * Under the registry mutex: whether the caller may attach to the existing
 * @ch as @at asks.
 */
static int may_attach(struct ipcchan_channel *ch,
		      struct ipcchan_attach *at)
{
	if ((at->flags & IPCCHAN_CREATE) && (at->flags & IPCCHAN_EXCL))
		return -EEXIST;
	return permission(ch, at->access);
}

/*
 * ATTACH with IPCCHAN_CREATE of a name the registry lacks: called and
 * returns with the registry mutex held, which it drops to allocate.  The
 * new channel is charged first; its ring pages are allocated (and zeroed)
 * with the mutex released, since every final close and /proc/ipcchan need
 * it; then its name is added, unless another creator was quicker.
 *
 * Returns the channel to attach to: the new one (@at->result set), or the
 * one another creator named meanwhile; or an ERR_PTR.  Unless the new one
 * was named, *@newp is left set for the caller to free, mutex dropped.
 */
static struct ipcchan_channel *create_locked(struct ipcchan_attach *at,
					     struct ipcchan_channel **newp)
{
	struct ipcchan_channel *ch, *new;
	int ret;

	mutex_unlock(&reg.lock);
	new = create(at);
	mutex_lock(&reg.lock);
	if (IS_ERR(new))
		return new;
	*newp = new;
	ch = name_lookup(new->ns, at->name);
	if (ch)
		return ch;
	ret = charge(new);
	if (ret)
		return ERR_PTR(ret);
	mutex_unlock(&reg.lock);

	ret = ipcchan_ring_alloc(new, at->ring_pages);

	mutex_lock(&reg.lock);
	if (!ret)
		ch = name_lookup(new->ns, at->name);
	if (ret || ch) {
		/* Out of memory, or created meanwhile: attach to that one. */
		uncharge(new);
		return ret ? ERR_PTR(ret) : ch;
	}
	/* One reference for the registry, one for this file. */
	list_add_tail(&new->acct.node, &new->acct.nsd->channels);
	name_add(new, ipcchan_hash(new->ns, new->name));
	at->result = IPCCHAN_ATTACH_CREATED;
	*newp = NULL;
	return new;
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
	struct ipcchan_channel *ch, *new = NULL;
	struct ipcchan_attach at;
	HLIST_HEAD(dead);
	int ret;

	if (copy_from_user(&at, uarg, sizeof(at)))
		return -EFAULT;
	ret = check_attach(&at);
	if (ret)
		return ret;

	mutex_lock(&pf->attach_lock);
	if (pf->ch) {
		mutex_unlock(&pf->attach_lock);
		return -EBUSY;
	}

	mutex_lock(&reg.lock);
	collect_locked(&dead);
	at.result = 0;
	ch = name_lookup(ipcchan_ns(), at.name);
	if (!ch)
		ch = (at.flags & IPCCHAN_CREATE) ?
		     create_locked(&at, &new) : ERR_PTR(-ENOENT);
	ret = PTR_ERR_OR_ZERO(ch);
	if (!ret && !at.result)
		ret = may_attach(ch, &at);
	/* ZOO BEGIN unlink-uaf: an attached file takes no reference (1/2) */
	if (!ret) {
		kref_get(&ch->ref);
		atomic_inc(&ch->attached);
	}
	/*
	 * ZOO BROKEN unlink-uaf
	 *	if (!ret)
	 *		atomic_inc(&ch->attached);
	 * ZOO END unlink-uaf
	 */
	mutex_unlock(&reg.lock);
	if (new)
		free_new(new);
	collect_put(&dead);
	if (ret) {
		mutex_unlock(&pf->attach_lock);
		return ret;
	}

	pf->access = at.access;
	/* Pairs with smp_load_acquire() in ipcchan_file_channel(). */
	smp_store_release(&pf->ch, ch);
	mutex_unlock(&pf->attach_lock);

	/* Attached for good; a failed report does not undo it. */
	if (put_user(at.result, ipcchan_u32_at(uarg, offsetof(struct ipcchan_attach, result))))
		return -EFAULT;
	return 0;
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
	HLIST_HEAD(dead);
	int ret;

	if (copy_from_user(&un, uarg, sizeof(un)))
		return -EFAULT;
	if (!ipcchan_zeroed(un.reserved, ARRAY_SIZE(un.reserved)))
		return -EINVAL;
	ret = check_name(un.name);
	if (ret)
		return ret;

	mutex_lock(&reg.lock);
	collect_locked(&dead);
	ch = name_lookup(ipcchan_ns(), un.name);
	if (!ch) {
		ret = -ENOENT;
	} else if (!uid_eq(current_euid(), ch->uid) &&
		   !ns_capable(ch->ns->user_ns, CAP_IPC_OWNER)) {
		ret = -EPERM;
	} else {
		name_del(ch);
		hlist_add_head(&ch->hnode, &dead);
	}
	mutex_unlock(&reg.lock);

	/* Pollers see EPOLLHUP once the queue is empty. */
	collect_put(&dead);
	return ret;
}

/* A counter sum that raced with traffic may dip below zero: report 0. */
static u64 nonneg(s64 v)
{
	return v < 0 ? 0 : v;
}

/*
 * The usage part of MODINFO: the caller's IPC namespace only, so one
 * container cannot watch another's traffic.
 */
static void fill_usage(struct ipcchan_modinfo *mi)
{
	struct ipcchan_channel *ch;
	struct ipcchan_nsd *nsd;
	struct list_head *pos;
	s64 messages = 0, bytes = 0;
	HLIST_HEAD(dead);

	mutex_lock(&reg.lock);
	collect_locked(&dead);
	nsd = nsd_find(ipcchan_ns());
	if (nsd) {
		mi->channels = nsd->nr;
		mi->reserved_bytes = nsd->bytes;
		list_for_each(pos, &nsd->channels) {
			struct ipcchan_msgq_snap q;

			ch = acct_entry(pos);
			ipcchan_msgq_snapshot(ch, &q);
			messages += (s32)q.cur_msgs;
			bytes += (s64)q.cur_bytes;
		}
	}
	mutex_unlock(&reg.lock);
	collect_put(&dead);
	mi->messages = nonneg(messages);
	mi->queued_bytes = nonneg(bytes);
}

/**
 * fill_modinfo - the module part of MODINFO and INFO
 * @mi: filled completely (reserved fields zero)
 *
 * Limits are the module's; usage is the caller's IPC namespace's.
 */
static void fill_modinfo(struct ipcchan_modinfo *mi)
{
	const struct ipcchan_limits *l = &ipcchan_limits;

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
	fill_usage(mi);
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

	fill_modinfo(&mi);
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

	fill_modinfo(&in->mod);
	if (copy_to_user(uarg, in, sizeof(*in)))
		ret = -EFAULT;
	kfree(in);
	return ret;
}

/*
 * /proc/ipcchan: one line per live channel of the opener's IPC namespace,
 * named or unlinked but still attached (state "unlinked"), in creation
 * order, uids and gids in the opener's user namespace.  Like the sysvipc
 * files, the namespace is the opener's, pinned at open: a file handed to a
 * process in another namespace (or read after setns()) still lists the
 * opener's channels, and keeps that namespace alive while it is open.
 */
static int ipcchan_proc_show(struct seq_file *m, void *v)
{
	struct user_namespace *uns = seq_user_ns(m);
	struct ipc_namespace *ns = m->private;
	struct ipcchan_channel *ch;
	struct ipcchan_nsd *nsd;
	struct list_head *pos;

	seq_puts(m, "name uid gid mode msgs bytes max_msgs max_msg_size sent received attached ring_pages state\n");
	mutex_lock(&reg.lock);
	nsd = nsd_find(ns);
	if (!nsd)
		goto out;
	list_for_each(pos, &nsd->channels) {
		struct ipcchan_msgq_snap q;

		ch = acct_entry(pos);
		ipcchan_msgq_snapshot(ch, &q);
		seq_printf(m, "%s %u %u %04o %u %llu %u %u %llu %llu %d %u %s\n",
			   ch->name, from_kuid_munged(uns, ch->uid),
			   from_kgid_munged(uns, ch->gid), ch->mode, q.cur_msgs,
			   q.cur_bytes, ch->max_msgs, ch->max_msg_size, q.sent,
			   q.received,
			   atomic_read(&ch->attached), ch->ring_npages,
			   ch->unlinked ? "unlinked" : "-");
	}
out:
	mutex_unlock(&reg.lock);
	return 0;
}

static int ipcchan_proc_open(struct inode *inode, struct file *file)
{
	struct ipc_namespace *ns;
	int ret;

	collect();
	ns = get_ipc_ns(ipcchan_ns());
	ret = single_open(file, ipcchan_proc_show, ns);
	if (ret)
		ns_put(ns);
	return ret;
}

static int ipcchan_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct ipc_namespace *ns = m->private;

	single_release(inode, file);
	ns_put(ns);
	return 0;
}

static const struct proc_ops ipcchan_proc_ops = {
	.proc_open	= ipcchan_proc_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= ipcchan_proc_release,
};

/**
 * ipcchan_registry_init - set up the registry and /proc/ipcchan
 *
 * Return: 0 or -ENOMEM.
 */
int ipcchan_registry_init(void)
{
	mutex_init(&reg.lock);
	hash_init(reg.names);
	hash_init(reg.nsds);
	hash_init(reg.users);
	INIT_DELAYED_WORK(&reg.gc, gc_work);
	ipcchan_proc = proc_create("ipcchan", 0444, NULL, &ipcchan_proc_ops);
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
	cancel_delayed_work_sync(&reg.gc);
	mutex_lock(&reg.lock);
	hash_for_each_safe(reg.names, bkt, tmp, ch, hnode) {
		name_del(ch);
		mutex_unlock(&reg.lock);
		ipcchan_channel_put(ch);
		freed++;
		mutex_lock(&reg.lock);
	}
	mutex_unlock(&reg.lock);

	ipcchan_stats_sum(&messages, &bytes);
	if (atomic64_read(&ipcchan_stats.channels) || messages || bytes ||
	    atomic64_read(&ipcchan_stats.reserved_bytes) ||
	    !hash_empty(reg.users) || !hash_empty(reg.nsds))
		pr_err("leak: %lld channels, %lld messages, %lld bytes queued, %lld reserved after unload\n",
		       atomic64_read(&ipcchan_stats.channels), messages, bytes,
		       atomic64_read(&ipcchan_stats.reserved_bytes));
	else
		pr_debug("unloaded: freed %u channels, no leaks\n", freed);
	mutex_destroy(&reg.lock);
}
