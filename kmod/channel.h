/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan channel registry (channel.c): names, attach, permissions,
 * quotas, unlink, INFO/MODINFO and /proc/ipcchan.
 */
#ifndef IPCCHAN_CHANNEL_H
#define IPCCHAN_CHANNEL_H

#include "ipcchan.h"

int ipcchan_registry_init(void);
void ipcchan_registry_exit(void);
long ipcchan_attach(struct ipcchan_file *pf, void __user *uarg);
long ipcchan_unlink(void __user *uarg);
long ipcchan_info(struct ipcchan_file *pf, void __user *uarg);
long ipcchan_modinfo(void __user *uarg);
void ipcchan_channel_put(struct ipcchan_channel *ch);

#endif /* IPCCHAN_CHANNEL_H */
