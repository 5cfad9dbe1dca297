// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan: named IPC channels on a misc character device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include <linux/ipcchan.h>

static int ipcchan_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static long ipcchan_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations ipcchan_fops = {
	.owner		= THIS_MODULE,
	.open		= ipcchan_open,
	.unlocked_ioctl	= ipcchan_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice ipcchan_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipcchan",
	.fops	= &ipcchan_fops,
	.mode	= 0666,
};

static int __init ipcchan_init(void)
{
	int ret = misc_register(&ipcchan_misc);

	if (ret)
		pr_err("cannot register misc device: %d\n", ret);
	return ret;
}

static void __exit ipcchan_exit(void)
{
	misc_deregister(&ipcchan_misc);
}

module_init(ipcchan_init);
module_exit(ipcchan_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipcchan: named IPC channels with message passing and shared rings");
