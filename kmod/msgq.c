// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan message queue: SEND/RECV (one message), read(2)/write(2) and
 * poll(2) on an attached file, and the queue primitives batch.c builds
 * SEND_BATCH/RECV_BATCH on.
 *
 * Senders and receivers have a lock each, so a producer and a consumer
 * never wait for each other's critical sections.  They meet in two
 * lock-free lists (incoming messages, recycled objects) and in counters
 * each side writes under its own lock and the other only reads (slots
 * taken/given back, recycled objects kept, users of a cached sender pid).
 *
 * A sender allocates the message and copies the payload in, then, under
 * the send lock, waits for a slot (taken - given < max_msgs), takes it,
 * gives the message the next sequence number and pushes it on the incoming
 * list (llist), so that list is in sequence order; then it wakes one
 * receiver.
 *
 * The receiving side keeps one FIFO per priority and a bitmap of the
 * non-empty ones, so the next message is found with one find_last_bit().
 * A receiver, under the channel lock, first moves whatever is on the
 * incoming list to the tails of those FIFOs (oldest first), waits for a
 * message, unlinks it (it keeps its slot, "in flight"), drops the lock and
 * copies it out; when the copy faults the message goes back to the head of
 * its priority and the call fails with EFAULT, so nothing is ever lost.
 * A delivered message gives its slot back and wakes one sender.  Waits are
 * exclusive: one message wakes one receiver, one freed slot one sender.
 *
 * Small messages (the common case) take a shorter road: a delivered one
 * is kept on the channel's small free list, a sender with a slot and a
 * free object copies its payload straight in under the send lock, and a
 * receiver copies a small message out under the channel lock, both with
 * page faults disabled, so nothing sleeps there and one lock round trip on
 * each side moves a message.  A copy that would fault (page not present, bad
 * pointer) falls back to the road above, which reports EFAULT the same way.
 *
 * A wake-up across the sides cannot be lost: a waiter queues itself and
 * then (set_current_state(), a full barrier) re-checks its condition under
 * its own lock; the other side changes the condition with a fully ordered
 * atomic (llist_add()) or a store followed by smp_mb(), then looks at the
 * wait queue.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ipcchan.h"

/**
 * ipcchan_msgq_init - empty queues and wait queues of a new channel
 * @ch: the channel
 */
void ipcchan_msgq_init(struct ipcchan_channel *ch)
{
	int p;

	spin_lock_init(&ch->send_lock);
	spin_lock_init(&ch->lock);
	for (p = 0; p < IPCCHAN_NR_PRIO; p++)
		INIT_LIST_HEAD(&ch->queue[p]);
	init_llist_head(&ch->incoming);
	init_llist_head(&ch->free_msgs);
	init_llist_head(&ch->free_large);
	init_waitqueue_head(&ch->recv_wq);
	init_waitqueue_head(&ch->send_wq);
}

/*
 * Small messages (the common case) come from a dedicated cache, larger
 * ones from kvmalloc(); both are charged to the sender's memcg.  A
 * delivered message goes on its channel's free list (small or large) for
 * the next sender, as long as kept and used (incoming, queued, in flight)
 * messages together stay within max_msgs, and kept large ones within
 * IPCCHAN_LARGE_KEEP bytes; so a steady stream allocates, zeroes and frees
 * nothing.  (A receiver reads the senders' counts without their lock, so
 * that sum can pass max_msgs by what senders took meanwhile; it is checked
 * again at every recycling, and kept objects never exceed max_msgs.)
 */

static struct kmem_cache *ipcchan_msg_cache;

/**
 * ipcchan_msgq_cache_init - create the small-message cache
 *
 * Return: 0 or -ENOMEM.
 */
int ipcchan_msgq_cache_init(void)
{
	/* Only the payload is ever copied to or from userspace. */
	ipcchan_msg_cache =
		kmem_cache_create_usercopy("ipcchan_msg",
					   sizeof(struct ipcchan_kmsg) +
					   IPCCHAN_SMALL_MSG, 0, SLAB_ACCOUNT,
					   offsetof(struct ipcchan_kmsg, data),
					   IPCCHAN_SMALL_MSG, NULL);
	return ipcchan_msg_cache ? 0 : -ENOMEM;
}

/**
 * ipcchan_msgq_cache_exit - destroy the small-message cache
 */
void ipcchan_msgq_cache_exit(void)
{
	kmem_cache_destroy(ipcchan_msg_cache);
}

/**
 * ipcchan_kmsg_free - free a message that is on no queue
 * @km: the message, its pid already dropped (ipcchan_pid_put())
 */
void ipcchan_kmsg_free(struct ipcchan_kmsg *km)
{
	if (km->len <= IPCCHAN_SMALL_MSG)
		kmem_cache_free(ipcchan_msg_cache, km);
	else
		kvfree(km);
}

/* Free a recycling pool: its free list and the senders' spares. */
static void ipcchan_pool_free(struct llist_head *free,
			      struct llist_node **spare)
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
 * ipcchan_msgq_purge - free every queued message of a dying channel
 * @ch: the channel; nobody else can reach it any more
 */
void ipcchan_msgq_purge(struct ipcchan_channel *ch)
{
	struct ipcchan_kmsg *km, *tmp;
	struct llist_node *l;
	int p;

	l = llist_del_all(&ch->incoming);
	llist_for_each_entry_safe(km, tmp, l, lnode)
		list_add_tail(&km->node, &ch->queue[km->prio]);
	for (p = 0; p < IPCCHAN_NR_PRIO; p++) {
		list_for_each_entry_safe(km, tmp, &ch->queue[p], node) {
			list_del(&km->node);
			ipcchan_stats_add(-1, -(s64)km->len);
			if (km->pid_slot == IPCCHAN_PID_OWN)
				put_pid(km->pid);
			ipcchan_kmsg_free(km);
		}
	}
	for (p = 0; p < IPCCHAN_PID_SLOTS; p++)
		put_pid(ch->senders[p].pid);
	ipcchan_pool_free(&ch->free_msgs, &ch->spare);
	ipcchan_pool_free(&ch->free_large, &ch->spare_large);
}

/*
 * Give @km, about to be linked, a reference to the calling thread group's
 * pid: a slot of ch->senders when one holds it or is unused, else its own.
 * put_pid() is safe under a spinlock (it never sleeps).
 */
static void ipcchan_pid_get_locked(struct ipcchan_channel *ch,
				   struct ipcchan_kmsg *km)
{
	struct pid *pid = task_tgid(current);
	unsigned long removed;
	int i, unused = -1;

	lockdep_assert_held(&ch->send_lock);
	km->pid = pid;
	for (i = 0; i < IPCCHAN_PID_SLOTS; i++) {
		if (ch->senders[i].pid == pid) {
			ch->senders[i].added++;
			km->pid_slot = i;
			return;
		}
		if (unused >= 0)
			continue;
		/*
		 * Only senders add users, under this lock, so a slot seen
		 * unused stays so.  Acquire, pairs with the release in
		 * ipcchan_pid_put_locked(): the receivers that removed the
		 * last users are done with the pid.
		 */
		removed = smp_load_acquire(&ch->pid_removed[i]);
		if (ch->senders[i].added == removed)
			unused = i;
	}
	if (unused < 0) {
		km->pid_slot = IPCCHAN_PID_OWN;
		get_pid(pid);
		return;
	}
	put_pid(ch->senders[unused].pid);
	ch->senders[unused].pid = get_pid(pid);
	ch->senders[unused].added++;
	km->pid_slot = unused;
}

/*
 * Drop the pid reference of a message leaving the queue for good, once
 * nothing reads km->pid any more: the release orders those reads before a
 * sender may reuse the slot and put the pid.
 */
static void ipcchan_pid_put_locked(struct ipcchan_channel *ch,
				   struct ipcchan_kmsg *km)
{
	u32 i = km->pid_slot;

	lockdep_assert_held(&ch->lock);
	if (i == IPCCHAN_PID_OWN)
		put_pid(km->pid);
	else	/* pairs with the acquire in ipcchan_pid_get_locked() */
		smp_store_release(&ch->pid_removed[i], ch->pid_removed[i] + 1);
	km->pid = NULL;
}

/*
 * Take a recycled object, or NULL: from the senders' spares @spare,
 * refilled with everything on the free list @free (one atomic exchange for
 * many objects).  Small and large messages have a pair each.
 */
static struct ipcchan_kmsg *ipcchan_pool_pop_locked(struct ipcchan_channel *ch,
						    struct llist_node **spare,
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
	ch->popped++;
	return llist_entry(l, struct ipcchan_kmsg, lnode);
}

static struct ipcchan_kmsg *ipcchan_free_pop_locked(struct ipcchan_channel *ch)
{
	return ipcchan_pool_pop_locked(ch, &ch->spare, &ch->free_msgs);
}

/* Put back an object ipcchan_free_pop_locked() just gave. */
static void ipcchan_free_unpop_locked(struct ipcchan_channel *ch,
				      struct ipcchan_kmsg *km)
{
	lockdep_assert_held(&ch->send_lock);
	km->lnode.next = ch->spare;
	WRITE_ONCE(ch->spare, &km->lnode);
	ch->popped--;
}

/* Unlocked peek: is there any recycled object? */
static bool ipcchan_free_any(struct ipcchan_channel *ch)
{
	return READ_ONCE(ch->spare) || !llist_empty(&ch->free_msgs);
}

/**
 * ipcchan_kmsg_reuse - take recycled small messages off the free list
 * @ch: the channel
 * @kms: out: the messages
 * @n: how many are wanted
 *
 * Return: how many were taken (0..@n), to be passed to ipcchan_kmsg_alloc().
 */
unsigned int ipcchan_kmsg_reuse(struct ipcchan_channel *ch,
				struct ipcchan_kmsg **kms, unsigned int n)
{
	unsigned int i;

	/* Unlocked peek: at worst a message is allocated that need not be. */
	if (!n || !ipcchan_free_any(ch))
		return 0;
	spin_lock(&ch->send_lock);
	for (i = 0; i < n; i++) {
		kms[i] = ipcchan_free_pop_locked(ch);
		if (!kms[i])
			break;
	}
	spin_unlock(&ch->send_lock);
	return i;
}

/*
 * Wake @nr exclusive waiters of @wq (and every poller) for @events.  The
 * caller either holds the lock the waiters check their condition under, or
 * has changed that condition with a full barrier after it (see the top of
 * this file), so an empty queue here means nobody can miss the change.
 * One task is woken "sync", like pipes do: the waker is about to return to
 * userspace, so the woken task may run on this CPU.
 */
static void ipcchan_wake(struct wait_queue_head *wq, unsigned int nr,
			 __poll_t events)
{
	/* Ordered by the lock or barrier described above. */
	if (!nr || !waitqueue_active(wq))
		return;
	if (nr == 1)
		wake_up_interruptible_sync_poll(wq, events);
	else
		__wake_up(wq, TASK_INTERRUPTIBLE, nr, poll_to_key(events));
}

/*
 * Senders' condition (under ch->send_lock to act on it): only senders take
 * slots, so room seen there stays until they take it.
 */
static bool ipcchan_has_room(struct ipcchan_channel *ch)
{
	return ch->taken - READ_ONCE(ch->given) < ch->max_msgs;
}

/**
 * ipcchan_wait_setup - turn per-call flags and the file mode into a wait
 * @w: filled in
 * @file: the file (O_NONBLOCK)
 * @flags: IPCCHAN_NONBLOCK / IPCCHAN_TIMEOUT
 * @timeout_ns: relative timeout
 *
 * Return: 0 or -EINVAL for unknown flags, both flags, a negative timeout or
 * a timeout without IPCCHAN_TIMEOUT.
 */
int ipcchan_wait_setup(struct ipcchan_wait *w, struct file *file, u32 flags,
		       s64 timeout_ns)
{
	if (flags & ~IPCCHAN_MSG_FLAGS)
		return -EINVAL;
	if ((flags & IPCCHAN_NONBLOCK) && (flags & IPCCHAN_TIMEOUT))
		return -EINVAL;
	if (timeout_ns < 0 || (timeout_ns && !(flags & IPCCHAN_TIMEOUT)))
		return -EINVAL;
	w->nonblock = (flags & IPCCHAN_NONBLOCK) ||
		      (file->f_flags & O_NONBLOCK);
	w->timed = flags & IPCCHAN_TIMEOUT;
	w->deadline = w->timed ? ktime_add_safe(ktime_get(),
						ns_to_ktime(timeout_ns)) : 0;
	return 0;
}

/*
 * Wait on @wq (exclusively) until @cond holds.  @lock (the channel's send
 * lock or its lock) is held by the caller; it is dropped while asleep and
 * held again on return.  @nwaiting counts the blocked tasks; @w says how
 * long to wait.
 *
 * Returns 0 with @cond true, or -EAGAIN, -ETIMEDOUT, -EINTR (timed wait
 * interrupted) or -ERESTARTSYS (untimed wait interrupted).
 */
static int ipcchan_wait_locked(struct ipcchan_channel *ch, spinlock_t *lock,
			       struct wait_queue_head *wq,
			       bool (*cond)(struct ipcchan_channel *ch),
			       u32 *nwaiting, const struct ipcchan_wait *w)
	__must_hold(lock)
{
	DEFINE_WAIT(wait);
	int ret = 0;

	lockdep_assert_held(lock);
	if (cond(ch))
		return 0;
	if (w->nonblock)
		return -EAGAIN;

	(*nwaiting)++;
	for (;;) {
		prepare_to_wait_exclusive(wq, &wait, TASK_INTERRUPTIBLE);
		if (cond(ch))
			break;
		if (signal_pending(current)) {
			ret = w->timed ? -EINTR : -ERESTARTSYS;
			break;
		}
		if (w->timed && ktime_compare(ktime_get(), w->deadline) >= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		spin_unlock(lock);
		if (w->timed) {
			ktime_t expires = w->deadline;

			schedule_hrtimeout(&expires, HRTIMER_MODE_ABS);
		} else {
			schedule();
		}
		spin_lock(lock);
	}
	finish_wait(wq, &wait);
	(*nwaiting)--;

	/*
	 * An exclusive wake-up may have picked this task just as it gave up:
	 * hand it on so the message (or slot) does not sit unnoticed.
	 */
	if (ret && cond(ch))
		wake_up(wq);
	return ret;
}

static void ipcchan_link(struct ipcchan_channel *ch, struct ipcchan_kmsg *km,
			 bool at_head)
{
	lockdep_assert_held(&ch->lock);
	if (at_head)
		list_add(&km->node, &ch->queue[km->prio]);
	else
		list_add_tail(&km->node, &ch->queue[km->prio]);
	__set_bit(km->prio, &ch->prio_map);
	ch->cur_msgs++;
	ch->cur_bytes += km->len;
}

/* The receiving side takes what senders pushed, oldest first. */
static void ipcchan_drain_locked(struct ipcchan_channel *ch)
{
	struct ipcchan_kmsg *km, *tmp;
	struct llist_node *l;

	lockdep_assert_held(&ch->lock);
	if (llist_empty(&ch->incoming))
		return;
	l = llist_reverse_order(llist_del_all(&ch->incoming));
	llist_for_each_entry_safe(km, tmp, l, lnode)
		ipcchan_link(ch, km, false);
}

/* Receivers' condition, under ch->lock. */
static bool ipcchan_has_msg(struct ipcchan_channel *ch)
{
	ipcchan_drain_locked(ch);
	return ch->cur_msgs != 0;
}

/*
 * A recycled large object with room for @len, or NULL.  A stream of large
 * messages then does not allocate (and have init_on_alloc zero) a new
 * buffer for each one.
 */
static struct ipcchan_kmsg *ipcchan_kmsg_large(struct ipcchan_channel *ch,
					       u32 len)
{
	struct ipcchan_kmsg *km;

	/* Unlocked peek: at worst a message is allocated that need not be. */
	if (!READ_ONCE(ch->spare_large) && llist_empty(&ch->free_large))
		return NULL;
	spin_lock(&ch->send_lock);
	km = ipcchan_pool_pop_locked(ch, &ch->spare_large, &ch->free_large);
	if (km)
		WRITE_ONCE(ch->large_popped, ch->large_popped + km->cap);
	spin_unlock(&ch->send_lock);
	/* Too small (the sizes changed): make room for a new one. */
	if (km && km->cap < len) {
		kvfree(km);
		km = NULL;
	}
	return km;
}

/**
 * ipcchan_kmsg_alloc - allocate a message, its payload still to be copied
 * @ch: the channel it is for
 * @km: a recycled small message from ipcchan_kmsg_reuse() (for @len up to
 *      IPCCHAN_SMALL_MSG), or NULL to take a recycled large one with room
 *      for @len or allocate one
 * @len: its length, already checked against the channel's max_msg_size
 * @prio: its priority, already checked
 *
 * Only the header and the first @len payload bytes are ever read back;
 * this writes the header (the pid when the message is linked) and the
 * caller the payload, so a recycled object leaks nothing.
 *
 * Return: the message, or ERR_PTR(-ENOMEM).
 */
struct ipcchan_kmsg *ipcchan_kmsg_alloc(struct ipcchan_channel *ch,
					struct ipcchan_kmsg *km, u32 len,
					u32 prio)
{
	if (!km && len > IPCCHAN_SMALL_MSG)
		km = ipcchan_kmsg_large(ch, len);
	if (!km) {
		if (len <= IPCCHAN_SMALL_MSG)
			km = kmem_cache_alloc(ipcchan_msg_cache,
					      GFP_KERNEL_ACCOUNT);
		else
			km = kvmalloc(struct_size(km, data, len),
				      GFP_KERNEL_ACCOUNT);
		if (!km)
			return ERR_PTR(-ENOMEM);
		km->cap = len;
	}
	km->len = len;
	km->pid = NULL;
	km->prio = prio;
	km->uid = current_euid();
	return km;
}

/* Allocate a message and copy its payload in: the message or ERR_PTR(). */
static struct ipcchan_kmsg *ipcchan_kmsg_new(struct ipcchan_channel *ch,
					     const void __user *buf, u32 len,
					     u32 prio)
{
	struct ipcchan_kmsg *km = ipcchan_kmsg_alloc(ch, NULL, len, prio);

	if (!IS_ERR(km) && ipcchan_copy_in(km->data, buf, len)) {
		ipcchan_kmsg_free(km);
		return ERR_PTR(-EFAULT);
	}
	return km;
}

/**
 * ipcchan_chan_for - the attached channel, if this file may do @access
 * @file: the file
 * @access: IPCCHAN_ACCESS_SEND or IPCCHAN_ACCESS_RECV
 *
 * Return: the channel, or ERR_PTR(-ENOTCONN / -EBADF).
 */
struct ipcchan_channel *ipcchan_chan_for(struct file *file, u32 access)
{
	struct ipcchan_file *pf = file->private_data;
	struct ipcchan_channel *ch = ipcchan_file_channel(pf);

	if (!ch)
		return ERR_PTR(-ENOTCONN);
	if (!(pf->access & access))
		return ERR_PTR(-EBADF);
	return ch;
}

/**
 * ipcchan_room_hint - free queue slots, as an unlocked hint
 * @ch: the channel
 *
 * Return: how many messages senders could queue now; another sender may
 * take them first.
 */
u32 ipcchan_room_hint(struct ipcchan_channel *ch)
{
	unsigned long used = READ_ONCE(ch->taken) - READ_ONCE(ch->given);

	return used < ch->max_msgs ? ch->max_msgs - used : 0;
}

/*
 * Give a filled message its sequence number and sender and chain it in
 * front of @head (newest first, as on ch->incoming); it takes a slot.
 */
static void ipcchan_prep_sent_locked(struct ipcchan_channel *ch,
				     struct ipcchan_kmsg *km,
				     struct llist_node *head)
{
	lockdep_assert_held(&ch->send_lock);
	km->seq = ++ch->seq;
	ipcchan_pid_get_locked(ch, km);
	km->lnode.next = head;
	ch->sent++;
}

/*
 * Publish @n chained messages (@first newest .. @last oldest) to the
 * receivers and wake up to @n of them.  llist_add_batch() is fully
 * ordered, so a receiver queued on recv_wq before it is seen here.
 */
static void ipcchan_publish_locked(struct ipcchan_channel *ch,
				   struct ipcchan_kmsg *first,
				   struct ipcchan_kmsg *last, unsigned int n)
{
	lockdep_assert_held(&ch->send_lock);
	WRITE_ONCE(ch->taken, ch->taken + n);
	llist_add_batch(&first->lnode, &last->lnode, &ch->incoming);
	ipcchan_wake(&ch->recv_wq, n, EPOLLIN | EPOLLRDNORM);
}

/**
 * ipcchan_enqueue - queue prepared messages
 * @ch: the channel
 * @kms: the messages, in order
 * @n: how many
 * @w: how to wait for the first free slot
 * @first_seq: out: sequence number of the first linked message (the others
 *             follow consecutively)
 *
 * Waits as @w says for the first slot, then takes as many as are free.
 *
 * Return: how many were linked (the caller frees the rest) or a negative
 * errno when none was.
 */
int ipcchan_enqueue(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
		    unsigned int n, const struct ipcchan_wait *w, u64 *first_seq)
{
	struct llist_node *head = NULL;
	unsigned int i, room;
	u64 bytes = 0;
	int ret;

	spin_lock(&ch->send_lock);
	ret = ipcchan_wait_locked(ch, &ch->send_lock, &ch->send_wq,
				  ipcchan_has_room, &ch->blocked_senders, w);
	if (ret) {
		spin_unlock(&ch->send_lock);
		return ret;
	}
	/* Only senders take slots, and they hold this lock: room stays. */
	room = ch->max_msgs - (ch->taken - READ_ONCE(ch->given));
	/*
	 * Published messages may be received and freed at once: report
	 * their (consecutive) sequence numbers from here.
	 */
	*first_seq = ch->seq + 1;
	for (i = 0; i < n && i < room; i++) {
		ipcchan_prep_sent_locked(ch, kms[i], head);
		head = &kms[i]->lnode;
		bytes += kms[i]->len;
	}
	/* One message wakes one receiver (plus every poller). */
	ipcchan_publish_locked(ch, kms[i - 1], kms[0], i);
	spin_unlock(&ch->send_lock);
	ipcchan_stats_add(i, bytes);
	return i;
}

/* ipcchan_dequeue() with the channel lock held throughout. */
static int ipcchan_dequeue_locked(struct ipcchan_channel *ch,
				  struct ipcchan_kmsg **kms, const u32 *caps,
				  unsigned int n, const struct ipcchan_wait *w,
				  u32 *too_big)
	__must_hold(&ch->lock)
{
	struct ipcchan_kmsg *km;
	struct list_head *q;
	unsigned int i = 0, start;
	unsigned long p;
	LIST_HEAD(taken);
	u64 bytes;
	int ret;

	ret = ipcchan_wait_locked(ch, &ch->lock, &ch->recv_wq, ipcchan_has_msg,
				  &ch->blocked_receivers, w);
	if (ret)
		return ret;
	/*
	 * Highest priority first, each FIFO in order; the run taken from a
	 * FIFO leaves it in one list_cut_position() rather than a list_del()
	 * each.  The first message that does not fit its cap ends the call.
	 */
	while (i < n) {
		p = find_last_bit(&ch->prio_map, IPCCHAN_NR_PRIO);
		if (p >= IPCCHAN_NR_PRIO)
			break;
		q = &ch->queue[p];
		start = i;
		bytes = 0;
		list_for_each_entry(km, q, node) {
			if (i == n || km->len > caps[i])
				break;
			bytes += km->len;
			kms[i++] = km;
		}
		if (i == start) {
			if (i)
				break;
			*too_big = km->len;
			/* Still queued: let another receiver try. */
			ipcchan_wake(&ch->recv_wq, 1, EPOLLIN | EPOLLRDNORM);
			return -EMSGSIZE;
		}
		list_cut_position(&taken, q, &kms[i - 1]->node);
		if (list_empty(q))
			__clear_bit(p, &ch->prio_map);
		ch->cur_msgs -= i - start;
		ch->cur_bytes -= bytes;
		ch->inflight += i - start;
		/* Stopped by a cap, not by the end of the FIFO. */
		if (!list_empty(q))
			break;
	}
	return i;
}

/**
 * ipcchan_dequeue - take the next messages off the queue
 * @ch: the channel
 * @kms: out: the messages taken
 * @caps: buffer size for each of them
 * @n: most messages to take
 * @w: how to wait for the first
 * @too_big: out: length of a first message that does not fit @caps[0]
 *
 * Takes up to @n messages that fit @caps, in order, waiting as @w says for
 * the first.  They stay counted as in flight until ipcchan_dequeue_done().
 *
 * Return: how many were taken, or -EMSGSIZE (with @too_big set), or another
 * negative errno.
 */
int ipcchan_dequeue(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
		    const u32 *caps, unsigned int n,
		    const struct ipcchan_wait *w, u32 *too_big)
{
	int ret;

	spin_lock(&ch->lock);
	ret = ipcchan_dequeue_locked(ch, kms, caps, n, w, too_big);
	spin_unlock(&ch->lock);
	return ret;
}

/*
 * Keep a delivered message (its pid dropped) for the next sender, as long
 * as kept and used messages stay within max_msgs, the queue space the
 * creator reserved (each at most max_msg_size).  @before messages
 * delivered with it are already kept or freed, but their slots (like its
 * own) are not yet given back.  Large ones are also kept only within
 * IPCCHAN_LARGE_KEEP bytes.  Returns true if kept.
 */
static bool ipcchan_recycle_locked(struct ipcchan_channel *ch,
				   struct ipcchan_kmsg *km, unsigned int before)
{
	unsigned long kept, used;

	lockdep_assert_held(&ch->lock);
	kept = ch->pushed - READ_ONCE(ch->popped);
	used = READ_ONCE(ch->taken) - ch->given - before;
	if (kept >= ch->max_msgs || kept + used > ch->max_msgs)
		return false;
	if (km->len > IPCCHAN_SMALL_MSG) {
		if (ch->large_pushed - READ_ONCE(ch->large_popped) + km->cap >
		    IPCCHAN_LARGE_KEEP)
			return false;
		ch->large_pushed += km->cap;
		ch->pushed++;
		llist_add(&km->lnode, &ch->free_large);
		return true;
	}
	ch->pushed++;
	llist_add(&km->lnode, &ch->free_msgs);
	return true;
}

/*
 * The locked half of ipcchan_dequeue_done(): put back the undelivered,
 * recycle the delivered where there is room (their @kms entries become
 * NULL), give their slots back and wake senders.
 */
static void ipcchan_dequeue_done_locked(struct ipcchan_channel *ch,
					struct ipcchan_kmsg **kms,
					unsigned int n, unsigned int done)
{
	unsigned int i;

	lockdep_assert_held(&ch->lock);
	for (i = n; i > done; i--)
		ipcchan_link(ch, kms[i - 1], true);
	ch->inflight -= n;
	ch->received += done;
	ipcchan_wake(&ch->recv_wq, n - done, EPOLLIN | EPOLLRDNORM);
	if (!done)
		return;
	for (i = 0; i < done; i++) {
		/* Delivered: nothing reads its sender any more. */
		ipcchan_pid_put_locked(ch, kms[i]);
		if (ipcchan_recycle_locked(ch, kms[i], i))
			kms[i] = NULL;
	}
	WRITE_ONCE(ch->given, ch->given + done);
	/* Slots given back before a sender's queue is looked at. */
	smp_mb();
	ipcchan_wake(&ch->send_wq, done, EPOLLOUT | EPOLLWRNORM);
}

/* The unlocked half: free what was not recycled, count @bytes out. */
static void ipcchan_dequeue_release(struct ipcchan_kmsg **kms,
				    unsigned int done, u64 bytes)
{
	unsigned int i;

	for (i = 0; i < done; i++) {
		if (kms[i])
			ipcchan_kmsg_free(kms[i]);
	}
	ipcchan_stats_add(-(s64)done, -(s64)bytes);
}

/**
 * ipcchan_dequeue_done - finish an ipcchan_dequeue()
 * @ch: the channel
 * @kms: the messages it took
 * @n: how many it took
 * @done: how many of them (the first @done) were delivered
 *
 * Puts the undelivered ones back at the head of their priorities in their
 * original order, recycles or frees the delivered ones (their @kms entries
 * are consumed) and wakes senders for the freed slots.
 */
void ipcchan_dequeue_done(struct ipcchan_channel *ch,
			  struct ipcchan_kmsg **kms, unsigned int n,
			  unsigned int done)
{
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < done; i++)
		bytes += kms[i]->len;
	spin_lock(&ch->lock);
	ipcchan_dequeue_done_locked(ch, kms, n, done);
	spin_unlock(&ch->lock);
	ipcchan_dequeue_release(kms, done, bytes);
}

/**
 * ipcchan_check_msg - reserved fields (and, in a batch, flags) of a struct
 * @m: the struct, copied in
 * @in_batch: a batch entry, whose flags and timeout_ns must be zero
 *
 * Return: 0 or -EINVAL.
 */
int ipcchan_check_msg(const struct ipcchan_msg *m, bool in_batch)
{
	if (m->reserved0 || !ipcchan_zeroed(m->reserved, ARRAY_SIZE(m->reserved)))
		return -EINVAL;
	if (in_batch && (m->flags || m->timeout_ns))
		return -EINVAL;
	return 0;
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

/**
 * ipcchan_put_recv_out - write the out fields of a RECV struct to userspace
 * @um: the struct in userspace
 * @m: the out fields (from ipcchan_msg_out())
 *
 * Return: 0 or -EFAULT.
 */
int ipcchan_put_recv_out(struct ipcchan_msg __user *um,
			 const struct ipcchan_msg *m)
{
	int ret;

	if (!user_access_begin(um, sizeof(*um)))
		return -EFAULT;
	ret = ipcchan_unsafe_recv_out(um, m->len, m->prio, m->pid, m->seq,
				      m->uid);
	user_access_end();
	return ret;
}

/**
 * ipcchan_put_send_out - write the out fields of a SEND struct to userspace
 * @um: the struct in userspace
 * @seq: the message's sequence number (0 before it is queued)
 *
 * pid and uid do not apply to SEND and read back as zero.
 *
 * Return: 0 or -EFAULT.
 */
int ipcchan_put_send_out(struct ipcchan_msg __user *um, u64 seq)
{
	int ret;

	if (!user_access_begin(um, sizeof(*um)))
		return -EFAULT;
	ret = ipcchan_unsafe_send_out(um, seq);
	user_access_end();
	return ret;
}

/*
 * Copy in and check a SEND/RECV argument: the struct, its flags and
 * timeout, and the file's attachment and @access.  Returns the channel.
 */
static struct ipcchan_channel *ipcchan_msg_in(struct file *file,
					      struct ipcchan_msg __user *um,
					      u32 access, struct ipcchan_msg *m,
					      struct ipcchan_wait *w)
{
	int ret;

	if (ipcchan_copy_in(m, um, sizeof(*m)))
		return ERR_PTR(-EFAULT);
	ret = ipcchan_check_msg(m, false);
	if (!ret)
		ret = ipcchan_wait_setup(w, file, m->flags, m->timeout_ns);
	if (ret)
		return ERR_PTR(ret);
	return ipcchan_chan_for(file, access);
}

/*
 * Copy a small payload (at most IPCCHAN_WORD_COPY_MAX bytes) into @data
 * and, with @um, write SEND's out fields (sequence number @seq) back, in
 * one user access window: STAC/CLAC are not free (and end a translation
 * block under QEMU's TCG).  0 or -EFAULT.
 */
static int ipcchan_send_copy(void *data, const void __user *buf, u32 len,
			     struct ipcchan_msg __user *um, u64 seq)
{
	if (!ipcchan_small_payload_ok(data, len, false))
		return -EFAULT;
	if (um && !access_ok(um, sizeof(*um)))
		return -EFAULT;
	int ret;

	if (!user_access_begin(buf, len))
		return -EFAULT;
	ret = ipcchan_unsafe_copy_in(data, buf, len);
	if (!ret && um)
		ret = ipcchan_unsafe_send_out(um, seq);
	user_access_end();
	return ret;
}

/*
 * SEND of a small message when there is room and a recycled object: copy
 * the payload straight into the object under the send lock, with page
 * faults disabled so nothing can sleep, write the out fields of @um (if
 * any) and publish it; one lock round trip.  Returns 0 (sent, @um written)
 * or 1 when the caller must take the slow path (no room, no object, or a
 * copy would fault: nothing is sent then); never waits.
 */
static int ipcchan_send_fast(struct ipcchan_channel *ch,
			     const void __user *buf, u32 len, u32 prio,
			     struct ipcchan_msg __user *um, u64 *seq)
{
	struct ipcchan_kmsg *km;
	int ret;

	if (!ipcchan_free_any(ch))
		return 1;
	spin_lock(&ch->send_lock);
	if (!ipcchan_has_room(ch))
		goto out_slow;
	km = ipcchan_free_pop_locked(ch);
	if (!km)
		goto out_slow;
	/* The sequence number it will get: this lock is held throughout. */
	pagefault_disable();
	ret = ipcchan_send_copy(km->data, buf, len, um, ch->seq + 1);
	pagefault_enable();
	if (ret) {
		/* Kept for the slow path's next try. */
		ipcchan_free_unpop_locked(ch, km);
		goto out_slow;
	}
	km->len = len;
	km->prio = prio;
	km->uid = current_euid();
	ipcchan_prep_sent_locked(ch, km, NULL);
	*seq = km->seq;
	ipcchan_publish_locked(ch, km, km, 1);
	spin_unlock(&ch->send_lock);
	ipcchan_stats_add(1, len);
	return 0;

out_slow:
	spin_unlock(&ch->send_lock);
	return 1;
}

/*
 * Allocate, fill and queue one message (SEND with @um, write(2) without).
 * With @um, its out fields are written: a struct userspace cannot write
 * back fails before anything is sent; a report that fails after the send
 * returns -EFAULT, but the message is sent.
 */
static int ipcchan_send_one(struct ipcchan_channel *ch, const void __user *buf,
			    u32 len, u32 prio, const struct ipcchan_wait *w,
			    struct ipcchan_msg __user *um)
{
	struct ipcchan_kmsg *km;
	u64 seq;
	int ret;

	if (len <= IPCCHAN_SMALL_MSG &&
	    !ipcchan_send_fast(ch, buf, len, prio, um, &seq))
		return 0;
	if (um && ipcchan_put_send_out(um, 0))
		return -EFAULT;
	/* Copy first, then wait for a slot, so a bad buffer fails at once. */
	km = ipcchan_kmsg_new(ch, buf, len, prio);
	if (IS_ERR(km))
		return PTR_ERR(km);
	ret = ipcchan_enqueue(ch, &km, 1, w, &seq);
	if (ret < 0) {
		ipcchan_kmsg_free(km);
		return ret;
	}
	if (um && put_user(seq, &um->seq))
		return -EFAULT;
	return 0;
}

/**
 * ipcchan_send - IPCCHAN_IOC_SEND
 * @file: an attached file with send access
 * @uarg: struct ipcchan_msg in userspace
 *
 * Return: 0 or a negative errno (see the UAPI header).
 */
long ipcchan_send(struct file *file, void __user *uarg)
{
	struct ipcchan_msg __user *um = uarg;
	struct ipcchan_channel *ch;
	struct ipcchan_wait w;
	struct ipcchan_msg m;

	ch = ipcchan_msg_in(file, um, IPCCHAN_ACCESS_SEND, &m, &w);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	if (m.prio > IPCCHAN_PRIO_MAX)
		return -EINVAL;
	if (m.len > ch->max_msg_size)
		return -EMSGSIZE;
	return ipcchan_send_one(ch, u64_to_user_ptr(m.buf), m.len, m.prio, &w,
				um);
}

/*
 * Copy a small message (at most IPCCHAN_WORD_COPY_MAX bytes) and, with @um,
 * RECV's out fields @m to userspace in one user access window (see
 * ipcchan_send_copy()).  0 or -EFAULT.
 */
static int ipcchan_recv_copy(void __user *buf, const struct ipcchan_kmsg *km,
			     const struct ipcchan_msg *m,
			     struct ipcchan_msg __user *um)
{
	if (!ipcchan_small_payload_ok(km->data, km->len, true))
		return -EFAULT;
	if (um && !access_ok(um, sizeof(*um)))
		return -EFAULT;
	if (!user_access_begin(buf, km->len))
		return -EFAULT;
	unsafe_copy_to_user(buf, km->data, km->len, efault);
	if (um && ipcchan_unsafe_recv_out(um, m->len, m->prio, m->pid, m->seq,
					  m->uid))
		goto efault;
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/*
 * Copy a small message and its out fields to userspace under the channel
 * lock: page faults are disabled, so nothing sleeps; a copy that would
 * fault fails and the caller retries with the lock dropped.
 */
static bool ipcchan_deliver_atomic(void __user *buf,
				   const struct ipcchan_kmsg *km,
				   const struct ipcchan_msg *m,
				   struct ipcchan_msg __user *um)
{
	int ret;

	pagefault_disable();
	ret = ipcchan_recv_copy(buf, km, m, um);
	pagefault_enable();
	return !ret;
}

/*
 * Receive one message into @buf (at most @cap bytes); with @um, also write
 * the struct back before the message is committed as delivered.  A small
 * message is delivered under the lock (ipcchan_deliver_atomic()), so the
 * common case takes the lock once; otherwise, or if that copy would fault,
 * it is taken in flight and copied with the lock dropped.  Returns the
 * message length or a negative errno; *m gets the out fields.
 */
static long ipcchan_recv_one(struct ipcchan_channel *ch, void __user *buf,
			     u32 cap, const struct ipcchan_wait *w,
			     struct ipcchan_msg *m,
			     struct ipcchan_msg __user *um)
{
	struct ipcchan_kmsg *km;
	u32 too_big = 0;
	long ret;

	spin_lock(&ch->lock);
	ret = ipcchan_dequeue_locked(ch, &km, &cap, 1, w, &too_big);
	if (ret < 0) {
		spin_unlock(&ch->lock);
		if (ret == -EMSGSIZE)
			m->len = too_big;
		return ret;
	}
	ipcchan_msg_out(m, km);
	ret = km->len;
	if (km->len <= IPCCHAN_SMALL_MSG && ipcchan_deliver_atomic(buf, km, m, um)) {
		ipcchan_dequeue_done_locked(ch, &km, 1, 1);
		spin_unlock(&ch->lock);
		ipcchan_dequeue_release(&km, 1, ret);
		return ret;
	}
	/* Slow path: copy with the lock dropped, the message in flight. */
	spin_unlock(&ch->lock);

	if (ipcchan_copy_out(buf, km->data, km->len) ||
	    (um && ipcchan_put_recv_out(um, m))) {
		ipcchan_dequeue_done(ch, &km, 1, 0);
		return -EFAULT;
	}
	ipcchan_dequeue_done(ch, &km, 1, 1);
	return ret;
}

/**
 * ipcchan_recv - IPCCHAN_IOC_RECV
 * @file: an attached file with receive access
 * @uarg: struct ipcchan_msg in userspace
 *
 * Return: 0 or a negative errno (see the UAPI header).
 */
long ipcchan_recv(struct file *file, void __user *uarg)
{
	struct ipcchan_msg __user *um = uarg;
	struct ipcchan_channel *ch;
	struct ipcchan_wait w;
	struct ipcchan_msg m;
	long ret;

	ch = ipcchan_msg_in(file, um, IPCCHAN_ACCESS_RECV, &m, &w);
	if (IS_ERR(ch))
		return PTR_ERR(ch);

	ret = ipcchan_recv_one(ch, u64_to_user_ptr(m.buf), m.len, &w, &m, um);
	if (ret == -EMSGSIZE && put_user(m.len, &um->len))
		return -EFAULT;
	return ret < 0 ? ret : 0;
}

/**
 * ipcchan_read - read(2): receive one message
 * @file: an attached file with receive access
 * @buf: destination
 * @count: its size
 * @ppos: unused (not seekable)
 *
 * Return: the message length or a negative errno.
 */
ssize_t ipcchan_read(struct file *file, char __user *buf, size_t count,
		     loff_t *ppos)
{
	struct ipcchan_channel *ch;
	struct ipcchan_wait w;
	struct ipcchan_msg m;
	int ret;

	ch = ipcchan_chan_for(file, IPCCHAN_ACCESS_RECV);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	ret = ipcchan_wait_setup(&w, file, 0, 0);
	if (ret)
		return ret;
	return ipcchan_recv_one(ch, buf, min_t(size_t, count, U32_MAX), &w, &m,
				NULL);
}

/**
 * ipcchan_write - write(2): send the buffer as one message of priority 0
 * @file: an attached file with send access
 * @buf: payload
 * @count: its length
 * @ppos: unused (not seekable)
 *
 * Return: @count or a negative errno.
 */
ssize_t ipcchan_write(struct file *file, const char __user *buf, size_t count,
		      loff_t *ppos)
{
	struct ipcchan_channel *ch;
	struct ipcchan_wait w;
	int ret;

	ch = ipcchan_chan_for(file, IPCCHAN_ACCESS_SEND);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	if (count > ch->max_msg_size)
		return -EMSGSIZE;
	ret = ipcchan_wait_setup(&w, file, 0, 0);
	if (ret)
		return ret;
	ret = ipcchan_send_one(ch, buf, count, 0, &w, NULL);
	return ret ? ret : count;
}

/**
 * ipcchan_poll - poll(2) readiness of the queue and the ring
 * @file: the file
 * @pt: poll table
 *
 * Return: EPOLLIN/EPOLLOUT/EPOLLHUP as documented in the UAPI header.
 */
__poll_t ipcchan_poll(struct file *file, struct poll_table_struct *pt)
{
	struct ipcchan_file *pf = file->private_data;
	struct ipcchan_channel *ch = ipcchan_file_channel(pf);
	__poll_t mask = 0;

	if (!ch)
		return EPOLLERR;
	poll_wait(file, &ch->recv_wq, pt);
	poll_wait(file, &ch->send_wq, pt);

	/* Queued on both wait queues before the state is read. */
	smp_mb();
	spin_lock(&ch->lock);
	if (ipcchan_has_msg(ch))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(ch->unlinked) && !ch->cur_msgs && !ch->inflight)
		mask |= EPOLLHUP;
	spin_unlock(&ch->lock);
	if (ipcchan_has_room(ch))
		mask |= EPOLLOUT | EPOLLWRNORM;

	return mask | ipcchan_ring_poll(ch, file, pt);
}

/**
 * ipcchan_msgq_snapshot - read a channel's queue counters together
 * @ch: the channel
 * @s: out: the counters
 *
 * Holds both locks (send lock first), so cur_msgs + in flight is exactly
 * sent - received at that instant.
 */
void ipcchan_msgq_snapshot(struct ipcchan_channel *ch,
			   struct ipcchan_msgq_snap *s)
{
	spin_lock(&ch->send_lock);
	spin_lock(&ch->lock);
	ipcchan_drain_locked(ch);
	s->cur_msgs = ch->cur_msgs;
	s->cur_bytes = ch->cur_bytes;
	s->sent = ch->sent;
	s->received = ch->received;
	s->blocked_senders = ch->blocked_senders;
	s->blocked_receivers = ch->blocked_receivers;
	spin_unlock(&ch->lock);
	spin_unlock(&ch->send_lock);
}
