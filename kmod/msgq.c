// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan message queue: SEND/RECV of one message, read(2)/write(2), the
 * queue's poll readiness, and the primitives batch.c builds on.
 *
 * Senders and receivers have a lock each (ch->send_lock, ch->lock), so a
 * producer and a consumer never wait for each other's critical sections.
 * They meet in lock-free lists (ch->incoming, the free lists) and in
 * counter pairs each side counts up under its own lock (ipcchan.h).
 *
 * The life of a message, sent with SEND and received with RECV:
 *
 *  1. ipcchan_send() checks the argument (msg_in()); send_one() first
 *     tries send_fast(): with a free slot and a kept small object it copies
 *     the payload in under the send lock, page faults disabled, and goes
 *     on at step 4 in the same critical section.
 *  2. Else ipcchan_send_prepare() takes a slot under the send lock,
 *     waiting in wait_locked() until has_room(), and for the slot an object
 *     or the right to allocate one (ipcchan_obj_take_locked(), msg.c); with
 *     the lock dropped ipcchan_kmsg_get() allocates.  A sender waiting for
 *     a slot holds no memory.
 *  3. payload_in() copies the payload in, no lock held.
 *  4. ipcchan_send_commit() numbers the message and gives it its sender's
 *     pid (prep_sent_locked()) and pushes it on ch->incoming
 *     (publish_locked()); with the lock dropped, it wakes one receiver
 *     (wake_receivers()).
 *  5. ipcchan_recv() -> recv_one() -> dequeue_locked(), under ch->lock:
 *     wait_locked() until drain_incoming_any() has moved ch->incoming to
 *     the priority FIFOs and one is not empty; take the oldest message of
 *     the highest priority.  It keeps its slot: it is in flight.
 *  6. deliver_atomic() copies a small message out right there, page
 *     faults disabled; else, or if that would fault, payload_out() copies
 *     it with the lock dropped.  A failed copy puts the message back at
 *     the head of its FIFO and RECV fails with EFAULT: nothing is lost.
 *  7. dequeue_done_locked() drops its pid, keeps the object for the next
 *     sender (ipcchan_recycle_locked(), msg.c) and gives the slot back;
 *     with the lock dropped, dequeue_release() hands the slot to a sender
 *     waiting for one, if any (grant_slots()), and frees what was not kept.
 *
 * Every payload copy is a plain copy_{from,to}_user() (or iov_iter copy),
 * so hardened usercopy checks each one against its object.
 *
 * Waits are exclusive: one message wakes one receiver, one slot one
 * sender.  No wake-up is lost: a waiter queues itself, then re-checks its
 * condition under its own lock (set_current_state() is a full barrier);
 * the other side changes the condition with a fully ordered atomic
 * (llist_add()) or a store followed by smp_mb(), then looks at the queue.
 * So the wake-ups need no lock, and come after the lock is dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "limits.h"
#include "msg.h"
#include "msgq.h"
#include "ucopy.h"

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

/* --- Waiting and waking ------------------------------------------------ */

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
 * Wake @nr exclusive waiters of @wq (and every poller) for @events.  The
 * caller holds the lock the waiters check their condition under, or has
 * changed that condition with a full barrier after it, so an empty queue
 * here means nobody can miss the change.  Not a "sync" wake-up: the waker
 * goes on running.
 */
static void wake_waiters(struct wait_queue_head *wq, unsigned int nr,
			 __poll_t events)
{
	/* Ordered by the lock or barrier described above. */
	if (!nr || !waitqueue_active(wq))
		return;
	__wake_up(wq, TASK_INTERRUPTIBLE, nr, poll_to_key(events));
}

/*
 * A task in wait_locked().  A sender's entry wakes through grant_wake():
 * a receiver that gives slots back hands them to waiting senders
 * (grant_slots()), and @granted tells the woken sender its slot is taken.
 */
struct ipcchan_waiter {
	struct wait_queue_entry entry;
	struct ipcchan_channel *ch;
	bool granted;
};

/*
 * A sender's wake function, called with its wait queue's lock held.  Only
 * grant_slots() wakes with ch->grant_room set (under the send lock, which
 * the waiter checks @granted under); every other wake-up leaves the sender
 * to look for room itself.
 */
static int grant_wake(struct wait_queue_entry *entry, unsigned int mode,
		      int sync, void *key)
{
	struct ipcchan_waiter *wt = container_of(entry, struct ipcchan_waiter,
						 entry);
	struct ipcchan_channel *ch = wt->ch;
	int ret;

	ret = autoremove_wake_function(entry, mode, sync, key);
	if (ret && ch->grant_room) {
		ch->grant_room--;
		wt->granted = true;
	}
	return ret;
}

/*
 * Wait on @wq (exclusively) until @cond holds.  @lock (the channel's send
 * lock or its lock) is held; it is dropped while asleep and held again on
 * return.  @nwaiting counts the blocked tasks.  With @granted (senders),
 * the wait also ends when a receiver hands this task a slot, and
 * *@granted says so: the slot is already taken for it.
 *
 * Returns 0 with @cond true or a slot granted, or -EAGAIN, -ETIMEDOUT,
 * -EINTR (timed wait interrupted) or -ERESTARTSYS (untimed wait
 * interrupted).
 */
static int wait_locked(struct ipcchan_channel *ch, spinlock_t *lock,
		       struct wait_queue_head *wq,
		       bool (*cond)(struct ipcchan_channel *ch),
		       u32 *nwaiting, const struct ipcchan_wait *w,
		       bool *granted)
	__must_hold(lock)
{
	struct ipcchan_waiter wt = {
		.entry = {
			.private = current,
			.func = granted ? grant_wake : autoremove_wake_function,
			.entry = LIST_HEAD_INIT(wt.entry.entry),
		},
		.ch = ch,
	};
	int ret = 0;

	lockdep_assert_held(lock);
	if (cond(ch))
		return 0;
	if (w->nonblock)
		return -EAGAIN;

	(*nwaiting)++;
	for (;;) {
		prepare_to_wait_exclusive(wq, &wt.entry, TASK_INTERRUPTIBLE);
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
		/* Granted under this lock: a signal or timeout comes second. */
		if (wt.granted)
			break;
	}
	finish_wait(wq, &wt.entry);
	(*nwaiting)--;
	if (granted)
		*granted = wt.granted;

	/*
	 * An exclusive wake-up may have picked this task just as it gave up:
	 * hand it on so the message (or slot) does not sit unnoticed.
	 */
	if (ret && cond(ch))
		wake_up(wq);
	return ret;
}

/* --- The queue ---------------------------------------------------------- */

/* Senders' wait condition: only senders take slots, so room stays. */
static bool has_room(struct ipcchan_channel *ch)
{
	return ipcchan_slots_used(ch) < ch->max_msgs;
}

static void link_msg(struct ipcchan_channel *ch, struct ipcchan_kmsg *km,
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

/* Move what senders pushed to the priority FIFOs, oldest first. */
static void drain_incoming_locked(struct ipcchan_channel *ch)
{
	struct ipcchan_kmsg *km, *tmp;
	struct llist_node *l;

	lockdep_assert_held(&ch->lock);
	if (llist_empty(&ch->incoming))
		return;
	l = llist_reverse_order(llist_del_all(&ch->incoming));
	llist_for_each_entry_safe(km, tmp, l, lnode)
		link_msg(ch, km, false);
}

/* Receivers' wait condition: drain, then is any message queued? */
static bool drain_incoming_any(struct ipcchan_channel *ch)
{
	drain_incoming_locked(ch);
	return ch->cur_msgs != 0;
}

/* Unlinked and nothing left to receive: EPOLLHUP for pollers. */
static bool hung_up_locked(struct ipcchan_channel *ch)
{
	lockdep_assert_held(&ch->lock);
	return READ_ONCE(ch->unlinked) && !ch->cur_msgs && !ch->inflight &&
	       llist_empty(&ch->incoming);
}

/* --- Payloads and arguments --------------------------------------------- */

/*
 * Where a payload comes from (send) or goes to (receive): a user buffer,
 * or, for readv(2)/writev(2), an iov_iter.
 */
struct user_buf {
	void __user *buf;
	struct iov_iter *iter;
};

static int payload_in(void *data, const struct user_buf *u, u32 len)
{
	if (u->iter)
		return copy_from_iter_full(data, len, u->iter) ? 0 : -EFAULT;
	return copy_from_user(data, u->buf, len) ? -EFAULT : 0;
}

static int payload_out(const struct user_buf *u, const void *data, u32 len)
{
	if (u->iter)
		return copy_to_iter(data, len, u->iter) == len ? 0 : -EFAULT;
	return copy_to_user(u->buf, data, len) ? -EFAULT : 0;
}

/* The same layout for 32- and 64-bit userspace (compat_ptr_ioctl). */
static_assert(sizeof(struct ipcchan_msg) == 64);

/* A SEND or RECV call: its argument, copied in, and what it says. */
struct msg_call {
	struct ipcchan_msg m;
	struct ipcchan_wait w;
	struct user_buf buf;
};

/*
 * Copy in and check a SEND/RECV argument: the struct, its flags and
 * timeout, and the file's attachment and @access.  Returns the channel.
 */
static struct ipcchan_channel *msg_in(struct file *file,
				      struct ipcchan_msg __user *um,
				      u32 access, struct msg_call *c)
{
	int ret;

	if (copy_from_user(&c->m, um, sizeof(c->m)))
		return ERR_PTR(-EFAULT);
	ret = ipcchan_check_msg(&c->m, false);
	if (!ret)
		ret = ipcchan_wait_setup(&c->w, file, c->m.flags,
					 c->m.timeout_ns);
	if (ret)
		return ERR_PTR(ret);
	c->buf.buf = u64_to_user_ptr(c->m.buf);
	c->buf.iter = NULL;
	return ipcchan_chan_for(file, access);
}

/* --- SEND ---------------------------------------------------------------- */

/*
 * Give a filled message its sequence number and sender and chain it in
 * front of @head (newest first, as on ch->incoming).
 */
static void prep_sent_locked(struct ipcchan_channel *ch,
			     struct ipcchan_kmsg *km, struct llist_node *head)
{
	lockdep_assert_held(&ch->send_lock);
	km->seq = ++ch->seq;
	ipcchan_pid_get_locked(ch, km);
	km->lnode.next = head;
	ch->sent++;
	ch->sent_bytes += km->len;
}

/*
 * Publish chained messages (@first newest .. @last oldest), whose slots
 * are taken.  Under the send lock, so ch->incoming keeps the order of
 * their sequence numbers; the caller wakes receivers once it has dropped
 * the lock (wake_receivers()).
 */
static void publish_locked(struct ipcchan_channel *ch,
			   struct ipcchan_kmsg *first,
			   struct ipcchan_kmsg *last)
{
	lockdep_assert_held(&ch->send_lock);
	llist_add_batch(&first->lnode, &last->lnode, &ch->incoming);
}

/*
 * Wake up to @n receivers for messages publish_locked() queued, with no
 * lock held: try_to_wake_up() (run-queue locks, perhaps an IPI) then does
 * not lengthen the critical section other senders spin on, as mqueue and
 * futex wake after unlocking (wake_q).  llist_add_batch() is fully
 * ordered, so a receiver queued on recv_wq before it is seen here.
 */
static void wake_receivers(struct ipcchan_channel *ch, unsigned int n)
{
	wake_waiters(&ch->recv_wq, n, EPOLLIN | EPOLLRDNORM);
}

/* Free objects that carry no message any more and give back their slots. */
static void send_abort(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
		       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (kms[i])
			ipcchan_kmsg_free(kms[i]);
	spin_lock(&ch->send_lock);
	ch->objs -= n;
	WRITE_ONCE(ch->taken, ch->taken - n);
	wake_waiters(&ch->send_wq, n, EPOLLOUT | EPOLLWRNORM);
	spin_unlock(&ch->send_lock);
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
 * free, and an object for each (ipcchan_kmsg_get()): the caller fills in
 * prio and the payload.  Every object taken here goes back with
 * ipcchan_send_commit().
 *
 * Return: how many were prepared (>= 1), or a negative errno when none was.
 */
int ipcchan_send_prepare(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
			 const u32 *lens, unsigned int n,
			 const struct ipcchan_wait *w)
{
	bool granted = false;
	unsigned int i, k;
	int ret;

	spin_lock(&ch->send_lock);
	ret = wait_locked(ch, &ch->send_lock, &ch->send_wq, has_room,
			  &ch->blocked_senders, w, &granted);
	if (ret) {
		spin_unlock(&ch->send_lock);
		return ret;
	}
	/* A granted slot is taken already; take what else is free. */
	k = granted + min_t(unsigned int, n - granted,
			    ch->max_msgs - ipcchan_slots_used(ch));
	WRITE_ONCE(ch->taken, ch->taken + k - granted);
	for (i = 0; i < k; i++)
		kms[i] = ipcchan_obj_take_locked(ch, lens[i]);
	spin_unlock(&ch->send_lock);

	for (i = 0; i < k; i++) {
		kms[i] = ipcchan_kmsg_get(kms[i], lens[i]);
		if (!kms[i])
			break;
	}
	if (i < k) {
		/* Out of memory: keep what is ready, give back the rest. */
		send_abort(ch, kms + i, k - i);
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
	u64 first_seq, bytes = 0;
	unsigned int i;

	if (ok < n)
		send_abort(ch, kms + ok, n - ok);
	if (!ok)
		return 0;
	spin_lock(&ch->send_lock);
	/* Published messages may be received and freed at once: note it. */
	first_seq = ch->seq + 1;
	for (i = 0; i < ok; i++) {
		prep_sent_locked(ch, kms[i], head);
		head = &kms[i]->lnode;
		bytes += kms[i]->len;
	}
	publish_locked(ch, kms[ok - 1], kms[0]);
	spin_unlock(&ch->send_lock);
	wake_receivers(ch, ok);
	ipcchan_stats_add(ok, bytes);
	return first_seq;
}

/*
 * Steps 1-4 in one critical section, for a small message when there is
 * room and a kept object: the payload and the out fields of @um (if any)
 * are copied with page faults disabled, so nothing sleeps.  Returns 0
 * (sent, @um written) or 1 when the caller must take the slow path (no
 * room, no object, or a copy would fault: nothing is sent then).
 */
static int send_fast(struct ipcchan_channel *ch, const void __user *buf,
		     u32 len, u32 prio, struct ipcchan_msg __user *um)
{
	struct ipcchan_kmsg *km;
	int ret;

	if (!ipcchan_free_any(ch))
		return 1;
	spin_lock(&ch->send_lock);
	if (!has_room(ch))
		goto out_slow;
	km = ipcchan_free_pop_locked(ch);
	if (!km)
		goto out_slow;
	pagefault_disable();
	ret = copy_from_user(km->data, buf, len) ? -EFAULT : 0;
	/* The sequence number it will get: this lock is held throughout. */
	if (!ret && um)
		ret = ipcchan_put_send_outs(um, 1, ch->seq + 1);
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
	prep_sent_locked(ch, km, NULL);
	publish_locked(ch, km, km);
	spin_unlock(&ch->send_lock);
	/* ZOO BEGIN lost-wakeup: the fast path queues without waking a receiver */
	wake_receivers(ch, 1);
	/* ZOO END lost-wakeup */
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
static int send_one(struct ipcchan_channel *ch, const struct user_buf *src,
		    u32 len, u32 prio, const struct ipcchan_wait *w,
		    struct ipcchan_msg __user *um)
{
	struct ipcchan_kmsg *km;
	u64 seq;
	int ret;

	if (!src->iter && len <= IPCCHAN_SMALL_MSG &&
	    !send_fast(ch, src->buf, len, prio, um))
		return 0;
	if (um && ipcchan_put_send_outs(um, 1, 0))
		return -EFAULT;
	ret = ipcchan_send_prepare(ch, &km, &len, 1, w);
	if (ret < 0)
		return ret;
	km->prio = prio;
	ret = payload_in(km->data, src, len);
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
	struct ipcchan_channel *ch;
	struct msg_call c;

	ch = msg_in(file, uarg, IPCCHAN_ACCESS_SEND, &c);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	if (c.m.prio > IPCCHAN_PRIO_MAX)
		return -EINVAL;
	if (c.m.len > ch->max_msg_size)
		return -EMSGSIZE;
	return send_one(ch, &c.buf, c.m.len, c.m.prio, &c.w, uarg);
}

/* --- RECV ---------------------------------------------------------------- */

/* ipcchan_dequeue() with the channel lock held throughout. */
static int dequeue_locked(struct ipcchan_channel *ch,
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

	ret = wait_locked(ch, &ch->lock, &ch->recv_wq, drain_incoming_any,
			  &ch->blocked_receivers, w, NULL);
	if (ret)
		return ret;
	/*
	 * Highest priority first, each FIFO in order; the run taken from a
	 * FIFO leaves it in one list_cut_position().  The first message that
	 * does not fit its cap ends the call.
	 */
	while (i < n) {
		/* LAB4 BEGIN prio: the highest priority with a message (prio_map). */
		p = find_last_bit(&ch->prio_map, IPCCHAN_NR_PRIO);
		/*
		 * LAB4 STUB prio
		 *	p = find_first_bit(&ch->prio_map, IPCCHAN_NR_PRIO);
		 * LAB4 END prio
		 */
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
			wake_waiters(&ch->recv_wq, 1, EPOLLIN | EPOLLRDNORM);
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
	ret = dequeue_locked(ch, kms, caps, n, w, too_big);
	spin_unlock(&ch->lock);
	return ret;
}

/*
 * The locked half of ipcchan_dequeue_done(): put back the undelivered,
 * recycle the delivered where there is room (their @kms entries become
 * NULL) and give their slots back; dequeue_release() wakes senders.
 */
static void dequeue_done_locked(struct ipcchan_channel *ch,
				struct ipcchan_kmsg **kms, unsigned int n,
				unsigned int done, u64 bytes)
{
	unsigned int i;

	lockdep_assert_held(&ch->lock);
	for (i = n; i > done; i--)
		link_msg(ch, kms[i - 1], true);
	ch->inflight -= n;
	ch->received += done;
	ch->received_bytes += bytes;
	wake_waiters(&ch->recv_wq, n - done, EPOLLIN | EPOLLRDNORM);
	if (!done)
		return;
	for (i = 0; i < done; i++) {
		ipcchan_pid_put_locked(ch, kms[i]);
		if (ipcchan_recycle_locked(ch, kms[i]))
			kms[i] = NULL;
	}
	/* ZOO BEGIN missing-release: given is published with a plain store */
	/*
	 * Release, pairs with the acquire in ipcchan_slots_used(): a sender
	 * that sees the slots sees the objects kept or counted freed above.
	 */
	smp_store_release(&ch->given, ch->given + done);
	/*
	 * ZOO BROKEN missing-release
	 *	WRITE_ONCE(ch->given, ch->given + done);
	 * ZOO END missing-release
	 */
	/* The last message of an unlinked channel: its pollers hang up. */
	if (hung_up_locked(ch))
		wake_up_interruptible_poll(&ch->recv_wq, EPOLLHUP);
}

/*
 * Hand up to @n slots just given back to senders waiting for one, oldest
 * first, and wake them (and the pollers).  Each woken sender finds its
 * slot taken for it (grant_wake()), as mqueue hands a waiting sender's
 * message on: a sender that never waited cannot take the slot in between
 * and send the woken one back to sleep, which cost two context switches
 * for nothing.  With no lock held: the send lock is taken here, after
 * ch->lock is dropped, and only when someone waits.
 */
static void grant_slots(struct ipcchan_channel *ch, unsigned int n)
{
	unsigned int room, granted;

	/* Slots given back before a sender's queue is looked at. */
	smp_mb();
	/* Pairs with the barrier in a waiting sender's set_current_state(). */
	if (!n || !waitqueue_active(&ch->send_wq))
		return;
	spin_lock(&ch->send_lock);
	room = ch->max_msgs - ipcchan_slots_used(ch);
	ch->grant_room = min(n, room);
	granted = ch->grant_room;
	/* No room left (a sender took it): nobody to wake. */
	if (granted)
		__wake_up(&ch->send_wq, TASK_INTERRUPTIBLE, granted,
			  poll_to_key(EPOLLOUT | EPOLLWRNORM));
	granted -= ch->grant_room;
	ch->grant_room = 0;
	WRITE_ONCE(ch->taken, ch->taken + granted);
	spin_unlock(&ch->send_lock);
}

/*
 * The unlocked half: hand the slots given back to waiting senders, free
 * what was not recycled, count @bytes out.
 */
static void dequeue_release(struct ipcchan_channel *ch,
			    struct ipcchan_kmsg **kms, unsigned int done,
			    u64 bytes)
{
	unsigned int i;

	grant_slots(ch, done);
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
	dequeue_done_locked(ch, kms, n, done, bytes);
	spin_unlock(&ch->lock);
	dequeue_release(ch, kms, done, bytes);
}

/*
 * Copy a small message and its out fields to userspace under the channel
 * lock: page faults are disabled, so nothing sleeps; a copy that would
 * fault fails and the caller retries with the lock dropped.
 */
static bool deliver_atomic(void __user *buf, const struct ipcchan_kmsg *km,
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
 * the struct back before the message counts as delivered.  Returns the
 * message length or a negative errno; *m gets the out fields.
 */
static long recv_one(struct ipcchan_channel *ch, const struct user_buf *dst,
		     u32 cap, const struct ipcchan_wait *w,
		     struct ipcchan_msg *m, struct ipcchan_msg __user *um)
{
	struct ipcchan_kmsg *km;
	u32 too_big = 0;
	long ret;

	spin_lock(&ch->lock);
	ret = dequeue_locked(ch, &km, &cap, 1, w, &too_big);
	if (ret < 0) {
		spin_unlock(&ch->lock);
		if (ret == -EMSGSIZE)
			m->len = too_big;
		return ret;
	}
	ipcchan_msg_out(m, km);
	ret = km->len;
	if (!dst->iter && km->len <= IPCCHAN_SMALL_MSG &&
	    deliver_atomic(dst->buf, km, m, um)) {
		dequeue_done_locked(ch, &km, 1, 1, ret);
		spin_unlock(&ch->lock);
		dequeue_release(ch, &km, 1, ret);
		return ret;
	}
	/* Slow path: copy with the lock dropped, the message in flight. */
	spin_unlock(&ch->lock);

	if (payload_out(dst, km->data, km->len) ||
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
	struct msg_call c;
	long ret;

	ch = msg_in(file, um, IPCCHAN_ACCESS_RECV, &c);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	ret = recv_one(ch, &c.buf, c.m.len, &c.w, &c.m, um);
	if (ret == -EMSGSIZE && put_user(c.m.len, IPCCHAN_MSG_U32(um, len)))
		return -EFAULT;
	return ret < 0 ? ret : 0;
}

/* --- read(2), write(2), readv(2), writev(2) ------------------------------ */

/* Receive one message into @dst, @count bytes. */
static ssize_t read_to(struct file *file, const struct user_buf *dst,
		       size_t count)
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
	return recv_one(ch, dst, min_t(size_t, count, U32_MAX), &w, &m, NULL);
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
	struct user_buf dst = { .buf = buf };

	return read_to(file, &dst, count);
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
	struct user_buf dst = { .iter = to };

	return read_to(iocb->ki_filp, &dst, iov_iter_count(to));
}

/* Send @count bytes from @src as one message. */
static ssize_t write_from(struct file *file, const struct user_buf *src,
			  size_t count)
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
	ret = send_one(ch, src, count, 0, &w, NULL);
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
	struct user_buf src = { .buf = (void __user *)buf };

	return write_from(file, &src, count);
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
	struct user_buf src = { .iter = from };

	return write_from(iocb->ki_filp, &src, iov_iter_count(from));
}

/* --- The queue as a whole ------------------------------------------------ */

/**
 * ipcchan_msgq_poll - the queue's part of poll(2)
 * @ch: the channel
 * @file: the file
 * @pt: poll table
 *
 * Return: EPOLLIN/EPOLLOUT/EPOLLHUP as documented in the UAPI header.
 */
__poll_t ipcchan_msgq_poll(struct ipcchan_channel *ch, struct file *file,
			   struct poll_table_struct *pt)
{
	/* LAB4 BEGIN poll: poll_wait() on both queues, then the real mask. */
	__poll_t mask = 0;

	/* ZOO BEGIN missing-poll-wait: no poll_wait() on the receivers' queue */
	poll_wait(file, &ch->recv_wq, pt);
	poll_wait(file, &ch->send_wq, pt);
	/*
	 * ZOO BROKEN missing-poll-wait
	 *	poll_wait(file, &ch->send_wq, pt);
	 * ZOO END missing-poll-wait
	 */

	/* Queued on both wait queues before the state is read. */
	smp_mb();
	spin_lock(&ch->lock);
	if (drain_incoming_any(ch))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (hung_up_locked(ch))
		mask |= EPOLLHUP;
	spin_unlock(&ch->lock);
	if (has_room(ch))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
	/*
	 * LAB4 STUB poll
	 *	return DEFAULT_POLLMASK;
	 * LAB4 END poll
	 */
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
	s->cur_msgs = ipcchan_unreceived(ch);
	s->cur_bytes = ipcchan_unreceived_bytes(ch);
	s->blocked_senders = ch->blocked_senders;
	s->blocked_receivers = ch->blocked_receivers;
	spin_unlock(&ch->lock);
	spin_unlock(&ch->send_lock);
}

/**
 * ipcchan_msgq_purge - free every message of a dying channel
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
	ipcchan_msgs_free_kept(ch);
}
