// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan batches: SEND_BATCH and RECV_BATCH move up to IPCCHAN_BATCH_MAX
 * messages in one ioctl.  Userspace passes a struct ipcchan_batch pointing
 * at an array of struct ipcchan_msg; the call waits (as the batch's flags
 * say) for the first slot or message, moves as many more as it can without
 * waiting, and returns how many it moved.
 *
 * Every entry is checked before anything moves, so a bad entry anywhere
 * fails the whole call (EINVAL, or EMSGSIZE for a SEND entry longer than
 * max_msg_size) and nothing is sent or received.  The array is then walked
 * in chunks of IPCCHAN_BATCH_CHUNK entries: read the entries' buf/len/prio,
 * take slots and objects for the chunk (SEND: a blocked batch holds no
 * memory), copy the payloads, and write back only the entries' out fields.
 * Nothing is allocated per call and the array is never copied as a whole.
 * Only the first chunk may wait; later ones stop the call when the queue is
 * full (SEND) or empty (RECV).  A sender finds a chunk's out fields (and
 * done) writable before it sends, and stops at the first payload that
 * faults, so the return value is always the count sent.  A receiver writes
 * a chunk's entries and the running count (done) before the chunk's
 * messages count as delivered, so a fault puts them back at the head of
 * their priorities: nothing is lost.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/uaccess.h>

#include "batch.h"
#include "msg.h"
#include "msgq.h"
#include "ucopy.h"

/* The same layout for 32- and 64-bit userspace (compat_ptr_ioctl). */
static_assert(sizeof(struct ipcchan_batch) == 48);

/* What a chunk needs of one entry. */
struct ipcchan_entry {
	void __user *buf;
	u32 len;
	u32 prio;
};

/*
 * Check every entry before anything moves: flags, timeout and reserved
 * fields must be zero and, for SEND (@max_len non-zero), prio and len must
 * be valid.  0, -EINVAL, -EMSGSIZE or -EFAULT.
 */
static int entries_check(const struct ipcchan_msg __user *um, u32 n,
			 bool send, u32 max_len)
{
	u32 i, flags, reserved0, len, prio;
	u64 timeout, r0, r1;
	int ret = 0;

	if (!user_access_begin(um, array_size(n, sizeof(*um))))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_get_user(flags, IPCCHAN_MSG_U32(um + i, flags), efault);
		unsafe_get_user(timeout, IPCCHAN_MSG_U64(um + i, timeout_ns), efault);
		unsafe_get_user(reserved0, IPCCHAN_MSG_U32(um + i, reserved0), efault);
		unsafe_get_user(r0, IPCCHAN_MSG_U64(um + i, reserved[0]), efault);
		unsafe_get_user(r1, IPCCHAN_MSG_U64(um + i, reserved[1]), efault);
		unsafe_get_user(len, IPCCHAN_MSG_U32(um + i, len), efault);
		unsafe_get_user(prio, IPCCHAN_MSG_U32(um + i, prio), efault);
		if (flags || reserved0 || timeout || r0 || r1 ||
		    (send && prio > IPCCHAN_PRIO_MAX)) {
			ret = -EINVAL;
			break;
		}
		if (send && len > max_len && !ret)
			ret = -EMSGSIZE;
	}
	user_access_end();
	return ret;
efault:
	user_access_end();
	return -EFAULT;
}

/* A SEND_BATCH or RECV_BATCH call: its descriptor and what it says. */
struct batch_call {
	struct ipcchan_batch b;
	struct ipcchan_wait w;
	struct ipcchan_batch __user *ub;
	struct ipcchan_msg __user *um;	/* the entries */
};

/* Where the call's count of messages moved goes. */
static u32 __user *batch_done(const struct batch_call *c)
{
	return ipcchan_u32_at(c->ub, offsetof(struct ipcchan_batch, done));
}

/*
 * Copy in and check the descriptor, the file's @access and every entry,
 * and set up the wait.  Returns the channel.
 */
static struct ipcchan_channel *batch_in(struct file *file, void __user *uarg,
					u32 access, struct batch_call *c)
{
	struct ipcchan_batch *b = &c->b;
	struct ipcchan_channel *ch;
	int ret;

	if (copy_from_user(b, uarg, sizeof(*b)))
		return ERR_PTR(-EFAULT);
	if (b->reserved0 || !ipcchan_zeroed(b->reserved, ARRAY_SIZE(b->reserved)))
		return ERR_PTR(-EINVAL);
	if (!b->count || b->count > IPCCHAN_BATCH_MAX)
		return ERR_PTR(-EINVAL);
	ret = ipcchan_wait_setup(&c->w, file, b->flags, b->timeout_ns);
	if (ret)
		return ERR_PTR(ret);
	ch = ipcchan_chan_for(file, access);
	if (IS_ERR(ch))
		return ch;
	c->ub = uarg;
	c->um = u64_to_user_ptr(b->msgs);
	ret = entries_check(c->um, b->count, access == IPCCHAN_ACCESS_SEND,
			    ch->max_msg_size);
	return ret ? ERR_PTR(ret) : ch;
}

/*
 * Read buf, len and prio of @n entries starting at @um.  For SEND
 * (@probe_outs), also find their out fields writable: each is written back
 * with the value it has, so entries not sent stay as they were.
 */
static int entries_in(struct ipcchan_entry *e, struct ipcchan_msg __user *um,
		      unsigned int n, bool probe_outs)
{
	unsigned int i;
	u32 pid, uid;
	u64 buf, seq;

	if (!user_access_begin(um, array_size(n, sizeof(*um))))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_get_user(buf, IPCCHAN_MSG_U64(um + i, buf), efault);
		unsafe_get_user(e[i].len, IPCCHAN_MSG_U32(um + i, len), efault);
		unsafe_get_user(e[i].prio, IPCCHAN_MSG_U32(um + i, prio), efault);
		e[i].buf = u64_to_user_ptr(buf);
		if (!probe_outs)
			continue;
		unsafe_get_user(pid, IPCCHAN_MSG_U32(um + i, pid), efault);
		unsafe_get_user(seq, IPCCHAN_MSG_U64(um + i, seq), efault);
		unsafe_get_user(uid, IPCCHAN_MSG_U32(um + i, uid), efault);
		unsafe_put_user(pid, IPCCHAN_MSG_U32(um + i, pid), efault);
		unsafe_put_user(seq, IPCCHAN_MSG_U64(um + i, seq), efault);
		unsafe_put_user(uid, IPCCHAN_MSG_U32(um + i, uid), efault);
	}
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* Later chunks never wait. */
static const struct ipcchan_wait nowait = { .nonblock = true };

/*
 * Send the @n entries after the first @done: take slots and objects (waiting as @w says
 * for the first slot), copy the payloads in, queue them, write the
 * entries' out fields.  Returns how many were sent (< @n when the queue
 * filled or a payload faulted) or a negative errno when none was.  The
 * entries were checked, and their out fields found writable, before
 * anything is prepared; an entry another thread changed meanwhile stops
 * the batch there (-EINVAL or -EMSGSIZE).
 */
static int send_chunk(struct ipcchan_channel *ch, const struct batch_call *c,
		      unsigned int done, unsigned int n,
		      const struct ipcchan_wait *w)
{
	struct ipcchan_msg __user *um = c->um + done;
	struct ipcchan_kmsg *kms[IPCCHAN_BATCH_CHUNK];
	struct ipcchan_entry e[IPCCHAN_BATCH_CHUNK];
	u32 lens[IPCCHAN_BATCH_CHUNK];
	unsigned int i;
	int ret, k;
	u64 seq;

	ret = entries_in(e, um, n, true);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (e[i].prio > IPCCHAN_PRIO_MAX)
			ret = -EINVAL;
		else if (e[i].len > ch->max_msg_size)
			ret = -EMSGSIZE;
		if (ret)
			break;
		lens[i] = e[i].len;
	}
	if (!i)
		return ret;
	k = ipcchan_send_prepare(ch, kms, lens, i, w);
	if (k < 0)
		return k;
	for (i = 0; i < k; i++) {
		kms[i]->prio = e[i].prio;
		if (copy_from_user(kms[i]->data, e[i].buf, e[i].len))
			break;
	}
	seq = ipcchan_send_commit(ch, kms, i, k);
	/* Found writable above: only a racing munmap() makes this fail. */
	if (i && ipcchan_put_send_outs(um, i, seq))
		return i;
	return i ? i : -EFAULT;
}

/* The out fields of a RECV entry that are not in the message itself. */
struct ipcchan_sender_ids {
	u32 pid;
	u32 uid;
};

/*
 * Deliver @n taken messages into the entries @e / @um, with their senders
 * @ids.  Returns how many were delivered (the first fault stops it).
 */
static unsigned int deliver_chunk(struct ipcchan_kmsg **kms,
				  const struct ipcchan_entry *e,
				  const struct ipcchan_sender_ids *ids,
				  struct ipcchan_msg __user *um,
				  unsigned int n)
{
	struct ipcchan_msg m;
	unsigned int i;

	for (i = 0; i < n; i++) {
		m.len = kms[i]->len;
		m.prio = kms[i]->prio;
		m.pid = ids[i].pid;
		m.seq = kms[i]->seq;
		m.uid = ids[i].uid;
		if (copy_to_user(e[i].buf, kms[i]->data, kms[i]->len) ||
		    ipcchan_put_recv_out(&um[i], &m))
			break;
	}
	return i;
}

/*
 * Take and deliver up to @n messages into the entries after the first
 * @done, which earlier chunks delivered.  Returns how many this chunk delivered
 * or a negative errno when it delivered none.
 */
static int recv_chunk(struct ipcchan_channel *ch, const struct batch_call *c,
		      unsigned int done, unsigned int n,
		      const struct ipcchan_wait *w)
{
	struct ipcchan_msg __user *um = c->um + done;
	struct ipcchan_kmsg *kms[IPCCHAN_BATCH_CHUNK];
	struct ipcchan_entry e[IPCCHAN_BATCH_CHUNK];
	struct ipcchan_sender_ids ids[IPCCHAN_BATCH_CHUNK];
	struct ipcchan_msg m;
	u32 caps[IPCCHAN_BATCH_CHUNK], too_big = 0;
	unsigned int i;
	int ret, taken;

	ret = entries_in(e, um, n, false);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		caps[i] = e[i].len;

	taken = ipcchan_dequeue(ch, kms, caps, n, w, &too_big);
	if (taken == -EMSGSIZE && !done && put_user(too_big, IPCCHAN_MSG_U32(um, len)))
		return -EFAULT;
	if (taken < 0)
		return taken;

	for (i = 0; i < taken; i++) {
		/* Runs of one sender (the common case) translate ids once. */
		if (i && kms[i]->pid == kms[i - 1]->pid &&
		    uid_eq(kms[i]->uid, kms[i - 1]->uid)) {
			ids[i] = ids[i - 1];
			continue;
		}
		ipcchan_msg_out(&m, kms[i]);
		ids[i].pid = m.pid;
		ids[i].uid = m.uid;
	}
	i = deliver_chunk(kms, e, ids, um, taken);
	/* Entries and count reach userspace before the messages are gone. */
	if (i && put_user(done + i, batch_done(c)))
		i = 0;
	ipcchan_dequeue_done(ch, kms, taken, i);
	return i ? i : -EFAULT;
}

/*
 * Move the batch chunk by chunk (send_chunk() or recv_chunk()); only the
 * first chunk may wait, and a short chunk (queue full or empty, a message
 * too big, a fault) ends the call.  Returns the count moved, or the first
 * chunk's negative errno.
 */
static int run_chunks(struct ipcchan_channel *ch, const struct batch_call *c,
		      bool send)
{
	const struct ipcchan_wait *wait = &c->w;
	unsigned int n, total = 0;
	int ret = 0;

	while (total < c->b.count) {
		n = min_t(unsigned int, c->b.count - total, IPCCHAN_BATCH_CHUNK);
		ret = send ? send_chunk(ch, c, total, n, wait) :
			     recv_chunk(ch, c, total, n, wait);
		if (ret <= 0)
			break;
		total += ret;
		if (ret < n)
			break;
		wait = &nowait;
	}
	return total ? total : ret;
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
	struct ipcchan_channel *ch;
	struct batch_call c;
	int ret;

	ch = batch_in(file, uarg, IPCCHAN_ACCESS_SEND, &c);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	/* The count must be reportable before anything is sent. */
	if (put_user(0, batch_done(&c)))
		return -EFAULT;
	ret = run_chunks(ch, &c, true);
	/*
	 * Sent: the return value is the count, whether or not a racing
	 * munmap() kept it from reaching done.
	 */
	if (ret > 0 && put_user(ret, batch_done(&c)))
		pr_debug("SEND_BATCH: done not written\n");
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
	struct ipcchan_channel *ch;
	struct batch_call c;

	ch = batch_in(file, uarg, IPCCHAN_ACCESS_RECV, &c);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	return run_chunks(ch, &c, false);
}
