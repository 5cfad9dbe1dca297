// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libipcchan: channels and messages over the /dev/ipcchan ioctls.
 *
 * Each function is a thin, checked wrapper around one ioctl of
 * <linux/ipcchan.h>: it fills the request struct (zeroing every reserved
 * field), turns the library's timeout convention into the kernel's
 * NONBLOCK/TIMEOUT flags, and returns the result or -errno.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

int __ipcchan_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	if (fd < 0)
		return -EBADF;
	ret = ioctl(fd, cmd, arg);
	return ret < 0 ? -errno : ret;
}

/* Copy a name into the kernel's fixed buffer; -EINVAL if it cannot fit. */
static int copy_name(char dst[IPCCHAN_NAME_MAX], const char *name)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strnlen(name, IPCCHAN_NAME_MAX);
	if (len == 0 || len >= IPCCHAN_NAME_MAX)
		return -EINVAL;
	memset(dst, 0, IPCCHAN_NAME_MAX);
	memcpy(dst, name, len);
	return 0;
}

__ipc_export int ipcchan_name_valid(const char *name)
{
	size_t i;

	if (!name || !name[0])
		return 0;
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i >= IPCCHAN_NAME_MAX - 1)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

__ipc_export const char *ipcchan_lib_version(void)
{
	return IPCCHAN_LIB_VERSION;
}

__ipc_export const char *ipcchan_strerror(int err)
{
	if (err == -ENODEV)
		return "no " IPCCHAN_DEVICE ": the ipcchan module is not loaded "
		       "(make vm boots a VM with it; or sudo insmod kmod/ipcchan.ko)";
	return strerror(-err);
}

__ipc_export int ipcchan_open_dev(int open_flags)
{
	int fd;

	open_flags &= ~O_ACCMODE;
	fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC | open_flags);
	if (fd < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	return fd;
}

__ipc_export int ipcchan_attach(int fd, const char *name,
				const struct ipcchan_opts *opts)
{
	struct ipcchan_attach at;
	int ret;

	memset(&at, 0, sizeof(at));
	ret = copy_name(at.name, name);
	if (ret)
		return ret;
	if (opts) {
		if (opts->reserved)
			return -EINVAL;
		at.flags = opts->flags;
		at.access = opts->access ? opts->access : IPCCHAN_ACCESS_RDWR;
		at.mode = opts->mode;
		at.max_msgs = opts->max_msgs;
		at.max_msg_size = opts->max_msg_size;
		at.ring_pages = opts->ring_pages;
	} else {
		at.access = IPCCHAN_ACCESS_RDWR;
	}
	ret = __ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, &at);
	if (ret < 0)
		return ret;
	return (at.result & IPCCHAN_ATTACH_CREATED) ? 1 : 0;
}

__ipc_export int ipcchan_open(const char *name, const struct ipcchan_opts *opts)
{
	char tmp[IPCCHAN_NAME_MAX];
	int fd, ret;

	/* Refuse what cannot fit before touching the device. */
	ret = copy_name(tmp, name);
	if (ret)
		return ret;
	fd = ipcchan_open_dev(opts ? (int)opts->open_flags : 0);
	if (fd < 0)
		return fd;
	ret = ipcchan_attach(fd, name, opts);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

__ipc_export int ipcchan_close(int fd)
{
	if (fd < 0)
		return -EBADF;
	/* close(2) releases the fd even when it reports EINTR: no retry. */
	if (close(fd) < 0 && errno == EBADF)
		return -EBADF;
	return 0;
}

__ipc_export int ipcchan_unlink(const char *name)
{
	struct ipcchan_unlink ul;
	int fd, ret;

	memset(&ul, 0, sizeof(ul));
	ret = copy_name(ul.name, name);
	if (ret)
		return ret;
	fd = ipcchan_open_dev(0);
	if (fd < 0)
		return fd;
	ret = __ipcchan_ioctl(fd, IPCCHAN_IOC_UNLINK, &ul);
	close(fd);
	return ret < 0 ? ret : 0;
}

__ipc_export ssize_t ipcchan_send(int fd, const void *buf, size_t len,
				  unsigned int prio, int64_t timeout_ns)
{
	struct ipcchan_msg m;
	int ret;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	memset(&m, 0, sizeof(m));
	m.buf = (uint64_t)(uintptr_t)buf;
	m.len = (uint32_t)len;
	m.prio = prio;
	__ipcchan_timeout(timeout_ns, &m.flags, &m.timeout_ns);
	ret = __ipcchan_ioctl(fd, IPCCHAN_IOC_SEND, &m);
	return ret < 0 ? ret : (ssize_t)len;
}

__ipc_export ssize_t ipcchan_recv(int fd, void *buf, size_t len,
				  struct ipcchan_msginfo *mi, int64_t timeout_ns)
{
	struct ipcchan_msg m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.buf = (uint64_t)(uintptr_t)buf;
	/* A buffer above 4 GiB can hold any message: clamp, do not fail. */
	m.len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	__ipcchan_timeout(timeout_ns, &m.flags, &m.timeout_ns);
	ret = __ipcchan_ioctl(fd, IPCCHAN_IOC_RECV, &m);
	if (mi && (ret >= 0 || ret == -EMSGSIZE)) {
		memset(mi, 0, sizeof(*mi));
		mi->len = m.len;
		if (ret >= 0) {
			mi->prio = m.prio;
			mi->pid = m.pid;
			mi->uid = m.uid;
			mi->seq = m.seq;
		}
	}
	return ret < 0 ? ret : (ssize_t)m.len;
}

static int batch(int fd, unsigned long cmd, struct ipcchan_msg *msgs,
		 unsigned int n, int64_t timeout_ns)
{
	struct ipcchan_batch b;
	unsigned int i;
	int ret;

	if (!msgs || n == 0)
		return -EINVAL;
	if (n > IPCCHAN_BATCH_MAX)
		n = IPCCHAN_BATCH_MAX;
	for (i = 0; i < n; i++) {
		msgs[i].flags = 0;
		msgs[i].timeout_ns = 0;
		msgs[i].reserved0 = 0;
		memset(msgs[i].reserved, 0, sizeof(msgs[i].reserved));
	}
	memset(&b, 0, sizeof(b));
	b.msgs = (uint64_t)(uintptr_t)msgs;
	b.count = n;
	__ipcchan_timeout(timeout_ns, &b.flags, &b.timeout_ns);
	ret = __ipcchan_ioctl(fd, cmd, &b);
	if (ret < 0)
		return ret;
	return (int)b.done;
}

__ipc_export int ipcchan_send_batch(int fd, struct ipcchan_msg *msgs,
				    unsigned int n, int64_t timeout_ns)
{
	return batch(fd, IPCCHAN_IOC_SEND_BATCH, msgs, n, timeout_ns);
}

__ipc_export int ipcchan_recv_batch(int fd, struct ipcchan_msg *msgs,
				    unsigned int n, int64_t timeout_ns)
{
	return batch(fd, IPCCHAN_IOC_RECV_BATCH, msgs, n, timeout_ns);
}

__ipc_export int ipcchan_info(int fd, struct ipcchan_info *info)
{
	int ret;

	if (!info)
		return -EFAULT;
	ret = __ipcchan_ioctl(fd, IPCCHAN_IOC_INFO, info);
	return ret < 0 ? ret : 0;
}

__ipc_export int ipcchan_modinfo(int fd, struct ipcchan_modinfo *mi)
{
	int ret, own = -1;

	if (!mi)
		return -EFAULT;
	if (fd < 0) {
		own = ipcchan_open_dev(0);
		if (own < 0)
			return own;
		fd = own;
	}
	ret = __ipcchan_ioctl(fd, IPCCHAN_IOC_MODINFO, mi);
	if (own >= 0)
		close(own);
	return ret < 0 ? ret : 0;
}

__ipc_export int ipcchan_ring_wait(int fd, unsigned int which,
				   uint64_t expected, int64_t timeout_ns)
{
	struct ipcchan_ring_wait w;
	int ret;

	memset(&w, 0, sizeof(w));
	w.which = which;
	w.expected = expected;
	if (timeout_ns >= 0) {
		/* RING_WAIT has no NONBLOCK: a zero timeout is "just check". */
		w.flags = IPCCHAN_TIMEOUT;
		w.timeout_ns = timeout_ns;
	}
	ret = __ipcchan_ioctl(fd, IPCCHAN_IOC_RING_WAIT, &w);
	if (ret == -ETIMEDOUT && timeout_ns == 0)
		ret = -EAGAIN;
	return ret < 0 ? ret : 0;
}

__ipc_export int ipcchan_ring_notify(int fd, unsigned int which)
{
	struct ipcchan_ring_notify nt;

	memset(&nt, 0, sizeof(nt));
	nt.which = which;
	return __ipcchan_ioctl(fd, IPCCHAN_IOC_RING_NOTIFY, &nt);
}
