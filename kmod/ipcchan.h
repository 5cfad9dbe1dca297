/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan private types, shared by main.c (device, ioctl dispatch),
 * channel.c (registry, attach, permissions, quotas, listing), msgq.c
 * (message queue, send/receive, poll) and ring.c (shared pages, mmap,
 * wait/notify).  Objects, lifetimes and the lock order are described at
 * the top of main.c.
 */
#ifndef IPCCHAN_PRIV_H
#define IPCCHAN_PRIV_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include <linux/ipcchan.h>

struct file;
struct iov_iter;
struct kiocb;
struct ipc_namespace;
struct page;
struct pid;
struct poll_table_struct;
struct vm_area_struct;

/*
 * Module parameters (main.c), read-only once loaded.  max_channels and
 * total_bytes_limit apply to each IPC namespace, the user_* limits to each
 * user at every level of the user namespace hierarchy, global_bytes_limit
 * to the whole module (channel.c has the model).
 */
struct ipcchan_limits {
	unsigned int default_max_msgs;
	unsigned int max_msgs_limit;
	unsigned int default_max_msg_size;
	unsigned int max_msg_size_limit;
	unsigned int max_channels;
	unsigned int ring_pages_max;
	unsigned int user_channels_limit;
	unsigned long user_bytes_limit;
	unsigned long total_bytes_limit;
	unsigned long global_bytes_limit;
};

extern struct ipcchan_limits ipcchan_limits;

/* Module-wide object counts: what is alive now (for leak reports). */
struct ipcchan_stats {
	atomic64_t channels;
	atomic64_t reserved_bytes;
};

extern struct ipcchan_stats ipcchan_stats;

/*
 * Queued messages and bytes change on every send and receive, on both
 * CPUs of a producer/consumer pair: per-CPU deltas, summed when read
 * (MODINFO, module exit), keep that traffic off a shared cache line.
 */
struct ipcchan_msg_stats {
	s64 messages;
	s64 queued_bytes;
};

DECLARE_PER_CPU(struct ipcchan_msg_stats, ipcchan_msg_stats);

static inline void ipcchan_stats_add(s64 messages, s64 bytes)
{
	this_cpu_add(ipcchan_msg_stats.messages, messages);
	this_cpu_add(ipcchan_msg_stats.queued_bytes, bytes);
}

void ipcchan_stats_sum(s64 *messages, s64 *bytes);

struct ipcchan_nsd;
struct ipcchan_user;

/**
 * struct ipcchan_chan_acct - a channel's place in the registry's
 * accounting (channel.c, registry mutex)
 * @node: link in its namespace's list of live channels (from the time it
 *        is named until its last reference is dropped)
 * @nsd: its IPC namespace's accounting
 * @user: the first level of the user accounting it is charged to
 */
struct ipcchan_chan_acct {
	struct list_head node;
	struct ipcchan_nsd *nsd;
	struct ipcchan_user *user;
};

/**
 * struct ipcchan_kmsg - one queued message
 * @node: link in its priority list (channel lock)
 * @lnode: link in the channel's incoming or free list (lock-free)
 * @pid: sender's thread group, referenced
 * @uid: sender's euid
 * @seq: channel sequence number
 * @len: payload length
 * @prio: priority
 * @cap: room for the payload of a large message (@len > IPCCHAN_SMALL_MSG),
 *       which a recycled object may have more of than @len
 * @data: payload
 */
struct ipcchan_kmsg {
	union {
		struct list_head node;
		struct llist_node lnode;
	};
	struct pid *pid;	/* sender's thread group, set when linked */
	u64 seq;
	kuid_t uid;
	u32 len;
	u32 prio;
	u32 pid_slot;		/* index in ch->senders, or IPCCHAN_PID_OWN */
	u32 cap;
	u8 data[] __aligned(8);
};

/*
 * Queued messages need their sender's struct pid (RECV reports it in the
 * receiver's pid namespace).  Rather than a get_pid()/put_pid() pair per
 * message, whose atomics bounce the pid's cache line between the sending
 * and the receiving CPU, a channel keeps a few recent senders with one
 * reference each and counts the messages using each: senders count up
 * @added under the send lock, receivers count up the channel's
 * pid_removed[] under its lock; the difference is the slot's users.  A
 * message whose sender finds no free slot holds its own reference.
 */
#define IPCCHAN_PID_SLOTS	4
#define IPCCHAN_PID_OWN		U32_MAX

struct ipcchan_sender {
	struct pid *pid;	/* one reference while set (send lock) */
	unsigned long added;	/* messages that used it (send lock) */
};

#define IPCCHAN_NR_PRIO	(IPCCHAN_PRIO_MAX + 1)

/* Payloads up to this size live in recyclable objects of one size. */
#define IPCCHAN_SMALL_MSG	256

/*
 * Delivered large messages are kept for reuse up to this many payload
 * bytes per channel (and within max_msgs like small ones), so an idle
 * channel does not hold on to its peak; one message of the default
 * max_msg_size_limit fits.
 */
#define IPCCHAN_LARGE_KEEP	(4U << 20)

/* Batches are moved this many messages at a time (batch.c). */
#define IPCCHAN_BATCH_CHUNK	16

/**
 * struct ipcchan_channel - a named channel
 * @ref: one reference for the registry (until unlink), one per attached file
 * @hnode: link in the registry hash (registry mutex)
 * @ns: IPC namespace the name lives in, referenced
 * @acct: what the channel is charged to (registry mutex)
 * @name: NUL-terminated name
 * @uid: owner
 * @gid: owner group
 * @mode: permission bits
 * @max_msgs: queue depth
 * @max_msg_size: largest payload
 * @reserved: bytes charged at creation (see @acct)
 * @unlinked: name removed (set under the registry mutex, read locklessly)
 * @send_lock: serializes senders; protects everything below up to
 *             @send_wq (and pops of @free_msgs)
 * @seq: last sequence number given
 * @sent: messages sent since creation
 * @sent_bytes: their payload bytes
 * @taken: slots taken since creation; @taken - @given is the number of
 *         messages being filled by senders, on @incoming, on @queue or in
 *         flight (<= @max_msgs).  A sender takes its slot before it
 *         allocates or copies anything.
 * @objs: message objects allocated by senders, minus those senders freed;
 *        @objs - @objs_freed is every object the channel has (filled,
 *        queued, in flight or kept for reuse), never above @max_msgs
 * @spare: recycled objects taken off @free_msgs, for the next senders
 * @spare_large: the same off @free_large
 * @large_popped: payload room (cap) of the large objects taken for reuse
 * @blocked_senders: tasks waiting in send
 * @senders: recent senders' pids (see struct ipcchan_sender)
 * @send_wq: senders wait here for a free slot (exclusive), pollers too
 * @incoming: sent messages not yet moved to @queue, newest first; senders
 *            push (under @send_lock, so in @seq order), receivers take all
 * @free_msgs: delivered small messages kept for reuse; receivers push,
 *             senders take them all (to @spare)
 * @free_large: the same for large messages (payloads over
 *              IPCCHAN_SMALL_MSG bytes), senders take them to @spare_large
 * @lock: the receiving side: protects everything below up to @recv_wq
 * @queue: one FIFO per priority
 * @prio_map: bit p set when @queue[p] is not empty
 * @cur_msgs: messages on @queue
 * @inflight: messages taken off @queue whose copy-out is in progress;
 *            they still take a slot so a failed copy can put them back
 *            without overfilling the queue
 * @received: messages received since creation
 * @received_bytes: their payload bytes
 * @objs_freed: message objects receivers freed (see @objs)
 * @given: slots given back since creation (read locklessly by senders)
 * @large_pushed: payload room put on @free_large; minus @large_popped, the
 *                large payload bytes kept (<= IPCCHAN_LARGE_KEEP)
 * @pid_removed: per @senders slot, delivered messages that used it
 * @blocked_receivers: tasks waiting in receive
 * @recv_wq: receivers wait here for a message (exclusive), pollers too
 * @attached: attached files
 * @ring_npages: data pages of the ring (0: no ring)
 * @ring_pages: header page then data pages, allocated at creation
 * @ring_hdr: kernel address of the header page
 * @ring_wq: RING_WAIT sleepers, one queue per position
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

	/* Senders' side. */
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
	struct ipcchan_sender senders[IPCCHAN_PID_SLOTS];
	wait_queue_head_t send_wq;

	/* Where the two sides meet: lock-free. */
	struct llist_head incoming ____cacheline_aligned_in_smp;
	struct llist_head free_msgs;
	struct llist_head free_large;

	/* Receivers' side. */
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

/**
 * struct ipcchan_file - per open file state (file->private_data)
 * @attach_lock: serializes ATTACH on this file
 * @ch: the attached channel, NULL before ATTACH; published with
 *      smp_store_release() after @access, read with smp_load_acquire()
 * @access: IPCCHAN_ACCESS_* granted at attach
 */
struct ipcchan_file {
	struct mutex attach_lock;	/* serializes ATTACH */
	struct ipcchan_channel *ch;
	u32 access;
};

/**
 * struct ipcchan_wait - how a call may wait
 * @nonblock: fail with -EAGAIN instead of waiting
 * @timed: @deadline applies, fail with -ETIMEDOUT after it
 * @deadline: CLOCK_MONOTONIC deadline
 */
struct ipcchan_wait {
	bool nonblock;
	bool timed;
	ktime_t deadline;
};

/* channel.c */
int ipcchan_registry_init(void);
void ipcchan_registry_exit(void);
long ipcchan_attach(struct ipcchan_file *pf, void __user *uarg);
long ipcchan_unlink(void __user *uarg);
long ipcchan_info(struct ipcchan_file *pf, void __user *uarg);
long ipcchan_modinfo(void __user *uarg);
void ipcchan_channel_put(struct ipcchan_channel *ch);
void ipcchan_fill_modinfo(struct ipcchan_modinfo *mi);

/* msgq.c */
int ipcchan_msgq_cache_init(void);
void ipcchan_msgq_cache_exit(void);
void ipcchan_msgq_init(struct ipcchan_channel *ch);
void ipcchan_msgq_purge(struct ipcchan_channel *ch);

/* Queue counters of a channel, read together (INFO, /proc/ipcchan). */
struct ipcchan_msgq_snap {
	u32 cur_msgs;
	u32 blocked_senders;
	u32 blocked_receivers;
	u64 cur_bytes;
	u64 sent;
	u64 received;
};

void ipcchan_msgq_snapshot(struct ipcchan_channel *ch,
			   struct ipcchan_msgq_snap *s);
int ipcchan_wait_setup(struct ipcchan_wait *w, struct file *file, u32 flags,
		       s64 timeout_ns);
long ipcchan_send(struct file *file, void __user *uarg);
long ipcchan_recv(struct file *file, void __user *uarg);
ssize_t ipcchan_read(struct file *file, char __user *buf, size_t count,
		     loff_t *ppos);
ssize_t ipcchan_write(struct file *file, const char __user *buf, size_t count,
		      loff_t *ppos);
ssize_t ipcchan_read_iter(struct kiocb *iocb, struct iov_iter *to);
ssize_t ipcchan_write_iter(struct kiocb *iocb, struct iov_iter *from);
__poll_t ipcchan_poll(struct file *file, struct poll_table_struct *pt);
u64 ipcchan_msgq_charge(u32 max_msgs, u32 max_msg_size);
struct ipcchan_channel *ipcchan_chan_for(struct file *file, u32 access);
int ipcchan_send_prepare(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
			 const u32 *lens, unsigned int n,
			 const struct ipcchan_wait *w);
u64 ipcchan_send_commit(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
			unsigned int ok, unsigned int n);
int ipcchan_dequeue(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
		    const u32 *caps, unsigned int n,
		    const struct ipcchan_wait *w, u32 *too_big);
void ipcchan_dequeue_done(struct ipcchan_channel *ch,
			  struct ipcchan_kmsg **kms, unsigned int n,
			  unsigned int done);
int ipcchan_check_msg(const struct ipcchan_msg *m, bool in_batch);
void ipcchan_msg_out(struct ipcchan_msg *m, const struct ipcchan_kmsg *km);
int ipcchan_put_recv_out(struct ipcchan_msg __user *um,
			 const struct ipcchan_msg *m);
int ipcchan_put_send_out(struct ipcchan_msg __user *um, u64 seq);

/* batch.c */
long ipcchan_send_batch(struct file *file, void __user *uarg);
long ipcchan_recv_batch(struct file *file, void __user *uarg);

/* ring.c */
int ipcchan_ring_alloc(struct ipcchan_channel *ch, u32 npages);
u64 ipcchan_ring_charge(u32 npages);
void ipcchan_ring_free(struct ipcchan_channel *ch);
int ipcchan_mmap(struct file *file, struct vm_area_struct *vma);
long ipcchan_ring_wait(struct file *file, void __user *uarg);
long ipcchan_ring_notify(struct file *file, void __user *uarg);
__poll_t ipcchan_ring_poll(struct ipcchan_channel *ch, struct file *file,
			   struct poll_table_struct *pt);

/**
 * ipcchan_file_channel - the channel a file is attached to, or NULL
 * @pf: the file's state
 *
 * Pairs with the smp_store_release() in ipcchan_attach(): a non-NULL
 * result guarantees @pf->access is seen as set by that attach.
 */
static inline struct ipcchan_channel *
ipcchan_file_channel(struct ipcchan_file *pf)
{
	/* Pairs with smp_store_release() in ipcchan_attach(). */
	return smp_load_acquire(&pf->ch);
}

/*
 * Fields of the structs userspace passes, found by offset: userspace may
 * pass a struct at any address, and a member access through a misaligned
 * pointer is undefined in C (UBSAN's alignment check reports it).
 */
static __always_inline u32 __user *ipcchan_u32_at(const void __user *p,
						  size_t off)
{
	return (u32 __user *)(p + off);
}

static __always_inline u64 __user *ipcchan_u64_at(const void __user *p,
						  size_t off)
{
	return (u64 __user *)(p + off);
}

#define IPCCHAN_MSG_U32(p, f)	ipcchan_u32_at(p, offsetof(struct ipcchan_msg, f))
#define IPCCHAN_MSG_U64(p, f)	ipcchan_u64_at(p, offsetof(struct ipcchan_msg, f))

/*
 * Inside an open user_access_begin() window covering @um: write SEND's
 * out fields (pid and uid read back as zero).  0 or -EFAULT.
 */
static __always_inline int
ipcchan_unsafe_send_out(struct ipcchan_msg __user *um, u64 seq)
{
	unsafe_put_user(0, IPCCHAN_MSG_U32(um, pid), efault);
	unsafe_put_user(seq, IPCCHAN_MSG_U64(um, seq), efault);
	unsafe_put_user(0, IPCCHAN_MSG_U32(um, uid), efault);
	return 0;
efault:
	return -EFAULT;
}

/* The same for RECV's out fields.  0 or -EFAULT. */
static __always_inline int
ipcchan_unsafe_recv_out(struct ipcchan_msg __user *um, u32 len, u32 prio,
			u32 pid, u64 seq, u32 uid)
{
	unsafe_put_user(len, IPCCHAN_MSG_U32(um, len), efault);
	unsafe_put_user(prio, IPCCHAN_MSG_U32(um, prio), efault);
	unsafe_put_user(pid, IPCCHAN_MSG_U32(um, pid), efault);
	unsafe_put_user(seq, IPCCHAN_MSG_U64(um, seq), efault);
	unsafe_put_user(uid, IPCCHAN_MSG_U32(um, uid), efault);
	return 0;
efault:
	return -EFAULT;
}

/* True when no reserved field is set. */
static inline bool ipcchan_zeroed(const u64 *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i])
			return false;
	return true;
}

#endif /* IPCCHAN_PRIV_H */
