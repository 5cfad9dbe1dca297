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
 * A sender first takes a slot under the send lock (waiting while taken -
 * given = max_msgs) and, for it, a recycled message object or the right to
 * allocate one; only then does it allocate and copy the payload in, with
 * the lock dropped.  Under the lock again it gives the message the next
 * sequence number and pushes it on the incoming list (llist), so that list
 * is in sequence order, and wakes one receiver.  A blocked sender holds
 * nothing, and a channel never has more than max_msgs message objects
 * (filled, queued, in flight or kept for reuse), each at most the size its
 * creator was charged for (ipcchan_msgq_charge()).
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
 * Every payload copy is a plain copy_{from,to}_user() (or iov_iter copy),
 * so hardened usercopy checks each one against its slab object.
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
#include <linux/uio.h>
#include <linux/vmalloc.h>

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
 * ones from kmalloc() or vmalloc(); both are charged to the sender's memcg.  A
 * delivered message goes on its channel's free list (small or large) for
 * the next sender; kept large ones stay within IPCCHAN_LARGE_KEEP bytes, so
 * an idle channel does not hold on to its peak.  Kept objects count against
 * the channel's max_msgs objects like the others, so a steady stream
 * allocates, zeroes and frees nothing and the memory stays within the
 * charge.
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

/*
 * Memory cgroups keep one pointer per accounted slab object beside it; a
 * slab object's charge includes it.
 */
#define IPCCHAN_SLAB_EXTRA	sizeof(void *)

/*
 * Bytes ipcchan_kmsg_alloc() really takes for @size bytes: one kmalloc
 * object, rounded up, or a vmalloc() area of small pages and its page array
 * and bookkeeping, whichever is larger.
 */
static u64 ipcchan_alloc_size(size_t size)
{
	u64 pages = PAGE_ALIGN(size), obj;

	pages += kmalloc_size_roundup((pages >> PAGE_SHIFT) *
				      sizeof(struct page *)) + 256;
	if (size > KMALLOC_MAX_SIZE)
		return pages;
	obj = kmalloc_size_roundup(size);
	if (obj <= KMALLOC_MAX_CACHE_SIZE)
		obj += IPCCHAN_SLAB_EXTRA;
	return max(obj, pages);
}

/**
 * ipcchan_msgq_charge - what a channel's messages may hold at most
 * @max_msgs: its queue depth, which bounds its message objects
 * @max_msg_size: its largest payload
 *
 * Every object, small or large, takes at most what an object for a
 * @max_msg_size payload takes from the allocator.
 *
 * Return: bytes to reserve for the queue.
 */
u64 ipcchan_msgq_charge(u32 max_msgs, u32 max_msg_size)
{
	size_t large = struct_size_t(struct ipcchan_kmsg, data, max_msg_size);
	u64 obj = kmem_cache_size(ipcchan_msg_cache) + IPCCHAN_SLAB_EXTRA;

	if (max_msg_size > IPCCHAN_SMALL_MSG)
		obj = max(obj, ipcchan_alloc_size(large));
	return (u64)max_msgs * obj;
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
static void ipcchan_kmsg_free(struct ipcchan_kmsg *km)
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
}

/* Unlocked peek: is there any recycled object? */
static bool ipcchan_free_any(struct ipcchan_channel *ch)
{
	return READ_ONCE(ch->spare) || !llist_empty(&ch->free_msgs);
}

/*
 * Wake @nr exclusive waiters of @wq (and every poller) for @events.  The
 * caller either holds the lock the waiters check their condition under, or
 * has changed that condition with a full barrier after it (see the top of
 * this file), so an empty queue here means nobody can miss the change.
 * Not a "sync" wake-up: the waker goes on running, it does not block.
 */
static void ipcchan_wake(struct wait_queue_head *wq, unsigned int nr,
			 __poll_t events)
{
	/* Ordered by the lock or barrier described above. */
	if (!nr || !waitqueue_active(wq))
		return;
	__wake_up(wq, TASK_INTERRUPTIBLE, nr, poll_to_key(events));
}

/*
 * Senders' condition (under ch->send_lock to act on it): only senders take
 * slots, so room seen there stays until they take it.
 */
static bool ipcchan_has_room(struct ipcchan_channel *ch)
{
	/*
	 * Acquire, pairs with the release in ipcchan_dequeue_done_locked():
	 * the objects receivers kept or freed before giving slots back are
	 * seen with them (ipcchan_obj_take_locked() relies on it).
	 */
	return ch->taken - smp_load_acquire(&ch->given) < ch->max_msgs;
}

/**
 * ipcchan_wait_setup - turn per-call flags and the file mode into a wait
 * @w: filled in
 * @file: the file (O_NONBLOCK)
 * @flags: IPCCHAN_NONBLOCK / IPCCHAN_TIMEOUT
 * @timeout_ns: relative timeout
 *
 * A call's own IPCCHAN_NONBLOCK or IPCCHAN_TIMEOUT decides; the file's
 * O_NONBLOCK applies to calls that give neither.
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
		      (!flags && (file->f_flags & O_NONBLOCK));
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

/*
 * Give a filled message its sequence number and sender and chain it in
 * front of @head (newest first, as on ch->incoming).
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
	ch->sent_bytes += km->len;
}

/*
 * Publish @n chained messages (@first newest .. @last oldest), whose slots
 * are taken, to the receivers and wake up to @n of them.
 * llist_add_batch() is fully ordered, so a receiver queued on recv_wq
 * before it is seen here.
 */
static void ipcchan_publish_locked(struct ipcchan_channel *ch,
				   struct ipcchan_kmsg *first,
				   struct ipcchan_kmsg *last, unsigned int n)
{
	lockdep_assert_held(&ch->send_lock);
	llist_add_batch(&first->lnode, &last->lnode, &ch->incoming);
	ipcchan_wake(&ch->recv_wq, n, EPOLLIN | EPOLLRDNORM);
}

/* Message objects the channel has: filled, queued, in flight or kept. */
static unsigned long ipcchan_objs_live(struct ipcchan_channel *ch)
{
	lockdep_assert_held(&ch->send_lock);
	return ch->objs - READ_ONCE(ch->objs_freed);
}

static struct ipcchan_kmsg *ipcchan_large_pop_locked(struct ipcchan_channel *ch)
{
	struct ipcchan_kmsg *km;

	km = ipcchan_pool_pop_locked(ch, &ch->spare_large, &ch->free_large);
	if (km)
		WRITE_ONCE(ch->large_popped, ch->large_popped + km->cap);
	return km;
}

/*
 * An object for a message of @len bytes whose slot the caller just took:
 * a kept one (possibly of the wrong kind or too small: the caller replaces
 * it), or NULL with the right to allocate one (counted in ch->objs).
 *
 * The channel never has more than max_msgs objects.  The caller's slot has
 * none yet, the other slots at most one each, so when all max_msgs exist at
 * least one is kept on a free list: receivers put it there (or count it
 * freed) before they give its slot back, and the caller saw that slot
 * given back with acquire ordering (ipcchan_has_room()).
 */
static struct ipcchan_kmsg *ipcchan_obj_take_locked(struct ipcchan_channel *ch,
						    u32 len)
{
	bool small = len <= IPCCHAN_SMALL_MSG;
	struct ipcchan_kmsg *km;

	km = small ? ipcchan_free_pop_locked(ch) : ipcchan_large_pop_locked(ch);
	if (km)
		return km;
	if (ipcchan_objs_live(ch) < ch->max_msgs) {
		ch->objs++;
		return NULL;
	}
	km = small ? ipcchan_large_pop_locked(ch) : ipcchan_free_pop_locked(ch);
	if (!km)	/* cannot happen, see above; stay safe regardless */
		ch->objs++;
	return km;
}

/* Give back @n slots taken for messages that will not be sent. */
static void ipcchan_slots_return_locked(struct ipcchan_channel *ch,
					unsigned int n)
{
	lockdep_assert_held(&ch->send_lock);
	if (!n)
		return;
	WRITE_ONCE(ch->taken, ch->taken - n);
	ipcchan_wake(&ch->send_wq, n, EPOLLOUT | EPOLLWRNORM);
}

/* Free objects that carry no message any more and give back their slots. */
static void ipcchan_send_abort(struct ipcchan_channel *ch,
			       struct ipcchan_kmsg **kms, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (kms[i])
			ipcchan_kmsg_free(kms[i]);
	spin_lock(&ch->send_lock);
	ch->objs -= n;
	ipcchan_slots_return_locked(ch, n);
	spin_unlock(&ch->send_lock);
}

/* A new object for a @len-byte payload, or NULL. */
static struct ipcchan_kmsg *ipcchan_kmsg_alloc(u32 len)
{
	struct ipcchan_kmsg *km;
	size_t size;

	if (len <= IPCCHAN_SMALL_MSG)
		return kmem_cache_alloc(ipcchan_msg_cache, GFP_KERNEL_ACCOUNT);
	size = struct_size(km, data, len);
	/*
	 * Like kvmalloc(), but never with huge pages, which would round a
	 * message up to 2 MiB more than the channel is charged for.
	 */
	km = NULL;
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
static bool ipcchan_kmsg_fits(const struct ipcchan_kmsg *km, u32 len)
{
	if (km->len <= IPCCHAN_SMALL_MSG)
		return len <= IPCCHAN_SMALL_MSG;
	return len > IPCCHAN_SMALL_MSG && len <= km->cap;
}

/**
 * ipcchan_send_prepare - take slots and message objects for messages to send
 * @ch: the channel
 * @kms: out: an object for each message, its payload still to be copied
 * @lens: payload length of each, already checked against max_msg_size
 * @n: how many are wanted, at most IPCCHAN_BATCH_CHUNK
 * @w: how to wait for the first free slot
 *
 * Waits as @w says for the first slot, then takes as many more as are
 * free, and an object for each: a kept one, else a new one.  Nothing is
 * allocated before a slot is taken, so a waiting sender holds no memory.
 * Only the header and the first len payload bytes of an object are ever
 * read back; this writes the header (but prio, and the pid when the message
 * is linked) and the caller the payload, so a recycled object leaks nothing.
 * Every object taken here goes back with ipcchan_send_commit().
 *
 * Return: how many were prepared (>= 1), or a negative errno when none was.
 */
int ipcchan_send_prepare(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
			 const u32 *lens, unsigned int n,
			 const struct ipcchan_wait *w)
{
	unsigned int i, k;
	int ret;

	spin_lock(&ch->send_lock);
	ret = ipcchan_wait_locked(ch, &ch->send_lock, &ch->send_wq,
				  ipcchan_has_room, &ch->blocked_senders, w);
	if (ret) {
		spin_unlock(&ch->send_lock);
		return ret;
	}
	/* Only senders take slots, and they hold this lock: room stays. */
	k = min_t(unsigned int, n, ch->max_msgs - (ch->taken - ch->given));
	WRITE_ONCE(ch->taken, ch->taken + k);
	for (i = 0; i < k; i++)
		kms[i] = ipcchan_obj_take_locked(ch, lens[i]);
	spin_unlock(&ch->send_lock);

	for (i = 0; i < k; i++) {
		struct ipcchan_kmsg *km = kms[i];

		if (km && !ipcchan_kmsg_fits(km, lens[i])) {
			ipcchan_kmsg_free(km);
			km = NULL;
		}
		if (!km)
			km = ipcchan_kmsg_alloc(lens[i]);
		kms[i] = km;
		if (!km)
			break;
		km->len = lens[i];
		km->pid = NULL;
		km->uid = current_euid();
	}
	if (i < k) {
		/* Out of memory: keep what is ready, give back the rest. */
		ipcchan_send_abort(ch, kms + i, k - i);
		return i ? i : -ENOMEM;
	}
	return k;
}

/**
 * ipcchan_send_commit - queue prepared messages whose payloads are in
 * @ch: the channel
 * @kms: the objects from ipcchan_send_prepare()
 * @ok: how many of them (the first @ok) carry a message to send
 * @n: how many were prepared; the others are freed, their slots given back
 *
 * Return: the sequence number of the first message queued (the others
 * follow consecutively), or 0 when @ok is 0.
 */
u64 ipcchan_send_commit(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
			unsigned int ok, unsigned int n)
{
	struct llist_node *head = NULL;
	u64 first_seq = 0, bytes = 0;
	unsigned int i;

	if (ok < n)
		ipcchan_send_abort(ch, kms + ok, n - ok);
	if (!ok)
		return 0;
	spin_lock(&ch->send_lock);
	/*
	 * Published messages may be received and freed at once: report
	 * their (consecutive) sequence numbers from here.
	 */
	first_seq = ch->seq + 1;
	for (i = 0; i < ok; i++) {
		ipcchan_prep_sent_locked(ch, kms[i], head);
		head = &kms[i]->lnode;
		bytes += kms[i]->len;
	}
	/* One message wakes one receiver (plus every poller). */
	ipcchan_publish_locked(ch, kms[ok - 1], kms[0], ok);
	spin_unlock(&ch->send_lock);
	ipcchan_stats_add(ok, bytes);
	return first_seq;
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
		list_for_each_entry(km, q, node) {
			if (i == n || km->len > caps[i])
				break;
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
 * Keep a delivered message (its pid dropped) for the next sender; large
 * ones only within IPCCHAN_LARGE_KEEP bytes.  Returns true if kept; else
 * the caller frees it and it counts as freed from here.
 */
static bool ipcchan_recycle_locked(struct ipcchan_channel *ch,
				   struct ipcchan_kmsg *km)
{
	lockdep_assert_held(&ch->lock);
	if (km->len > IPCCHAN_SMALL_MSG) {
		if (ch->large_pushed - READ_ONCE(ch->large_popped) + km->cap >
		    IPCCHAN_LARGE_KEEP) {
			WRITE_ONCE(ch->objs_freed, ch->objs_freed + 1);
			return false;
		}
		ch->large_pushed += km->cap;
		llist_add(&km->lnode, &ch->free_large);
		return true;
	}
	llist_add(&km->lnode, &ch->free_msgs);
	return true;
}

/* Unlinked and nothing left to receive: EPOLLHUP for pollers. */
static bool ipcchan_hung_up_locked(struct ipcchan_channel *ch)
{
	lockdep_assert_held(&ch->lock);
	return READ_ONCE(ch->unlinked) && !ch->cur_msgs && !ch->inflight &&
	       llist_empty(&ch->incoming);
}

/*
 * The locked half of ipcchan_dequeue_done(): put back the undelivered,
 * recycle the delivered where there is room (their @kms entries become
 * NULL), give their slots back and wake senders.
 */
static void ipcchan_dequeue_done_locked(struct ipcchan_channel *ch,
					struct ipcchan_kmsg **kms,
					unsigned int n, unsigned int done,
					u64 bytes)
{
	unsigned int i;

	lockdep_assert_held(&ch->lock);
	for (i = n; i > done; i--)
		ipcchan_link(ch, kms[i - 1], true);
	ch->inflight -= n;
	ch->received += done;
	ch->received_bytes += bytes;
	ipcchan_wake(&ch->recv_wq, n - done, EPOLLIN | EPOLLRDNORM);
	if (!done)
		return;
	for (i = 0; i < done; i++) {
		/* Delivered: nothing reads its sender any more. */
		ipcchan_pid_put_locked(ch, kms[i]);
		if (ipcchan_recycle_locked(ch, kms[i]))
			kms[i] = NULL;
	}
	/*
	 * Release, pairs with the acquire in ipcchan_has_room(): a sender
	 * that sees the slots sees the objects kept or counted freed above.
	 */
	smp_store_release(&ch->given, ch->given + done);
	/* Slots given back before a sender's queue is looked at. */
	smp_mb();
	ipcchan_wake(&ch->send_wq, done, EPOLLOUT | EPOLLWRNORM);
	/* The last message of an unlinked channel: its pollers hang up. */
	if (ipcchan_hung_up_locked(ch))
		wake_up_interruptible_poll(&ch->recv_wq, EPOLLHUP);
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
	ipcchan_dequeue_done_locked(ch, kms, n, done, bytes);
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

	if (copy_from_user(m, um, sizeof(*m)))
		return ERR_PTR(-EFAULT);
	ret = ipcchan_check_msg(m, false);
	if (!ret)
		ret = ipcchan_wait_setup(w, file, m->flags, m->timeout_ns);
	if (ret)
		return ERR_PTR(ret);
	return ipcchan_chan_for(file, access);
}

/*
 * Where a payload comes from (send) or goes to (receive): a user buffer,
 * or, for readv(2)/writev(2), an iov_iter.
 */
struct ipcchan_ubuf {
	void __user *buf;
	struct iov_iter *iter;
};

static int ipcchan_payload_in(void *data, const struct ipcchan_ubuf *u,
			      u32 len)
{
	if (u->iter)
		return copy_from_iter_full(data, len, u->iter) ? 0 : -EFAULT;
	return copy_from_user(data, u->buf, len) ? -EFAULT : 0;
}

static int ipcchan_payload_out(const struct ipcchan_ubuf *u, const void *data,
			       u32 len)
{
	if (u->iter)
		return copy_to_iter(data, len, u->iter) == len ? 0 : -EFAULT;
	return copy_to_user(u->buf, data, len) ? -EFAULT : 0;
}

/*
 * SEND of a small message when there is room and a recycled object: take
 * the slot and the object, copy the payload straight in and write the out
 * fields of @um (if any) under the send lock, with page faults disabled so
 * nothing can sleep, and publish it; one lock round trip.  Returns 0 (sent,
 * @um written) or 1 when the caller must take the slow path (no room, no
 * object, or a copy would fault: nothing is sent then); never waits.
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
	pagefault_disable();
	ret = copy_from_user(km->data, buf, len) ? -EFAULT : 0;
	/* The sequence number it will get: this lock is held throughout. */
	if (!ret && um)
		ret = ipcchan_put_send_out(um, ch->seq + 1);
	pagefault_enable();
	if (ret) {
		/* Kept for the slow path's next try. */
		ipcchan_free_unpop_locked(ch, km);
		goto out_slow;
	}
	km->len = len;
	km->prio = prio;
	km->uid = current_euid();
	WRITE_ONCE(ch->taken, ch->taken + 1);
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
 * Send one message (SEND with @um, write(2) and writev(2) without).  With
 * @um, its out fields are written: a struct userspace cannot write back
 * fails before anything is sent; a report that fails after the send
 * returns -EFAULT, but the message is sent.
 */
static int ipcchan_send_one(struct ipcchan_channel *ch,
			    const struct ipcchan_ubuf *src, u32 len, u32 prio,
			    const struct ipcchan_wait *w,
			    struct ipcchan_msg __user *um)
{
	struct ipcchan_kmsg *km;
	u64 seq;
	int ret;

	if (!src->iter && len <= IPCCHAN_SMALL_MSG &&
	    !ipcchan_send_fast(ch, src->buf, len, prio, um, &seq))
		return 0;
	if (um && ipcchan_put_send_out(um, 0))
		return -EFAULT;
	/* A slot first: a waiting sender holds no memory. */
	ret = ipcchan_send_prepare(ch, &km, &len, 1, w);
	if (ret < 0)
		return ret;
	km->prio = prio;
	ret = ipcchan_payload_in(km->data, src, len);
	seq = ipcchan_send_commit(ch, &km, !ret, 1);
	if (ret)
		return ret;
	if (um && put_user(seq, IPCCHAN_MSG_U64(um, seq)))
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
	struct ipcchan_ubuf src = {};

	ch = ipcchan_msg_in(file, um, IPCCHAN_ACCESS_SEND, &m, &w);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	if (m.prio > IPCCHAN_PRIO_MAX)
		return -EINVAL;
	if (m.len > ch->max_msg_size)
		return -EMSGSIZE;
	src.buf = u64_to_user_ptr(m.buf);
	return ipcchan_send_one(ch, &src, m.len, m.prio, &w, um);
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
	ret = copy_to_user(buf, km->data, km->len) ? -EFAULT : 0;
	if (!ret && um)
		ret = ipcchan_put_recv_out(um, m);
	pagefault_enable();
	return !ret;
}

/*
 * Receive one message into @dst (at most @cap bytes); with @um, also write
 * the struct back before the message is committed as delivered.  A small
 * message is delivered under the lock (ipcchan_deliver_atomic()), so the
 * common case takes the lock once; otherwise, or if that copy would fault,
 * it is taken in flight and copied with the lock dropped.  Returns the
 * message length or a negative errno; *m gets the out fields.
 */
static long ipcchan_recv_one(struct ipcchan_channel *ch,
			     const struct ipcchan_ubuf *dst, u32 cap,
			     const struct ipcchan_wait *w,
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
	if (!dst->iter && km->len <= IPCCHAN_SMALL_MSG &&
	    ipcchan_deliver_atomic(dst->buf, km, m, um)) {
		ipcchan_dequeue_done_locked(ch, &km, 1, 1, ret);
		spin_unlock(&ch->lock);
		ipcchan_dequeue_release(&km, 1, ret);
		return ret;
	}
	/* Slow path: copy with the lock dropped, the message in flight. */
	spin_unlock(&ch->lock);

	if (ipcchan_payload_out(dst, km->data, km->len) ||
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
	struct ipcchan_ubuf dst = {};
	struct ipcchan_wait w;
	struct ipcchan_msg m;
	long ret;

	ch = ipcchan_msg_in(file, um, IPCCHAN_ACCESS_RECV, &m, &w);
	if (IS_ERR(ch))
		return PTR_ERR(ch);

	dst.buf = u64_to_user_ptr(m.buf);
	ret = ipcchan_recv_one(ch, &dst, m.len, &w, &m, um);
	if (ret == -EMSGSIZE && put_user(m.len, IPCCHAN_MSG_U32(um, len)))
		return -EFAULT;
	return ret < 0 ? ret : 0;
}

/* read(2) and readv(2): receive one message into @dst, @count bytes. */
static ssize_t ipcchan_read_to(struct file *file,
			       const struct ipcchan_ubuf *dst, size_t count)
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
	return ipcchan_recv_one(ch, dst, min_t(size_t, count, U32_MAX), &w, &m,
				NULL);
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
	struct ipcchan_ubuf dst = { .buf = buf };

	return ipcchan_read_to(file, &dst, count);
}

/**
 * ipcchan_read_iter - readv(2): receive one message across the buffers
 * @iocb: the file
 * @to: the buffers
 *
 * Return: the message length or a negative errno.
 */
ssize_t ipcchan_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct ipcchan_ubuf dst = { .iter = to };

	return ipcchan_read_to(iocb->ki_filp, &dst, iov_iter_count(to));
}

/* write(2) and writev(2): send @count bytes from @src as one message. */
static ssize_t ipcchan_write_from(struct file *file,
				  const struct ipcchan_ubuf *src, size_t count)
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
	ret = ipcchan_send_one(ch, src, count, 0, &w, NULL);
	return ret ? ret : count;
}

/**
 * ipcchan_write - write(2): send the buffer as one message of priority 0
 * @file: an attached file with send access
 * @buf: payload
 * @count: its length (0 sends an empty message)
 * @ppos: unused (not seekable)
 *
 * Return: @count or a negative errno.
 */
ssize_t ipcchan_write(struct file *file, const char __user *buf, size_t count,
		      loff_t *ppos)
{
	struct ipcchan_ubuf src = { .buf = (void __user *)buf };

	return ipcchan_write_from(file, &src, count);
}

/**
 * ipcchan_write_iter - writev(2): send all the buffers as one message
 * @iocb: the file
 * @from: the buffers, in order
 *
 * Return: the message length or a negative errno.
 */
ssize_t ipcchan_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct ipcchan_ubuf src = { .iter = from };

	return ipcchan_write_from(iocb->ki_filp, &src, iov_iter_count(from));
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
	if (ipcchan_hung_up_locked(ch))
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
 * Takes both locks (send lock first) for a few loads: the counters are of
 * one instant, and cur_msgs, the messages sent and not yet received
 * (queued, or being copied to a receiver), is exactly sent - received.
 */
void ipcchan_msgq_snapshot(struct ipcchan_channel *ch,
			   struct ipcchan_msgq_snap *s)
{
	spin_lock(&ch->send_lock);
	spin_lock(&ch->lock);
	s->sent = ch->sent;
	s->received = ch->received;
	s->cur_msgs = ch->sent - ch->received;
	s->cur_bytes = ch->sent_bytes - ch->received_bytes;
	s->blocked_senders = ch->blocked_senders;
	s->blocked_receivers = ch->blocked_receivers;
	spin_unlock(&ch->lock);
	spin_unlock(&ch->send_lock);
}
