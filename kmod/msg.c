// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan message objects: where a message's memory comes from and goes.
 *
 * Small payloads (up to IPCCHAN_SMALL_MSG bytes, the common case) live in
 * objects of one size from a dedicated cache, larger ones in a kmalloc()
 * or vmalloc() object of their size; all are charged to the sender's
 * memory cgroup.  A delivered object goes on its channel's free list
 * (small or large) for the next sender; large ones only within
 * IPCCHAN_LARGE_KEEP bytes.  A channel never has more than max_msgs
 * objects, kept ones included, each at most what ipcchan_msgs_charge()
 * charged the channel for, so a steady stream allocates, zeroes and frees
 * nothing and the memory stays within the charge.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "msg.h"

static struct kmem_cache *msg_cache;

/**
 * ipcchan_msg_cache_init - create the small-message cache
 *
 * Return: 0 or -ENOMEM.
 */
int ipcchan_msg_cache_init(void)
{
	/* Only the payload is ever copied to or from userspace. */
	msg_cache = kmem_cache_create_usercopy("ipcchan_msg",
					       sizeof(struct ipcchan_kmsg) +
					       IPCCHAN_SMALL_MSG, 0,
					       SLAB_ACCOUNT,
					       offsetof(struct ipcchan_kmsg, data),
					       IPCCHAN_SMALL_MSG, NULL);
	return msg_cache ? 0 : -ENOMEM;
}

/**
 * ipcchan_msg_cache_exit - destroy the small-message cache
 */
void ipcchan_msg_cache_exit(void)
{
	kmem_cache_destroy(msg_cache);
}

/*
 * Memory cgroups keep one pointer per accounted slab object beside it; a
 * slab object's charge includes it.
 */
#define SLAB_MEMCG_PTR	sizeof(void *)

/*
 * Bytes kmsg_alloc() really takes for @size bytes: one kmalloc object,
 * rounded up, or a vmalloc() area of small pages and its page array and
 * bookkeeping, whichever is larger.
 */
static u64 alloc_size(size_t size)
{
	u64 pages = PAGE_ALIGN(size), obj;

	pages += kmalloc_size_roundup((pages >> PAGE_SHIFT) *
				      sizeof(struct page *)) + 256;
	if (size > KMALLOC_MAX_SIZE)
		return pages;
	obj = kmalloc_size_roundup(size);
	if (obj <= KMALLOC_MAX_CACHE_SIZE)
		obj += SLAB_MEMCG_PTR;
	return max(obj, pages);
}

/**
 * ipcchan_msgs_charge - what a channel's message objects may hold at most
 * @max_msgs: its queue depth, which bounds its objects
 * @max_msg_size: its largest payload
 *
 * Every object, small or large, takes at most what an object for a
 * @max_msg_size payload takes from the allocator.
 *
 * Return: bytes to reserve for the queue.
 */
u64 ipcchan_msgs_charge(u32 max_msgs, u32 max_msg_size)
{
	size_t large = struct_size_t(struct ipcchan_kmsg, data, max_msg_size);
	u64 obj = kmem_cache_size(msg_cache) + SLAB_MEMCG_PTR;

	if (max_msg_size > IPCCHAN_SMALL_MSG)
		obj = max(obj, alloc_size(large));
	return (u64)max_msgs * obj;
}

/* A new object for a @len-byte payload, or NULL. */
static struct ipcchan_kmsg *kmsg_alloc(u32 len)
{
	struct ipcchan_kmsg *km = NULL;
	size_t size;

	if (len <= IPCCHAN_SMALL_MSG)
		return kmem_cache_alloc(msg_cache, GFP_KERNEL_ACCOUNT);
	size = struct_size(km, data, len);
	/*
	 * Like kvmalloc(), but never with huge pages, which would round a
	 * message up to 2 MiB more than the channel is charged for.
	 */
	if (size <= KMALLOC_MAX_SIZE)
		km = kmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN |
			     __GFP_NORETRY);
	if (!km)
		km = __vmalloc(size, GFP_KERNEL_ACCOUNT);
	if (km)
		km->cap = len;
	return km;
}

/* Can the kept object @km carry @len bytes?  Not if of the other kind. */
static bool kmsg_fits(const struct ipcchan_kmsg *km, u32 len)
{
	if (km->len <= IPCCHAN_SMALL_MSG)
		return len <= IPCCHAN_SMALL_MSG;
	return len > IPCCHAN_SMALL_MSG && len <= km->cap;
}

/**
 * ipcchan_kmsg_get - an object ready for a @len-byte payload
 * @kept: what ipcchan_obj_take_locked() gave (a kept object, or NULL)
 * @len: the payload length
 *
 * Uses @kept if it fits, else frees it and allocates.  Fills the header
 * but prio (and the pid, set when the message is linked); only the header
 * and the first @len payload bytes are ever read back, so a recycled object
 * leaks nothing.  Called without locks: it may sleep.
 *
 * Return: the object, or NULL when out of memory.
 */
struct ipcchan_kmsg *ipcchan_kmsg_get(struct ipcchan_kmsg *kept, u32 len)
{
	struct ipcchan_kmsg *km = kept;

	if (km && !kmsg_fits(km, len)) {
		ipcchan_kmsg_free(km);
		km = NULL;
	}
	if (!km)
		km = kmsg_alloc(len);
	if (km) {
		km->len = len;
		km->pid = NULL;
		km->uid = current_euid();
	}
	return km;
}

/**
 * ipcchan_kmsg_free - free an object that is on no list
 * @km: the object, its pid already dropped
 */
void ipcchan_kmsg_free(struct ipcchan_kmsg *km)
{
	if (km->len <= IPCCHAN_SMALL_MSG)
		kmem_cache_free(msg_cache, km);
	else
		kvfree(km);
}

static struct ipcchan_kmsg *large_pop_locked(struct ipcchan_channel *ch)
{
	struct ipcchan_kmsg *km;

	km = ipcchan_pool_pop_locked(ch, &ch->spare_large, &ch->free_large);
	if (km)
		WRITE_ONCE(ch->large_popped, ch->large_popped + km->cap);
	return km;
}

/**
 * ipcchan_obj_take_locked - an object for the slot the caller just took
 * @ch: the channel, send lock held
 * @len: the payload length the object is for
 *
 * The channel never has more than max_msgs objects.  The caller's slot has
 * none yet, the other slots at most one each, so when all max_msgs exist
 * at least one is kept on a free list: receivers put it there (or count it
 * freed) before they give its slot back, and the caller saw that slot
 * given back with acquire ordering (ipcchan_slots_used()).
 *
 * Return: a kept object (possibly of the wrong kind or too small:
 * ipcchan_kmsg_get() replaces it), or NULL with the right to allocate one,
 * counted in ch->objs.
 */
struct ipcchan_kmsg *ipcchan_obj_take_locked(struct ipcchan_channel *ch,
					     u32 len)
{
	bool small = len <= IPCCHAN_SMALL_MSG;
	struct ipcchan_kmsg *km;

	km = small ? ipcchan_free_pop_locked(ch) : large_pop_locked(ch);
	if (km)
		return km;
	if (ipcchan_objs_live(ch) < ch->max_msgs) {
		ch->objs++;
		return NULL;
	}
	km = small ? large_pop_locked(ch) : ipcchan_free_pop_locked(ch);
	if (!km)	/* cannot happen, see above; stay safe regardless */
		ch->objs++;
	return km;
}

/* Free a recycling pool: its free list and the senders' spares. */
static void pool_free(struct llist_head *free, struct llist_node **spare)
{
	struct ipcchan_kmsg *km, *tmp;
	struct llist_node *l = llist_del_all(free);

	llist_for_each_entry_safe(km, tmp, l, lnode)
		ipcchan_kmsg_free(km);
	llist_for_each_entry_safe(km, tmp, *spare, lnode)
		ipcchan_kmsg_free(km);
	*spare = NULL;
}

/**
 * ipcchan_msgs_free_kept - free a dying channel's kept objects and pids
 * @ch: the channel; nobody else can reach it any more
 */
void ipcchan_msgs_free_kept(struct ipcchan_channel *ch)
{
	int i;

	for (i = 0; i < IPCCHAN_PID_SLOTS; i++)
		put_pid(ch->senders[i].pid);
	pool_free(&ch->free_msgs, &ch->spare);
	pool_free(&ch->free_large, &ch->spare_large);
}

/**
 * ipcchan_msg_out - fill the out fields of a RECV struct
 * @m: the struct
 * @km: the message delivered into it
 */
void ipcchan_msg_out(struct ipcchan_msg *m, const struct ipcchan_kmsg *km)
{
	m->len = km->len;
	m->prio = km->prio;
	m->pid = pid_vnr(km->pid);
	m->uid = from_kuid_munged(current_user_ns(), km->uid);
	m->seq = km->seq;
}
