// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan message queue: SEND/RECV (one message), read(2)/write(2) and
 * poll(2) on an attached file, and the queue primitives batch.c builds
 * SEND_BATCH/RECV_BATCH on.
 *
 * A channel keeps one FIFO per priority and a bitmap of the non-empty ones,
 * so the next message is found with one find_last_bit().  Send allocates
 * the message and copies the payload in before taking the channel lock,
 * then waits for a slot, links the message and wakes one receiver.  Receive
 * takes the lock, waits for a message, unlinks it (still counted against
 * the queue depth as "in flight"), drops the lock and copies it out; when
 * the copy faults the message goes back to the head of its priority and the
 * call fails with EFAULT, so nothing is ever lost.  Waits are exclusive:
 * one message wakes one receiver, one freed slot wakes one sender.
 *
 * Small messages (the common case) take a shorter road: a delivered one is
 * kept on the channel's free list, a sender with room and a free object
 * copies its payload straight in under the lock, and a receiver copies a
 * small message out under the lock, both with page faults disabled, so
 * nothing sleeps there and one lock round trip moves a message.  A copy
 * that would fault (page not present, bad pointer) falls back to the road
 * above, which reports EFAULT the same way.
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

	spin_lock_init(&ch->lock);
	for (p = 0; p < IPCCHAN_NR_PRIO; p++)
		INIT_LIST_HEAD(&ch->queue[p]);
	INIT_LIST_HEAD(&ch->free_msgs);
	init_waitqueue_head(&ch->recv_wq);
	init_waitqueue_head(&ch->send_wq);
}

/*
 * Small messages (the common case) come from a dedicated cache, larger
 * ones from kvmalloc(); both are charged to the sender's memcg.  A
 * delivered small message goes on its channel's free list for the next
 * sender, as long as free, queued and in-flight messages together stay
 * within max_msgs; so a steady stream allocates, zeroes and frees nothing.
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
 * @km: the message, its pid already dropped (ipcchan_pid_put_locked())
 */
void ipcchan_kmsg_free(struct ipcchan_kmsg *km)
{
	if (km->len <= IPCCHAN_SMALL_MSG)
		kmem_cache_free(ipcchan_msg_cache, km);
	else
		kvfree(km);
}

/**
 * ipcchan_msgq_purge - free every queued message of a dying channel
 * @ch: the channel; nobody else can reach it any more
 */
void ipcchan_msgq_purge(struct ipcchan_channel *ch)
{
	struct ipcchan_kmsg *km, *tmp;
	int p;

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
	list_for_each_entry_safe(km, tmp, &ch->free_msgs, node) {
		list_del(&km->node);
		ipcchan_kmsg_free(km);
	}
	ch->nr_free = 0;
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
	int i, unused = -1;

	lockdep_assert_held(&ch->lock);
	km->pid = pid;
	for (i = 0; i < IPCCHAN_PID_SLOTS; i++) {
		if (ch->senders[i].pid == pid) {
			ch->senders[i].users++;
			km->pid_slot = i;
			return;
		}
		if (!ch->senders[i].users && unused < 0)
			unused = i;
	}
	if (unused < 0) {
		km->pid_slot = IPCCHAN_PID_OWN;
		get_pid(pid);
		return;
	}
	put_pid(ch->senders[unused].pid);
	ch->senders[unused].pid = get_pid(pid);
	ch->senders[unused].users = 1;
	km->pid_slot = unused;
}

/* Drop the pid reference of a message leaving the queue for good. */
static void ipcchan_pid_put_locked(struct ipcchan_channel *ch,
				   struct ipcchan_kmsg *km)
{
	lockdep_assert_held(&ch->lock);
	if (km->pid_slot == IPCCHAN_PID_OWN)
		put_pid(km->pid);
	else
		ch->senders[km->pid_slot].users--;
	km->pid = NULL;
}

/* Take the most recently freed (cache-warm) object off the free list. */
static struct ipcchan_kmsg *ipcchan_free_pop_locked(struct ipcchan_channel *ch)
{
	struct ipcchan_kmsg *km;

	lockdep_assert_held(&ch->lock);
	km = list_first_entry(&ch->free_msgs, struct ipcchan_kmsg, node);
	list_del(&km->node);
	WRITE_ONCE(ch->nr_free, ch->nr_free - 1);
	return km;
}

/**
 * ipcchan_kmsg_reuse - take recycled small messages off the free list
 * @ch: the channel
 * @kms: out: the messages
 * @n: how many are wanted
 *
 * Return: how many were taken (0..@n), to be passed to ipcchan_kmsg_new().
 */
unsigned int ipcchan_kmsg_reuse(struct ipcchan_channel *ch,
				struct ipcchan_kmsg **kms, unsigned int n)
{
	unsigned int i;

	/* Unlocked peek: at worst a message is allocated that need not be. */
	if (!n || !READ_ONCE(ch->nr_free))
		return 0;
	spin_lock(&ch->lock);
	for (i = 0; i < n && ch->nr_free; i++)
		kms[i] = ipcchan_free_pop_locked(ch);
	spin_unlock(&ch->lock);
	return i;
}

/*
 * Wake @nr exclusive waiters of @wq (and every poller) for @events.  Called
 * under the channel lock, which every waiter holds while it queues itself
 * and checks its condition, so an empty queue here means nobody can miss
 * the change.  One task is woken "sync", like pipes do: the waker is about
 * to return to userspace, so the woken task may run on this CPU.
 */
static void ipcchan_wake(struct ipcchan_channel *ch, struct wait_queue_head *wq,
			 unsigned int nr, __poll_t events)
{
	lockdep_assert_held(&ch->lock);
	/* Waiters queue under ch->lock too (see above): no barrier needed. */
	if (!nr || !waitqueue_active(wq))
		return;
	if (nr == 1)
		wake_up_interruptible_sync_poll(wq, events);
	else
		__wake_up(wq, TASK_INTERRUPTIBLE, nr, poll_to_key(events));
}

static bool ipcchan_has_msg(struct ipcchan_channel *ch)
{
	return ch->cur_msgs != 0;
}

static bool ipcchan_has_room(struct ipcchan_channel *ch)
{
	return ch->cur_msgs + ch->inflight < ch->max_msgs;
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
 * Wait on @wq (exclusively) until @cond holds.  @ch is locked by the caller;
 * the lock is dropped while asleep and held again on return.  @nwaiting
 * counts the blocked tasks; @w says how long to wait.
 *
 * Returns 0 with @cond true, or -EAGAIN, -ETIMEDOUT, -EINTR (timed wait
 * interrupted) or -ERESTARTSYS (untimed wait interrupted).
 */
static int ipcchan_wait_locked(struct ipcchan_channel *ch,
			       struct wait_queue_head *wq,
			       bool (*cond)(struct ipcchan_channel *ch),
			       u32 *nwaiting, const struct ipcchan_wait *w)
	__must_hold(&ch->lock)
{
	DEFINE_WAIT(wait);
	int ret = 0;

	lockdep_assert_held(&ch->lock);
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
		spin_unlock(&ch->lock);
		if (w->timed) {
			ktime_t expires = w->deadline;

			schedule_hrtimeout(&expires, HRTIMER_MODE_ABS);
		} else {
			schedule();
		}
		spin_lock(&ch->lock);
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

/* Dequeue the next message by priority; caller holds the lock. */
static struct ipcchan_kmsg *ipcchan_peek(struct ipcchan_channel *ch)
{
	unsigned long p;

	lockdep_assert_held(&ch->lock);
	p = find_last_bit(&ch->prio_map, IPCCHAN_NR_PRIO);
	if (p >= IPCCHAN_NR_PRIO)
		return NULL;
	return list_first_entry(&ch->queue[p], struct ipcchan_kmsg, node);
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

static void ipcchan_unlink_msg(struct ipcchan_channel *ch,
			       struct ipcchan_kmsg *km)
{
	lockdep_assert_held(&ch->lock);
	list_del(&km->node);
	if (list_empty(&ch->queue[km->prio]))
		__clear_bit(km->prio, &ch->prio_map);
	ch->cur_msgs--;
	ch->cur_bytes -= km->len;
}

/**
 * ipcchan_kmsg_new - allocate a message and copy its payload in
 * @km: a recycled message from ipcchan_kmsg_reuse() (only for @len up to
 *      IPCCHAN_SMALL_MSG), or NULL to allocate one; consumed either way
 * @buf: payload in userspace
 * @len: its length, already checked against the channel's max_msg_size
 * @prio: its priority, already checked
 *
 * Only the header and the first @len payload bytes are ever read back, and
 * this writes all of them (the pid when the message is linked), so a
 * recycled object leaks nothing.
 *
 * Return: the message, or ERR_PTR(-ENOMEM / -EFAULT).
 */
struct ipcchan_kmsg *ipcchan_kmsg_new(struct ipcchan_kmsg *km,
				      const void __user *buf, u32 len, u32 prio)
{
	if (!km) {
		if (len <= IPCCHAN_SMALL_MSG)
			km = kmem_cache_alloc(ipcchan_msg_cache,
					      GFP_KERNEL_ACCOUNT);
		else
			km = kvmalloc(struct_size(km, data, len),
				      GFP_KERNEL_ACCOUNT);
		if (!km)
			return ERR_PTR(-ENOMEM);
	}
	km->len = len;
	km->pid = NULL;
	if (ipcchan_copy_in(km->data, buf, len)) {
		ipcchan_kmsg_free(km);
		return ERR_PTR(-EFAULT);
	}
	km->prio = prio;
	km->uid = current_euid();
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

/* Queue a filled message at the tail of its priority: seq, sender, link. */
static void ipcchan_link_sent_locked(struct ipcchan_channel *ch,
				     struct ipcchan_kmsg *km)
{
	km->seq = ++ch->seq;
	ipcchan_pid_get_locked(ch, km);
	ipcchan_link(ch, km, false);
	ch->sent++;
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
	unsigned int i = 0;
	u64 bytes = 0;
	int ret;

	spin_lock(&ch->lock);
	ret = ipcchan_wait_locked(ch, &ch->send_wq, ipcchan_has_room,
				  &ch->blocked_senders, w);
	if (ret) {
		spin_unlock(&ch->lock);
		return ret;
	}
	/*
	 * Linked messages may be received and freed as soon as the lock is
	 * dropped: report their (consecutive) sequence numbers from here.
	 */
	*first_seq = ch->seq + 1;
	for (i = 0; i < n && ipcchan_has_room(ch); i++) {
		ipcchan_link_sent_locked(ch, kms[i]);
		bytes += kms[i]->len;
	}
	/* One message wakes one receiver (plus every poller). */
	ipcchan_wake(ch, &ch->recv_wq, i, EPOLLIN | EPOLLRDNORM);
	spin_unlock(&ch->lock);
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
	unsigned int i;
	int ret;

	ret = ipcchan_wait_locked(ch, &ch->recv_wq, ipcchan_has_msg,
				  &ch->blocked_receivers, w);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		km = ipcchan_peek(ch);
		if (!km)
			break;
		if (km->len > caps[i]) {
			if (i)
				break;
			*too_big = km->len;
			/* Still queued: let another receiver try. */
			ipcchan_wake(ch, &ch->recv_wq, 1, EPOLLIN | EPOLLRDNORM);
			return -EMSGSIZE;
		}
		ipcchan_unlink_msg(ch, km);
		ch->inflight++;
		kms[i] = km;
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
 * Keep a delivered small message (its pid dropped) for the next
 * sender, as long as free + queued + in-flight messages stay within
 * max_msgs, the queue space the creator reserved.  Returns true if kept.
 */
static bool ipcchan_recycle_locked(struct ipcchan_channel *ch,
				   struct ipcchan_kmsg *km)
{
	lockdep_assert_held(&ch->lock);
	if (km->len > IPCCHAN_SMALL_MSG ||
	    ch->nr_free + ch->cur_msgs + ch->inflight >= ch->max_msgs)
		return false;
	list_add(&km->node, &ch->free_msgs);
	WRITE_ONCE(ch->nr_free, ch->nr_free + 1);
	return true;
}

/*
 * The locked half of ipcchan_dequeue_done(): put back the undelivered,
 * recycle the delivered where there is room (their @kms entries become
 * NULL), wake senders.
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
	for (i = 0; i < done; i++) {
		/* Delivered: nothing reads its sender any more. */
		ipcchan_pid_put_locked(ch, kms[i]);
		if (ipcchan_recycle_locked(ch, kms[i]))
			kms[i] = NULL;
	}
	ipcchan_wake(ch, &ch->send_wq, done, EPOLLOUT | EPOLLWRNORM);
	ipcchan_wake(ch, &ch->recv_wq, n - done, EPOLLIN | EPOLLRDNORM);
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
	if (!user_access_begin(um, sizeof(*um)))
		return -EFAULT;
	unsafe_put_user(m->len, &um->len, efault);
	unsafe_put_user(m->prio, &um->prio, efault);
	unsafe_put_user(m->pid, &um->pid, efault);
	unsafe_put_user(m->seq, &um->seq, efault);
	unsafe_put_user(m->uid, &um->uid, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
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
	if (!user_access_begin(um, sizeof(*um)))
		return -EFAULT;
	unsafe_put_user(0, &um->pid, efault);
	unsafe_put_user(seq, &um->seq, efault);
	unsafe_put_user(0, &um->uid, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
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
 * SEND of a small message when there is room and a recycled object: copy
 * the payload straight into the object under the channel lock, with page
 * faults disabled so nothing can sleep, and link it; one lock round trip.
 * Returns 0 (sent) or 1 when the caller must take the slow path (no room,
 * no object, or the copy would fault); never waits.
 */
static int ipcchan_send_fast(struct ipcchan_channel *ch,
			     const void __user *buf, u32 len, u32 prio,
			     u64 *seq)
{
	struct ipcchan_kmsg *km;
	int ret;

	if (!READ_ONCE(ch->nr_free))
		return 1;
	spin_lock(&ch->lock);
	if (!ch->nr_free || !ipcchan_has_room(ch))
		goto out_slow;
	km = list_first_entry(&ch->free_msgs, struct ipcchan_kmsg, node);
	pagefault_disable();
	ret = ipcchan_copy_in(km->data, buf, len);
	pagefault_enable();
	if (ret)
		goto out_slow;	/* the object stays on the free list */
	ipcchan_free_pop_locked(ch);
	km->len = len;
	km->prio = prio;
	km->uid = current_euid();
	ipcchan_link_sent_locked(ch, km);
	*seq = km->seq;
	ipcchan_wake(ch, &ch->recv_wq, 1, EPOLLIN | EPOLLRDNORM);
	spin_unlock(&ch->lock);
	ipcchan_stats_add(1, len);
	return 0;

out_slow:
	spin_unlock(&ch->lock);
	return 1;
}

/* Allocate, fill and queue one message (SEND and write(2)). */
static int ipcchan_send_one(struct ipcchan_channel *ch, const void __user *buf,
			    u32 len, u32 prio, const struct ipcchan_wait *w,
			    u64 *seq)
{
	struct ipcchan_kmsg *km;
	int ret;

	if (len <= IPCCHAN_SMALL_MSG && !ipcchan_send_fast(ch, buf, len, prio,
							   seq))
		return 0;
	/* Copy first, then wait for a slot, so a bad buffer fails at once. */
	km = ipcchan_kmsg_new(NULL, buf, len, prio);
	if (IS_ERR(km))
		return PTR_ERR(km);
	ret = ipcchan_enqueue(ch, &km, 1, w, seq);
	if (ret < 0) {
		ipcchan_kmsg_free(km);
		return ret;
	}
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
	u64 seq;
	int ret;

	ch = ipcchan_msg_in(file, um, IPCCHAN_ACCESS_SEND, &m, &w);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	if (m.prio > IPCCHAN_PRIO_MAX)
		return -EINVAL;
	if (m.len > ch->max_msg_size)
		return -EMSGSIZE;

	/* A struct userspace cannot write back fails before anything is sent. */
	if (ipcchan_put_send_out(um, 0))
		return -EFAULT;

	ret = ipcchan_send_one(ch, u64_to_user_ptr(m.buf), m.len, m.prio, &w,
			       &seq);
	if (ret)
		return ret;
	/* Sent whatever happens next: a failed report does not undo it. */
	if (put_user(seq, &um->seq))
		return -EFAULT;
	return 0;
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
	ret = ipcchan_copy_out(buf, km->data, km->len);
	if (!ret && um)
		ret = ipcchan_put_recv_out(um, m);
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
	u64 seq;
	int ret;

	ch = ipcchan_chan_for(file, IPCCHAN_ACCESS_SEND);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	if (count > ch->max_msg_size)
		return -EMSGSIZE;
	ret = ipcchan_wait_setup(&w, file, 0, 0);
	if (ret)
		return ret;
	ret = ipcchan_send_one(ch, buf, count, 0, &w, &seq);
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

	spin_lock(&ch->lock);
	if (ipcchan_has_msg(ch))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (ipcchan_has_room(ch))
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (READ_ONCE(ch->unlinked) && !ch->cur_msgs && !ch->inflight)
		mask |= EPOLLHUP;
	spin_unlock(&ch->lock);

	return mask | ipcchan_ring_poll(ch, file, pt);
}
