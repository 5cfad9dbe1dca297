/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan shared ring (ring.c): pages, mmap, RING_WAIT/RING_NOTIFY and the
 * ring's poll readiness.
 */
#ifndef IPCCHAN_RING_H
#define IPCCHAN_RING_H

#include <linux/poll.h>
#include <linux/types.h>

#include "ipcchan.h"

struct vm_area_struct;

int ipcchan_ring_alloc(struct ipcchan_channel *ch, u32 npages);
u64 ipcchan_ring_charge(u32 npages);
void ipcchan_ring_free(struct ipcchan_channel *ch);
int ipcchan_mmap(struct file *file, struct vm_area_struct *vma);
long ipcchan_ring_wait(struct file *file, void __user *uarg);
long ipcchan_ring_notify(struct file *file, void __user *uarg);
__poll_t ipcchan_ring_poll(struct ipcchan_channel *ch, struct file *file,
			   struct poll_table_struct *pt);

#endif /* IPCCHAN_RING_H */
