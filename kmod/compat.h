/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan: the one place where kernel API differences are bridged.
 *
 * kmod/Kbuild detects each difference from the headers of the kernel being
 * built against (never from version numbers) and defines IPCCHAN_HAVE_*;
 * each helper below hides one difference so the rest of the module is
 * written against one API.  Supported: Linux 6.1 to 6.12 (also PREEMPT_RT).
 *
 *   IPCCHAN_HAVE_VM_FLAGS_MOD	vm_flags are read-only, set with
 *				vm_flags_mod() (6.3 and later)
 *
 * no_llseek (removed in 6.12) needs no helper: the file_operations leave
 * .llseek NULL and open uses nonseekable_open(), which gives -ESPIPE on
 * every supported kernel.
 */
#ifndef _IPCCHAN_COMPAT_H
#define _IPCCHAN_COMPAT_H

#include <linux/mm.h>

static inline void compat_vma_flags(struct vm_area_struct *vma,
				    unsigned long set, unsigned long clear)
{
#ifdef IPCCHAN_HAVE_VM_FLAGS_MOD
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

#endif /* _IPCCHAN_COMPAT_H */
