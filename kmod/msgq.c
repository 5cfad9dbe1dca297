// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan message queue: SEND/RECV (one message), SEND_BATCH/RECV_BATCH,
 * read(2)/write(2) and poll(2) on an attached file.
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
	init_waitqueue_head(&ch->recv_wq);
	init_waitqueue_head(&ch->send_wq);
}

/*
 * Small messages (the common case) come from a dedicated cache, larger
 * ones from kvmalloc(); both are charged to the sender's memcg.
 */
#define IPCCHAN_SMALL_MSG	256

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

static void ipcchan_kmsg_free(struct ipcchan_kmsg *km)
{
	put_pid(km->pid);
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
			atomic64_dec(&ipcchan_stats.messages);
			atomic64_sub(km->len, &ipcchan_stats.queued_bytes);
			ipcchan_kmsg_free(km);
		}
	}
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

static struct ipcchan_kmsg *ipcchan_kmsg_new(const void __user *buf, u32 len,
					     u32 prio)
{
	struct ipcchan_kmsg *km;

	if (len <= IPCCHAN_SMALL_MSG)
		km = kmem_cache_alloc(ipcchan_msg_cache, GFP_KERNEL_ACCOUNT);
	else
		km = kvmalloc(struct_size(km, data, len), GFP_KERNEL_ACCOUNT);
	if (!km)
		return ERR_PTR(-ENOMEM);
	km->len = len;
	km->pid = NULL;
	if (copy_from_user(km->data, buf, len)) {
		ipcchan_kmsg_free(km);
		return ERR_PTR(-EFAULT);
	}
	km->prio = prio;
	km->pid = get_pid(task_tgid(current));
	km->uid = current_euid();
	return km;
}

/* The attached channel, if this file may do @access with it. */
static struct ipcchan_channel *ipcchan_chan_for(struct file *file, u32 access)
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
 * Queue @n prepared messages: wait as @w says for the first slot, then take
 * as many slots as are free.  Returns how many were linked (the caller frees
 * the rest) or a negative errno when none was.
 */
static int ipcchan_enqueue(struct ipcchan_channel *ch,
			   struct ipcchan_kmsg **kms, unsigned int n,
			   const struct ipcchan_wait *w, u64 *first_seq)
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
		kms[i]->seq = ++ch->seq;
		ipcchan_link(ch, kms[i], false);
		ch->sent++;
		bytes += kms[i]->len;
	}
	/* One message wakes one receiver (plus every poller). */
	ipcchan_wake(ch, &ch->recv_wq, i, EPOLLIN | EPOLLRDNORM);
	spin_unlock(&ch->lock);
	atomic64_add(i, &ipcchan_stats.messages);
	atomic64_add(bytes, &ipcchan_stats.queued_bytes);
	return i;
}

/*
 * Take up to @n messages that fit @caps (in order), waiting as @w says for
 * the first.  They stay counted as in flight until ipcchan_dequeue_done().
 * Returns how many were taken, or -EMSGSIZE with *too_big set to the length
 * of a first message that does not fit, or another negative errno.
 */
static int ipcchan_dequeue(struct ipcchan_channel *ch,
			   struct ipcchan_kmsg **kms, const u32 *caps,
			   unsigned int n, const struct ipcchan_wait *w,
			   u32 *too_big)
{
	struct ipcchan_kmsg *km;
	unsigned int i;
	int ret;

	spin_lock(&ch->lock);
	ret = ipcchan_wait_locked(ch, &ch->recv_wq, ipcchan_has_msg,
				  &ch->blocked_receivers, w);
	if (ret) {
		spin_unlock(&ch->lock);
		return ret;
	}
	for (i = 0; i < n; i++) {
		km = ipcchan_peek(ch);
		if (!km)
			break;
		if (km->len > caps[i]) {
			if (i == 0) {
				*too_big = km->len;
				/* Still queued: let another receiver try. */
				ipcchan_wake(ch, &ch->recv_wq, 1,
					     EPOLLIN | EPOLLRDNORM);
				spin_unlock(&ch->lock);
				return -EMSGSIZE;
			}
			break;
		}
		ipcchan_unlink_msg(ch, km);
		ch->inflight++;
		kms[i] = km;
	}
	spin_unlock(&ch->lock);
	return i;
}

/*
 * Finish a dequeue of @n messages of which the first @done were delivered:
 * put the others back at the head of their priorities in their original
 * order, free the delivered ones and wake senders for the freed slots.
 */
static void ipcchan_dequeue_done(struct ipcchan_channel *ch,
				 struct ipcchan_kmsg **kms, unsigned int n,
				 unsigned int done)
{
	unsigned int i;
	u64 bytes = 0;

	spin_lock(&ch->lock);
	for (i = n; i > done; i--)
		ipcchan_link(ch, kms[i - 1], true);
	ch->inflight -= n;
	ch->received += done;
	ipcchan_wake(ch, &ch->send_wq, done, EPOLLOUT | EPOLLWRNORM);
	ipcchan_wake(ch, &ch->recv_wq, n - done, EPOLLIN | EPOLLRDNORM);
	spin_unlock(&ch->lock);

	for (i = 0; i < done; i++) {
		bytes += kms[i]->len;
		ipcchan_kmsg_free(kms[i]);
	}
	atomic64_sub(done, &ipcchan_stats.messages);
	atomic64_sub(bytes, &ipcchan_stats.queued_bytes);
}

static int ipcchan_check_msg(const struct ipcchan_msg *m, bool in_batch)
{
	if (m->reserved0 || !ipcchan_zeroed(m->reserved, ARRAY_SIZE(m->reserved)))
		return -EINVAL;
	if (in_batch && (m->flags || m->timeout_ns))
		return -EINVAL;
	return 0;
}

/* Fill the out fields of @m for a delivered message. */
static void ipcchan_msg_out(struct ipcchan_msg *m, const struct ipcchan_kmsg *km)
{
	m->len = km->len;
	m->prio = km->prio;
	m->pid = pid_vnr(km->pid);
	m->uid = from_kuid_munged(current_user_ns(), km->uid);
	m->seq = km->seq;
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

/* Allocate, fill and queue one message (SEND and write(2)). */
static int ipcchan_send_one(struct ipcchan_channel *ch, const void __user *buf,
			    u32 len, u32 prio, const struct ipcchan_wait *w,
			    u64 *seq)
{
	struct ipcchan_kmsg *km;
	int ret;

	km = ipcchan_kmsg_new(buf, len, prio);
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

	/* Out fields that do not apply to SEND read back as zero. */
	m.pid = 0;
	m.uid = 0;
	m.seq = 0;
	if (copy_to_user(um, &m, sizeof(m)))
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
 * Receive one message into @buf (at most @cap bytes); with @um, also write
 * the struct back before the message is committed as delivered.  Returns
 * the message length or a negative errno; *m gets the out fields.
 */
static long ipcchan_recv_one(struct ipcchan_channel *ch, void __user *buf,
			     u32 cap, const struct ipcchan_wait *w,
			     struct ipcchan_msg *m,
			     struct ipcchan_msg __user *um)
{
	struct ipcchan_kmsg *km;
	u32 too_big = 0;
	int ret;

	ret = ipcchan_dequeue(ch, &km, &cap, 1, w, &too_big);
	if (ret == -EMSGSIZE)
		m->len = too_big;
	if (ret < 0)
		return ret;

	ipcchan_msg_out(m, km);
	if (copy_to_user(buf, km->data, km->len) ||
	    (um && copy_to_user(um, m, sizeof(*m)))) {
		ipcchan_dequeue_done(ch, &km, 1, 0);
		return -EFAULT;
	}
	ret = km->len;
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

/* Copy in and check a batch descriptor and its entries. */
static struct ipcchan_msg *ipcchan_batch_in(struct ipcchan_batch *b,
					    void __user *uarg)
{
	struct ipcchan_msg *ms;
	unsigned int i;
	int ret;

	if (copy_from_user(b, uarg, sizeof(*b)))
		return ERR_PTR(-EFAULT);
	if (b->reserved0 || !ipcchan_zeroed(b->reserved, ARRAY_SIZE(b->reserved)))
		return ERR_PTR(-EINVAL);
	if (!b->count || b->count > IPCCHAN_BATCH_MAX)
		return ERR_PTR(-EINVAL);
	ms = memdup_user(u64_to_user_ptr(b->msgs),
			 array_size(b->count, sizeof(*ms)));
	if (IS_ERR(ms))
		return ms;
	for (i = 0; i < b->count; i++) {
		ret = ipcchan_check_msg(&ms[i], true);
		if (ret) {
			kfree(ms);
			return ERR_PTR(ret);
		}
	}
	return ms;
}

/* Report @done entries (and the count) back to userspace. */
static int ipcchan_batch_out(struct ipcchan_batch *b, void __user *uarg,
			     const struct ipcchan_msg *ms, unsigned int done)
{
	b->done = done;
	if (done && copy_to_user(u64_to_user_ptr(b->msgs), ms,
				 array_size(done, sizeof(*ms))))
		return -EFAULT;
	if (put_user(b->done, &((struct ipcchan_batch __user *)uarg)->done))
		return -EFAULT;
	return 0;
}

/**
 * ipcchan_send_batch - IPCCHAN_IOC_SEND_BATCH
 * @file: an attached file with send access
 * @uarg: struct ipcchan_batch in userspace
 *
 * Return: messages sent (>= 1) or a negative errno when none was.
 */
long ipcchan_send_batch(struct file *file, void __user *uarg)
{
	struct ipcchan_kmsg **kms;
	struct ipcchan_channel *ch;
	struct ipcchan_msg *ms;
	struct ipcchan_batch b;
	struct ipcchan_wait w;
	unsigned int i, n;
	u64 seq;
	long ret;

	ms = ipcchan_batch_in(&b, uarg);
	if (IS_ERR(ms))
		return PTR_ERR(ms);
	ret = ipcchan_wait_setup(&w, file, b.flags, b.timeout_ns);
	if (ret)
		goto out_free_ms;
	ch = ipcchan_chan_for(file, IPCCHAN_ACCESS_SEND);
	if (IS_ERR(ch)) {
		ret = PTR_ERR(ch);
		goto out_free_ms;
	}
	kms = kvmalloc_array(b.count, sizeof(*kms), GFP_KERNEL);
	if (!kms) {
		ret = -ENOMEM;
		goto out_free_ms;
	}

	/* Prepare messages up to the first bad entry; fail if that is #0. */
	for (n = 0; n < b.count; n++) {
		struct ipcchan_msg *m = &ms[n];

		if (m->prio > IPCCHAN_PRIO_MAX) {
			ret = -EINVAL;
			break;
		}
		if (m->len > ch->max_msg_size) {
			ret = -EMSGSIZE;
			break;
		}
		kms[n] = ipcchan_kmsg_new(u64_to_user_ptr(m->buf), m->len,
					  m->prio);
		if (IS_ERR(kms[n])) {
			ret = PTR_ERR(kms[n]);
			break;
		}
		m->pid = 0;
		m->uid = 0;
		m->seq = 0;
	}
	if (!n)
		goto out_free_kms;

	ret = ipcchan_enqueue(ch, kms, n, &w, &seq);
	for (i = ret > 0 ? ret : 0; i < n; i++)
		ipcchan_kmsg_free(kms[i]);
	if (ret > 0) {
		for (i = 0; i < ret; i++)
			ms[i].seq = seq + i;
		/* Sent: a failed report does not undo it. */
		if (ipcchan_batch_out(&b, uarg, ms, ret))
			ret = -EFAULT;
	}

out_free_kms:
	kvfree(kms);
out_free_ms:
	kfree(ms);
	return ret;
}

/**
 * ipcchan_recv_batch - IPCCHAN_IOC_RECV_BATCH
 * @file: an attached file with receive access
 * @uarg: struct ipcchan_batch in userspace
 *
 * Return: messages received (>= 1) or a negative errno when none was.
 */
long ipcchan_recv_batch(struct file *file, void __user *uarg)
{
	struct ipcchan_kmsg **kms;
	struct ipcchan_channel *ch;
	struct ipcchan_msg *ms;
	struct ipcchan_batch b;
	struct ipcchan_wait w;
	unsigned int i, done;
	u32 *caps, too_big = 0;
	long ret;

	ms = ipcchan_batch_in(&b, uarg);
	if (IS_ERR(ms))
		return PTR_ERR(ms);
	ret = ipcchan_wait_setup(&w, file, b.flags, b.timeout_ns);
	if (ret)
		goto out_free_ms;
	ch = ipcchan_chan_for(file, IPCCHAN_ACCESS_RECV);
	if (IS_ERR(ch)) {
		ret = PTR_ERR(ch);
		goto out_free_ms;
	}
	kms = kvmalloc_array(b.count, sizeof(*kms) + sizeof(*caps), GFP_KERNEL);
	if (!kms) {
		ret = -ENOMEM;
		goto out_free_ms;
	}
	caps = (u32 *)(kms + b.count);
	for (i = 0; i < b.count; i++)
		caps[i] = ms[i].len;

	ret = ipcchan_dequeue(ch, kms, caps, b.count, &w, &too_big);
	if (ret == -EMSGSIZE) {
		ms[0].len = too_big;
		if (copy_to_user(u64_to_user_ptr(b.msgs), ms, sizeof(*ms)))
			ret = -EFAULT;
	}
	if (ret <= 0)
		goto out_free_kms;

	for (done = 0; done < ret; done++) {
		ipcchan_msg_out(&ms[done], kms[done]);
		if (copy_to_user(u64_to_user_ptr(ms[done].buf),
				 kms[done]->data, kms[done]->len))
			break;
	}
	/* Entries must reach userspace before messages count as delivered. */
	if (done && ipcchan_batch_out(&b, uarg, ms, done))
		done = 0;
	ipcchan_dequeue_done(ch, kms, ret, done);
	ret = done ? done : -EFAULT;

out_free_kms:
	kvfree(kms);
out_free_ms:
	kfree(ms);
	return ret;
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
