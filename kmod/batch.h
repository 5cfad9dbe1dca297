/* SPDX-License-Identifier: GPL-2.0 */
/* ipcchan batches (batch.c): SEND_BATCH and RECV_BATCH. */
#ifndef IPCCHAN_BATCH_H
#define IPCCHAN_BATCH_H

#include <linux/fs.h>

long ipcchan_send_batch(struct file *file, void __user *uarg);
long ipcchan_recv_batch(struct file *file, void __user *uarg);

#endif /* IPCCHAN_BATCH_H */
