/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan objects: a channel and an attached file.  Every other file of
 * the module includes this one; objects, lifetimes and the lock order are
 * described at the top of main.c, the life of a message at the top of
 * msgq.c.
 */
#ifndef IPCCHAN_PRIV_H
#define IPCCHAN_PRIV_H

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include <linux/ipcchan.h>

struct ipc_namespace;
struct ipcchan_nsd;
struct ipcchan_ring_hdr;
struct ipcchan_user;
struct page;
struct pid;

/**
 * struct ipcchan_chan_acct - a channel's place in the registry's
 * accounting (channel.c, registry mutex)
 * @node: link in its namespace's list of live channels
 * @nsd: its IPC namespace's accounting
 * @user: the first level of the user accounting it is charged to
 */
struct ipcchan_chan_acct {
	struct list_head node;
	struct ipcchan_nsd *nsd;
	struct ipcchan_user *user;
};

/*
 * A channel keeps its few most recent senders' pids with one reference
 * each, so a message need not get_pid()/put_pid() its own (msg.c).
 */
#define IPCCHAN_PID_SLOTS	4
#define IPCCHAN_PID_OWN		U32_MAX	/* the message holds its own */

struct ipcchan_sender {
	struct pid *pid;	/* one reference while set */
	unsigned long added;	/* messages that used it */
};

#define IPCCHAN_NR_PRIO	(IPCCHAN_PRIO_MAX + 1)

/**
 * struct ipcchan_channel - a named channel
 * @ref: held by the registry until unlink and by every attached file
 * @hnode: link in the registry hash (registry mutex)
 * @ns: IPC namespace the name lives in, referenced
 * @acct: what the channel is charged to (registry mutex)
 * @name: NUL-terminated name
 * @uid: owner
 * @gid: owner group
 * @mode: permission bits
 * @max_msgs: queue depth, and most message objects the channel may have
 * @max_msg_size: largest payload
 * @reserved: bytes charged at creation
 * @unlinked: name removed (set under the registry mutex)
 *
 * @send_lock: the senders' side, protects the fields up to @send_wq
 * @seq: last sequence number given
 * @sent: messages sent since creation
 * @sent_bytes: their payload bytes
 * @taken: slots taken since creation (see ipcchan_slots_used())
 * @objs: message objects senders allocated minus those they freed
 * @spare: recycled small objects taken off @free_msgs for the next senders
 * @spare_large: the same off @free_large
 * @large_popped: payload room of the large objects taken for reuse
 * @blocked_senders: tasks waiting in send
 * @grant_room: slots grant_slots() (msgq.c) is handing to waiting senders
 * @senders: recent senders' pids
 * @send_wq: senders wait here for a slot (exclusive), pollers too
 *
 * @incoming: sent messages, newest first; senders push, receivers take all
 * @free_msgs: delivered small messages kept for reuse; receivers push
 * @free_large: delivered large messages kept for reuse; receivers push
 *
 * @lock: the receivers' side, protects the fields up to @recv_wq
 * @queue: one FIFO per priority
 * @prio_map: bit p set when @queue[p] is not empty
 * @cur_msgs: messages on @queue
 * @inflight: messages off @queue being copied out; they keep their slot
 * @received: messages received since creation
 * @received_bytes: their payload bytes
 * @objs_freed: message objects receivers freed
 * @given: slots given back since creation
 * @large_pushed: payload room of the large objects put on @free_large
 * @pid_removed: per @senders slot, delivered messages that used it
 * @blocked_receivers: tasks waiting in receive
 * @recv_wq: receivers wait here for a message (exclusive), pollers too
 *
 * @attached: attached files
 * @ring_npages: data pages of the ring (0: no ring)
 * @ring_pages: header page then data pages, allocated at creation
 * @ring_hdr: kernel address of the header page
 * @ring_wq: RING_WAIT sleepers and ring pollers, one queue per position
 * @ring_gen: bumped by RING_NOTIFY, one per position
 * @ring_waiters: tasks in RING_WAIT, one per position
 * @mappings: live VMAs of the ring
 */
struct ipcchan_channel {
	struct kref ref;
	struct hlist_node hnode;
	struct ipc_namespace *ns;
	struct ipcchan_chan_acct acct;
	char name[IPCCHAN_NAME_MAX];
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	u32 max_msgs;
	u32 max_msg_size;
	u64 reserved;
	bool unlinked;

	spinlock_t send_lock ____cacheline_aligned_in_smp;
	u64 seq;
	u64 sent;
	u64 sent_bytes;
	unsigned long taken;
	unsigned long objs;
	struct llist_node *spare;
	struct llist_node *spare_large;
	u64 large_popped;
	u32 blocked_senders;
	u32 grant_room;
	struct ipcchan_sender senders[IPCCHAN_PID_SLOTS];
	wait_queue_head_t send_wq;

	/* Where the two sides meet: lock-free. */
	struct llist_head incoming ____cacheline_aligned_in_smp;
	struct llist_head free_msgs;
	struct llist_head free_large;

	spinlock_t lock ____cacheline_aligned_in_smp;
	struct list_head queue[IPCCHAN_NR_PRIO];
	unsigned long prio_map;
	u32 cur_msgs;
	u32 inflight;
	u64 received;
	u64 received_bytes;
	unsigned long objs_freed;
	unsigned long given;
	u64 large_pushed;
	unsigned long pid_removed[IPCCHAN_PID_SLOTS];
	u32 blocked_receivers;
	wait_queue_head_t recv_wq;

	atomic_t attached ____cacheline_aligned_in_smp;

	u32 ring_npages;
	struct page **ring_pages;
	struct ipcchan_ring_hdr *ring_hdr;
	wait_queue_head_t ring_wq[2];
	atomic_t ring_gen[2];
	atomic_t ring_waiters[2];
	atomic_t mappings;
};

/*
 * Counter pairs: the senders count one side up under the send lock, the
 * receivers the other under the channel lock; the difference is the
 * number that matters.  Only these read them.
 */

/*
 * Slots in use: messages being filled, queued or in flight (<= max_msgs).
 * Acquire, pairs with the release that gives slots back: the objects the
 * receivers kept or freed before that are seen with the slots.
 */
static inline unsigned long ipcchan_slots_used(struct ipcchan_channel *ch)
{
	/* Pairs with smp_store_release() in dequeue_done_locked(). */
	return ch->taken - smp_load_acquire(&ch->given);
}

/* Message objects: filled, queued, in flight or kept (<= max_msgs). */
static inline unsigned long ipcchan_objs_live(struct ipcchan_channel *ch)
{
	lockdep_assert_held(&ch->send_lock);
	return ch->objs - READ_ONCE(ch->objs_freed);
}

/* Payload room of the large objects kept for reuse. */
static inline u64 ipcchan_large_kept(struct ipcchan_channel *ch)
{
	lockdep_assert_held(&ch->lock);
	return ch->large_pushed - READ_ONCE(ch->large_popped);
}

/*
 * Queued messages that use sender pid slot @i.  Acquire, pairs with the
 * release in ipcchan_pid_put_locked(): receivers are done with the pid.
 */
static inline unsigned long ipcchan_pid_users(struct ipcchan_channel *ch,
					      unsigned int i)
{
	lockdep_assert_held(&ch->send_lock);
	/* Pairs with smp_store_release() in ipcchan_pid_put_locked(). */
	return ch->senders[i].added - smp_load_acquire(&ch->pid_removed[i]);
}

/* Messages sent and not received yet (both locks held). */
static inline u64 ipcchan_unreceived(struct ipcchan_channel *ch)
{
	return ch->sent - ch->received;
}

/* Their payload bytes (both locks held). */
static inline u64 ipcchan_unreceived_bytes(struct ipcchan_channel *ch)
{
	return ch->sent_bytes - ch->received_bytes;
}

/**
 * struct ipcchan_file - per open file state (file->private_data)
 * @attach_lock: serializes ATTACH on this file
 * @ch: the attached channel, NULL before ATTACH; published with
 *      smp_store_release() after @access
 * @access: IPCCHAN_ACCESS_* granted at attach
 */
struct ipcchan_file {
	struct mutex attach_lock;	/* serializes ATTACH */
	struct ipcchan_channel *ch;
	u32 access;
};

/*
 * The channel a file is attached to, or NULL.  Pairs with the
 * smp_store_release() in ipcchan_attach(): with a channel, @pf->access is
 * seen as that attach set it.
 */
static inline struct ipcchan_channel *
ipcchan_file_channel(struct ipcchan_file *pf)
{
	/* Pairs with smp_store_release() in ipcchan_attach(). */
	return smp_load_acquire(&pf->ch);
}

/*
 * The attached channel, if this file may do @access (IPCCHAN_ACCESS_SEND
 * or _RECV); else ERR_PTR(-ENOTCONN) or ERR_PTR(-EBADF).
 */
static inline struct ipcchan_channel *ipcchan_chan_for(struct file *file,
						       u32 access)
{
	struct ipcchan_file *pf = file->private_data;
	struct ipcchan_channel *ch = ipcchan_file_channel(pf);

	if (!ch)
		return ERR_PTR(-ENOTCONN);
	if (!(pf->access & access))
		return ERR_PTR(-EBADF);
	return ch;
}

#endif /* IPCCHAN_PRIV_H */
