// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan shared ring: pages, mmap, RING_WAIT/RING_NOTIFY, ring poll.
 *
 * A channel created with ring_pages = N owns 1 + N zeroed pages from the
 * start: a header page (struct ipcchan_ring_hdr: producer and consumer
 * positions on their own cache lines) and N data pages.  Attached processes
 * map them MAP_SHARED; the data pages appear twice in a row so a record
 * never wraps (see the UAPI header for the layout and the protocol).  Pages
 * are handed to the VMA from the fault handler, so a mapping works the same
 * after fork(), madvise(MADV_DONTNEED) or a partial munmap().
 *
 * Producers and consumers move records with no system call while both are
 * busy.  A side with nothing to do sleeps in RING_WAIT, which returns when
 * the watched position differs from the value the caller saw or after a
 * RING_NOTIFY, or in poll(2) (EPOLLIN: a record waits; EPOLLWRBAND: half
 * the ring is free).  The kernel only ever compares positions it reads from
 * the shared page (READ_ONCE); it never uses them to address memory, so a
 * corrupt or hostile header cannot hurt it.
 *
 * Access: the ring needs receive access; writing it (a writable mapping,
 * RING_NOTIFY) needs send and receive access (ring_may_write()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "msgq.h"
#include "ring.h"
#include "ucopy.h"

/* The same layout for 32- and 64-bit userspace (compat_ptr_ioctl). */
static_assert(sizeof(struct ipcchan_ring_hdr) == 256);
static_assert(sizeof(struct ipcchan_ring_wait) == 40);
static_assert(sizeof(struct ipcchan_ring_notify) == 24);

/**
 * ipcchan_ring_alloc - allocate and zero the ring pages of a new channel
 * @ch: the channel
 * @npages: data pages (a checked power of two), 0 for none
 *
 * Pages are charged to the creator's memory cgroup.
 *
 * Return: 0 or -ENOMEM.
 */
int ipcchan_ring_alloc(struct ipcchan_channel *ch, u32 npages)
{
	u32 i;
	int w;

	for (w = 0; w < 2; w++) {
		init_waitqueue_head(&ch->ring_wq[w]);
		atomic_set(&ch->ring_gen[w], 0);
		atomic_set(&ch->ring_waiters[w], 0);
	}
	atomic_set(&ch->mappings, 0);
	if (!npages)
		return 0;

	ch->ring_pages = kvcalloc(npages + 1, sizeof(*ch->ring_pages),
				  GFP_KERNEL_ACCOUNT);
	if (!ch->ring_pages)
		return -ENOMEM;
	for (i = 0; i <= npages; i++) {
		ch->ring_pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!ch->ring_pages[i])
			goto out_free_pages;
	}
	ch->ring_npages = npages;
	ch->ring_hdr = page_address(ch->ring_pages[0]);
	return 0;

out_free_pages:
	while (i--)
		__free_page(ch->ring_pages[i]);
	kvfree(ch->ring_pages);
	ch->ring_pages = NULL;
	return -ENOMEM;
}

/**
 * ipcchan_ring_charge - what ipcchan_ring_alloc() takes for a ring
 * @npages: data pages, 0 for none
 *
 * Return: bytes: the header and data pages and their page array.
 */
u64 ipcchan_ring_charge(u32 npages)
{
	if (!npages)
		return 0;
	return ((u64)npages + 1) * PAGE_SIZE +
	       kmalloc_size_roundup(((size_t)npages + 1) * sizeof(struct page *));
}

/**
 * ipcchan_ring_free - free the ring pages of a dying channel
 * @ch: the channel; no mapping can exist (each pins a file, hence @ch)
 */
void ipcchan_ring_free(struct ipcchan_channel *ch)
{
	u32 i;

	if (!ch->ring_pages)
		return;
	for (i = 0; i <= ch->ring_npages; i++)
		__free_page(ch->ring_pages[i]);
	kvfree(ch->ring_pages);
	ch->ring_pages = NULL;
	ch->ring_hdr = NULL;
	ch->ring_npages = 0;
}

/* Map page index @pgoff of the mapping to a ring page. */
static struct page *ring_page(struct ipcchan_channel *ch,
			      unsigned long pgoff)
{
	if (pgoff == 0)
		return ch->ring_pages[0];
	if (pgoff > 2UL * ch->ring_npages)
		return NULL;
	/* Data pages twice in a row: 1..N and N+1..2N map to the same pages. */
	return ch->ring_pages[1 + ((pgoff - 1) & (ch->ring_npages - 1))];
}

static vm_fault_t ipcchan_vm_fault(struct vm_fault *vmf)
{
	struct ipcchan_channel *ch = vmf->vma->vm_private_data;
	struct page *page = ring_page(ch, vmf->pgoff);

	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static void ipcchan_vm_open(struct vm_area_struct *vma)
{
	struct ipcchan_channel *ch = vma->vm_private_data;

	atomic_inc(&ch->mappings);
}

static void ipcchan_vm_close(struct vm_area_struct *vma)
{
	struct ipcchan_channel *ch = vma->vm_private_data;

	atomic_dec(&ch->mappings);
}

static const struct vm_operations_struct ipcchan_vm_ops = {
	.open	= ipcchan_vm_open,
	.close	= ipcchan_vm_close,
	.fault	= ipcchan_vm_fault,
};

/*
 * Who may do what with the ring (the UAPI header states the same rule).
 * Reading the ring is receiving, so every ring operation needs receive
 * access.  Both sides write the one header page (the producer its data and
 * prod.pos, the consumer cons.pos), and page protection cannot tell the
 * two apart, so writing needs send and receive access together: a
 * receive-only file is a monitor (read-only mapping, RING_WAIT), a
 * send-only file gets nothing.  @pf->access is stable once the channel is
 * seen (ipcchan_file_channel()).
 */
static bool ring_may_read(struct ipcchan_file *pf)
{
	return pf->access & IPCCHAN_ACCESS_RECV;
}

static bool ring_may_write(struct ipcchan_file *pf)
{
	return (pf->access & IPCCHAN_ACCESS_RDWR) == IPCCHAN_ACCESS_RDWR;
}

/**
 * ipcchan_mmap - map the ring of the attached channel
 * @file: the file
 * @vma: the new mapping
 *
 * Return: 0 or -ENOTCONN, -ENXIO, -EACCES, -EINVAL, -EPERM (see the UAPI
 * header).
 */
int ipcchan_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ipcchan_file *pf = file->private_data;
	struct ipcchan_channel *ch = ipcchan_file_channel(pf);
	unsigned long total, pages = vma_pages(vma);
	unsigned long clear = VM_MAYEXEC;

	if (!ch)
		return -ENOTCONN;
	if (!ch->ring_npages)
		return -ENXIO;
	if (!ring_may_read(pf))
		return -EACCES;
	if (!ring_may_write(pf)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		/* Read-only for good: mprotect(PROT_WRITE) fails (EACCES). */
		clear |= VM_MAYWRITE;
	}
	/*
	 * VM_MAYSHARE, not VM_SHARED: do_mmap() drops VM_SHARED from a
	 * MAP_SHARED mapping of a file not open for writing.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	total = 1 + 2UL * ch->ring_npages;
	if (vma->vm_pgoff >= total || pages > total - vma->vm_pgoff)
		return -EINVAL;

	/* No exec later (mprotect), no growth (mremap), not in core dumps. */
	compat_vma_flags(vma, VM_DONTEXPAND | VM_DONTDUMP, clear);
	vma->vm_ops = &ipcchan_vm_ops;
	vma->vm_private_data = ch;
	ipcchan_vm_open(vma);
	return 0;
}

/*
 * The channel, access check and checked position index of a ring ioctl;
 * @write: the call needs write access to the ring (RING_NOTIFY).
 */
static int ring_args(struct file *file, u32 *which, bool write,
		     struct ipcchan_channel **chp)
{
	struct ipcchan_file *pf = file->private_data;
	struct ipcchan_channel *ch = ipcchan_file_channel(pf);

	if (!ch)
		return -ENOTCONN;
	if (!ch->ring_npages)
		return -ENXIO;
	if (write ? !ring_may_write(pf) : !ring_may_read(pf))
		return -EBADF;
	if (*which != IPCCHAN_RING_PROD && *which != IPCCHAN_RING_CONS)
		return -EINVAL;
	/* Indexes ring_wq[], ring_gen[], ring_waiters[]: no speculation. */
	*which = array_index_nospec(*which, ARRAY_SIZE(ch->ring_wq));
	*chp = ch;
	return 0;
}

static u64 ring_pos(struct ipcchan_channel *ch, u32 which)
{
	struct ipcchan_ring_hdr *hdr = ch->ring_hdr;

	/* Untrusted: only ever compared, never used as an address. */
	return which == IPCCHAN_RING_PROD ? READ_ONCE(hdr->prod.pos) :
					    READ_ONCE(hdr->cons.pos);
}

/**
 * ipcchan_ring_wait - IPCCHAN_IOC_RING_WAIT
 * @file: an attached file of a channel with a ring
 * @uarg: struct ipcchan_ring_wait in userspace
 *
 * Return: 0 when the position moved or a notify came, else -ETIMEDOUT,
 * -EINTR/-ERESTARTSYS or a validation error.
 */
long ipcchan_ring_wait(struct file *file, void __user *uarg)
{
	struct ipcchan_channel *ch;
	struct ipcchan_ring_wait rw;
	struct ipcchan_wait w;
	DEFINE_WAIT(wait);
	int gen, ret;

	if (copy_from_user(&rw, uarg, sizeof(rw)))
		return -EFAULT;
	if (!ipcchan_zeroed(rw.reserved, ARRAY_SIZE(rw.reserved)) ||
	    (rw.flags & IPCCHAN_NONBLOCK))
		return -EINVAL;
	ret = ipcchan_wait_setup(&w, file, rw.flags, rw.timeout_ns);
	if (ret)
		return ret;
	ret = ring_args(file, &rw.which, false, &ch);
	if (ret)
		return ret;

	gen = atomic_read(&ch->ring_gen[rw.which]);
	atomic_inc(&ch->ring_waiters[rw.which]);
	for (;;) {
		/*
		 * Queue first, then look: a notify after this point wakes us,
		 * one before it changed the generation or the position.  The
		 * barrier in set_current_state() orders the two.
		 */
		prepare_to_wait(&ch->ring_wq[rw.which], &wait, TASK_INTERRUPTIBLE);
		if (ring_pos(ch, rw.which) != rw.expected ||
		    atomic_read(&ch->ring_gen[rw.which]) != gen)
			break;
		if (signal_pending(current)) {
			ret = w.timed ? -EINTR : -ERESTARTSYS;
			break;
		}
		if (w.timed) {
			ktime_t expires = w.deadline;

			if (ktime_compare(ktime_get(), expires) >= 0) {
				ret = -ETIMEDOUT;
				break;
			}
			schedule_hrtimeout(&expires, HRTIMER_MODE_ABS);
		} else {
			schedule();
		}
	}
	finish_wait(&ch->ring_wq[rw.which], &wait);
	atomic_dec(&ch->ring_waiters[rw.which]);
	return ret;
}

/**
 * ipcchan_ring_notify - IPCCHAN_IOC_RING_NOTIFY
 * @file: an attached file of a channel with a ring
 * @uarg: struct ipcchan_ring_notify in userspace
 *
 * Return: the number of tasks that were waiting, or a negative errno.
 */
long ipcchan_ring_notify(struct file *file, void __user *uarg)
{
	struct ipcchan_ring_notify rn;
	struct ipcchan_channel *ch;
	int ret;

	if (copy_from_user(&rn, uarg, sizeof(rn)))
		return -EFAULT;
	if (rn.reserved0 || !ipcchan_zeroed(rn.reserved, ARRAY_SIZE(rn.reserved)))
		return -EINVAL;
	ret = ring_args(file, &rn.which, true, &ch);
	if (ret)
		return ret;

	atomic_inc(&ch->ring_gen[rn.which]);
	ret = atomic_read(&ch->ring_waiters[rn.which]);
	/*
	 * Every RING_WAIT sleeper on @which (their wake function ignores the
	 * key), and the pollers that asked for the event this side's move
	 * can change (see ipcchan_ring_poll()).
	 */
	__wake_up(&ch->ring_wq[rn.which], TASK_NORMAL, 0,
		  poll_to_key(rn.which == IPCCHAN_RING_PROD ?
			      EPOLLIN | EPOLLRDNORM : EPOLLWRBAND));
	return ret;
}

/**
 * ipcchan_ring_poll - ring part of poll(2)
 * @ch: the channel
 * @file: the file
 * @pt: poll table
 *
 * The ring's readiness, for a file that may read the ring: EPOLLIN |
 * EPOLLRDNORM while a record waits (prod.pos != cons.pos), for the
 * consumer; EPOLLWRBAND while at least half the data area is free
 * (prod.pos - cons.pos <= D / 2), for the producer.  A poller sets its
 * side's waiting flag first, so the peer issues RING_NOTIFY, which wakes
 * the pollers of the event that side's move can raise.
 *
 * Return: those events, 0 without a ring or receive access.
 */
__poll_t ipcchan_ring_poll(struct ipcchan_channel *ch, struct file *file,
			   struct poll_table_struct *pt)
{
	struct ipcchan_file *pf = file->private_data;
	u64 prod, cons, half;
	__poll_t mask = 0;

	if (!ch->ring_npages || !ring_may_read(pf))
		return 0;
	poll_wait(file, &ch->ring_wq[IPCCHAN_RING_PROD], pt);
	poll_wait(file, &ch->ring_wq[IPCCHAN_RING_CONS], pt);
	/*
	 * Queued on both, then read the positions: pairs with the notifier's
	 * full barrier between its position store and RING_NOTIFY, so either
	 * its wake-up finds us queued or we read its store.
	 */
	smp_mb();
	prod = ring_pos(ch, IPCCHAN_RING_PROD);
	cons = ring_pos(ch, IPCCHAN_RING_CONS);
	half = (u64)ch->ring_npages << (PAGE_SHIFT - 1);
	if (prod != cons)
		mask |= EPOLLIN | EPOLLRDNORM;
	/* Unsigned: a consumer ahead of the producer (corrupt) is no room. */
	if (prod - cons <= half)
		mask |= EPOLLWRBAND;
	return mask;
}
