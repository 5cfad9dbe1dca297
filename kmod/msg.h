/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan message objects (msg.c): allocation within a channel's charge,
 * recycling, and the sender's pid.  The helpers below run on every send
 * or receive, under the lock they name.
 */
#ifndef IPCCHAN_MSG_H
#define IPCCHAN_MSG_H

#include <linux/llist.h>
#include <linux/pid.h>
#include <linux/sched.h>

#include "ipcchan.h"

/**
 * struct ipcchan_kmsg - one message
 * @node: link in its priority FIFO (channel lock)
 * @lnode: link in the channel's incoming or free lists (lock-free)
 * @pid: sender's thread group, set when linked
 * @seq: channel sequence number
 * @uid: sender's euid
 * @len: payload length
 * @prio: priority
 * @pid_slot: index in the channel's senders[], or IPCCHAN_PID_OWN
 * @cap: payload room of a large object (may exceed @len when recycled)
 * @data: payload
 */
struct ipcchan_kmsg {
	union {
		struct list_head node;
		struct llist_node lnode;
	};
	struct pid *pid;
	u64 seq;
	kuid_t uid;
	u32 len;
	u32 prio;
	u32 pid_slot;
	u32 cap;
	u8 data[] __aligned(8);
};

/* Payloads up to this size live in recyclable objects of one size. */
#define IPCCHAN_SMALL_MSG	256

/*
 * Delivered large objects are kept for reuse up to this many payload bytes
 * per channel, so an idle channel does not hold on to its peak; one
 * message of the default max_msg_size_limit fits.
 */
#define IPCCHAN_LARGE_KEEP	(4U << 20)

int ipcchan_msg_cache_init(void);
void ipcchan_msg_cache_exit(void);
u64 ipcchan_msgs_charge(u32 max_msgs, u32 max_msg_size);
struct ipcchan_kmsg *ipcchan_obj_take_locked(struct ipcchan_channel *ch,
					     u32 len);
struct ipcchan_kmsg *ipcchan_kmsg_get(struct ipcchan_kmsg *kept, u32 len);
void ipcchan_kmsg_free(struct ipcchan_kmsg *km);
void ipcchan_msgs_free_kept(struct ipcchan_channel *ch);
void ipcchan_msg_out(struct ipcchan_msg *m, const struct ipcchan_kmsg *km);

/*
 * Take a recycled object, or NULL: from the senders' spares @spare,
 * refilled with everything on the free list @free (one atomic exchange for
 * many objects).  Small and large objects have a pair each.
 */
static inline struct ipcchan_kmsg *
ipcchan_pool_pop_locked(struct ipcchan_channel *ch, struct llist_node **spare,
			struct llist_head *free)
{
	struct llist_node *l;

	lockdep_assert_held(&ch->send_lock);
	l = *spare;
	if (!l) {
		l = llist_del_all(free);
		if (!l)
			return NULL;
	}
	WRITE_ONCE(*spare, l->next);
	return llist_entry(l, struct ipcchan_kmsg, lnode);
}

/* A recycled small object, or NULL. */
static inline struct ipcchan_kmsg *
ipcchan_free_pop_locked(struct ipcchan_channel *ch)
{
	return ipcchan_pool_pop_locked(ch, &ch->spare, &ch->free_msgs);
}

/* Put back an object ipcchan_free_pop_locked() just gave. */
static inline void ipcchan_free_unpop_locked(struct ipcchan_channel *ch,
					     struct ipcchan_kmsg *km)
{
	lockdep_assert_held(&ch->send_lock);
	km->lnode.next = ch->spare;
	WRITE_ONCE(ch->spare, &km->lnode);
}

/* Unlocked peek: is there a recycled small object? */
static inline bool ipcchan_free_any(struct ipcchan_channel *ch)
{
	return READ_ONCE(ch->spare) || !llist_empty(&ch->free_msgs);
}

/*
 * Drop the pid reference of a message leaving the queue for good, once
 * nothing reads km->pid any more: the release orders those reads before a
 * sender may reuse the slot and put the pid (ipcchan_pid_users()).
 */
static inline void ipcchan_pid_put_locked(struct ipcchan_channel *ch,
					  struct ipcchan_kmsg *km)
{
	u32 i = km->pid_slot;

	lockdep_assert_held(&ch->lock);
	if (i == IPCCHAN_PID_OWN)
		put_pid(km->pid);
	else	/* pairs with smp_load_acquire() in ipcchan_pid_users() */
		smp_store_release(&ch->pid_removed[i], ch->pid_removed[i] + 1);
	km->pid = NULL;
}

/**
 * ipcchan_pid_get_locked - give a message about to be linked its sender
 * @ch: the channel, send lock held
 * @km: the message
 *
 * The calling thread group's pid, through a slot of ch->senders that holds
 * it or is unused, else with a reference of the message's own.
 */
static inline void ipcchan_pid_get_locked(struct ipcchan_channel *ch,
					  struct ipcchan_kmsg *km)
{
	struct pid *pid = task_tgid(current);
	int i, unused = -1;

	lockdep_assert_held(&ch->send_lock);
	km->pid = pid;
	for (i = 0; i < IPCCHAN_PID_SLOTS; i++) {
		if (ch->senders[i].pid == pid) {
			ch->senders[i].added++;
			km->pid_slot = i;
			return;
		}
		/* Only senders add users, so a slot seen unused stays so. */
		if (unused < 0 && !ipcchan_pid_users(ch, i))
			unused = i;
	}
	if (unused < 0) {
		km->pid_slot = IPCCHAN_PID_OWN;
		get_pid(pid);
		return;
	}
	/* put_pid() never sleeps: safe under the lock. */
	put_pid(ch->senders[unused].pid);
	ch->senders[unused].pid = get_pid(pid);
	ch->senders[unused].added++;
	km->pid_slot = unused;
}

/**
 * ipcchan_recycle_locked - keep a delivered object for the next sender
 * @ch: the channel, its lock held
 * @km: the object, its pid dropped
 *
 * Large objects are kept only within IPCCHAN_LARGE_KEEP bytes.
 *
 * Return: true if kept; else the caller frees it, and it counts as freed
 * from here.
 */
static inline bool ipcchan_recycle_locked(struct ipcchan_channel *ch,
					  struct ipcchan_kmsg *km)
{
	lockdep_assert_held(&ch->lock);
	if (km->len <= IPCCHAN_SMALL_MSG) {
		llist_add(&km->lnode, &ch->free_msgs);
		return true;
	}
	if (ipcchan_large_kept(ch) + km->cap > IPCCHAN_LARGE_KEEP) {
		WRITE_ONCE(ch->objs_freed, ch->objs_freed + 1);
		return false;
	}
	ch->large_pushed += km->cap;
	llist_add(&km->lnode, &ch->free_large);
	return true;
}

#endif /* IPCCHAN_MSG_H */
