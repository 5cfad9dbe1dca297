// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan 32-bit compat tests.  The UAPI structs have the same layout for
 * 32- and 64-bit userspace and the module uses compat_ptr_ioctl.  Without a
 * 32-bit toolchain this test enters the kernel's compat (ia32) syscall path
 * from a 64-bit process with "int $0x80", passing structs and buffers that
 * live below 4 GiB (MAP_32BIT), and checks that every command behaves and
 * writes exactly what the native path writes.
 *
 * x86-64 only; skips elsewhere, when ia32 emulation is off, or when
 * /dev/ipcchan is absent.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

#if defined(__x86_64__)

#define NR32_READ	3
#define NR32_WRITE	4
#define NR32_IOCTL	54
#define NR32_GETPID	20

static long sys32(long nr, unsigned long a, unsigned long b, unsigned long c)
{
	long ret = nr;

	asm volatile ("int $0x80"
		      : "+a" (ret)
		      : "b" (a), "c" (b), "d" (c)
		      : "r8", "r9", "r10", "r11", "memory", "cc");
	return ret;
}

/* ioctl through the compat entry: 0/count or -errno. */
static long ioctl32(int fd, unsigned int cmd, void *arg)
{
	return sys32(NR32_IOCTL, (unsigned int)fd, cmd,
		     (unsigned int)(unsigned long)arg);
}

static void compat_probe_fault(int sig)
{
	(void)sig;
	_exit(1);
}

/*
 * Whether int $0x80 reaches the ia32 system calls (CONFIG_IA32_EMULATION).
 * Without them it faults: try in a child that handles the SIGSEGV, so that
 * nothing crashes and the kernel logs no unhandled general protection fault
 * (which the VM's dmesg scan would report).
 */
static int compat_works(void)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return 0;
	if (!pid) {
		signal(SIGSEGV, compat_probe_fault);
		signal(SIGBUS, compat_probe_fault);
		_exit(sys32(NR32_GETPID, 0, 0, 0) == getpid() ? 0 : 1);
	}
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

/* Memory below 4 GiB for everything the 32-bit calls point to. */
struct low {
	struct ipcchan_attach at;
	struct ipcchan_msg m[4];
	struct ipcchan_batch b;
	struct ipcchan_info info;
	struct ipcchan_modinfo mi;
	struct ipcchan_unlink ul;
	char buf[4][64];
};

FIXTURE(compat) {
	char name[IPCCHAN_NAME_MAX];
	struct low *low;
	int fd;		/* attached through the compat path, RDWR */
};

FIXTURE_SETUP(compat)
{
	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(compat_works(),
			    "no ia32 system calls (CONFIG_IA32_EMULATION)");
	self->low = mmap(NULL, sizeof(struct low), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ASSERT_NE(MAP_FAILED, self->low);
	ASSERT_GT(1ULL << 32, (unsigned long long)(unsigned long)self->low +
			      sizeof(struct low));
	memset(self->low, 0, sizeof(struct low));
	ipcchan_test_name(self->name, sizeof(self->name), "compat");

	self->fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	memcpy(self->low->at.name, self->name, sizeof(self->name));
	self->low->at.flags = IPCCHAN_CREATE | IPCCHAN_EXCL;
	self->low->at.access = IPCCHAN_ACCESS_RDWR;
	self->low->at.mode = 0600;
	self->low->at.max_msgs = 4;
	self->low->at.max_msg_size = 64;
	self->low->at.result = 0xa5a5a5a5;
	ASSERT_EQ(0, ioctl32(self->fd, IPCCHAN_IOC_ATTACH, &self->low->at));
	ASSERT_EQ(IPCCHAN_ATTACH_CREATED, self->low->at.result);
}

FIXTURE_TEARDOWN(compat)
{
	if (self->fd > 0)
		close(self->fd);
	ipcchan_test_unlink(self->name);
	if (self->low && self->low != MAP_FAILED)
		munmap(self->low, sizeof(struct low));
}

TEST_F(compat, modinfo_same_as_native)
{
	struct ipcchan_modinfo native;

	POISON(self->low->mi);
	ASSERT_EQ(0, ioctl32(self->fd, IPCCHAN_IOC_MODINFO, &self->low->mi));
	POISON(native);
	ASSERT_EQ(0, ipcchan_ioctl(self->fd, IPCCHAN_IOC_MODINFO, &native));
	EXPECT_EQ(0, memcmp(&native, &self->low->mi, sizeof(native)));
}

TEST_F(compat, info_same_as_native)
{
	struct ipcchan_info native;

	POISON(self->low->info);
	ASSERT_EQ(0, ioctl32(self->fd, IPCCHAN_IOC_INFO, &self->low->info));
	POISON(native);
	ASSERT_EQ(0, ipcchan_ioctl(self->fd, IPCCHAN_IOC_INFO, &native));
	EXPECT_EQ(0, memcmp(&native, &self->low->info, sizeof(native)));
	EXPECT_EQ(4U, self->low->info.max_msgs);
	EXPECT_EQ(64U, self->low->info.max_msg_size);
}

TEST_F(compat, send32_recv64)
{
	struct ipcchan_msg *m = &self->low->m[0];
	struct ipcchan_msg r;
	char buf[64];

	memcpy(self->low->buf[0], "compat", 6);
	m->buf = (__u64)(unsigned long)self->low->buf[0];
	m->len = 6;
	m->prio = 3;
	ASSERT_EQ(0, ioctl32(self->fd, IPCCHAN_IOC_SEND, m));
	EXPECT_EQ(1ULL, m->seq);
	ASSERT_EQ(0, ipcchan_test_recv(self->fd, buf, sizeof(buf), 0, 0, &r));
	EXPECT_EQ(6U, r.len);
	EXPECT_EQ(3U, r.prio);
	EXPECT_EQ((__u32)getpid(), r.pid);
	EXPECT_EQ(0, memcmp(buf, "compat", 6));
}

TEST_F(compat, send64_recv32_writes_every_field)
{
	struct ipcchan_msg *m = &self->low->m[0];
	__u64 seq;

	ASSERT_EQ(0, ipcchan_test_send(self->fd, "native", 6, 9, 0, 0, &seq));
	POISON(*m);
	m->buf = (__u64)(unsigned long)self->low->buf[0];
	m->len = 64;
	m->flags = IPCCHAN_NONBLOCK;
	m->timeout_ns = 0;
	m->reserved0 = 0;
	memset(m->reserved, 0, sizeof(m->reserved));
	ASSERT_EQ(0, ioctl32(self->fd, IPCCHAN_IOC_RECV, m));
	EXPECT_EQ(6U, m->len);
	EXPECT_EQ(9U, m->prio);
	EXPECT_EQ(seq, m->seq);
	EXPECT_EQ((__u32)getpid(), m->pid);
	EXPECT_EQ((__u32)getuid(), m->uid);
	EXPECT_EQ(0, memcmp(self->low->buf[0], "native", 6));
}

TEST_F(compat, recv32_emsgsize_keeps_message)
{
	struct ipcchan_msg *m = &self->low->m[0];

	ASSERT_EQ(0, ipcchan_test_send(self->fd, "0123456789", 10, 0, 0, 0,
				       NULL));
	m->buf = (__u64)(unsigned long)self->low->buf[0];
	m->len = 5;
	EXPECT_EQ(-EMSGSIZE, ioctl32(self->fd, IPCCHAN_IOC_RECV, m));
	EXPECT_EQ(10U, m->len);
	m->len = 10;
	EXPECT_EQ(0, ioctl32(self->fd, IPCCHAN_IOC_RECV, m));
}

TEST_F(compat, recv32_timeout)
{
	struct ipcchan_msg *m = &self->low->m[0];
	long long t0 = ipcchan_now_ns(), dt;

	m->buf = (__u64)(unsigned long)self->low->buf[0];
	m->len = 64;
	m->flags = IPCCHAN_TIMEOUT;
	m->timeout_ns = 50 * 1000000LL;
	EXPECT_EQ(-ETIMEDOUT, ioctl32(self->fd, IPCCHAN_IOC_RECV, m));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(50 * 1000000LL, dt);
	EXPECT_GT(2050 * 1000000LL, dt);
}

TEST_F(compat, batch32_send_and_recv)
{
	struct low *l = self->low;
	int i;

	for (i = 0; i < 3; i++) {
		l->buf[i][0] = (char)('x' + i);
		l->m[i].buf = (__u64)(unsigned long)l->buf[i];
		l->m[i].len = 1;
		l->m[i].prio = (__u32)i;
	}
	l->b.msgs = (__u64)(unsigned long)l->m;
	l->b.count = 3;
	l->b.done = 0xa5a5a5a5;
	ASSERT_EQ(3, ioctl32(self->fd, IPCCHAN_IOC_SEND_BATCH, &l->b));
	EXPECT_EQ(3U, l->b.done);

	memset(l->m, 0, sizeof(l->m));
	memset(l->buf, 0, sizeof(l->buf));
	for (i = 0; i < 4; i++) {
		l->m[i].buf = (__u64)(unsigned long)l->buf[i];
		l->m[i].len = 64;
	}
	l->b.count = 4;
	l->b.flags = IPCCHAN_NONBLOCK;
	ASSERT_EQ(3, ioctl32(self->fd, IPCCHAN_IOC_RECV_BATCH, &l->b));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ((__u32)(2 - i), l->m[i].prio);
		EXPECT_EQ((char)('x' + 2 - i), l->buf[i][0]);
	}
}

TEST_F(compat, read32_write32)
{
	memcpy(self->low->buf[0], "rw32", 4);
	ASSERT_EQ(4, sys32(NR32_WRITE, (unsigned int)self->fd,
			   (unsigned long)self->low->buf[0], 4));
	memset(self->low->buf[1], 0, 64);
	ASSERT_EQ(4, sys32(NR32_READ, (unsigned int)self->fd,
			   (unsigned long)self->low->buf[1], 64));
	EXPECT_EQ(0, memcmp(self->low->buf[1], "rw32", 4));
}

TEST_F(compat, unlink32)
{
	memcpy(self->low->ul.name, self->name, sizeof(self->name));
	EXPECT_EQ(0, ioctl32(self->fd, IPCCHAN_IOC_UNLINK, &self->low->ul));
	EXPECT_EQ(-ENOENT, ipcchan_test_attach(self->name, 0,
					       IPCCHAN_ACCESS_RECV, 0));
}

TEST_F(compat, reserved32_einval)
{
	struct ipcchan_msg *m = &self->low->m[0];

	m->buf = (__u64)(unsigned long)self->low->buf[0];
	m->len = 1;
	m->reserved[1] = 1;
	EXPECT_EQ(-EINVAL, ioctl32(self->fd, IPCCHAN_IOC_SEND, m));
}

TEST_F(compat, bad_pointer32_efault)
{
	EXPECT_EQ(-EFAULT, ioctl32(self->fd, IPCCHAN_IOC_INFO, (void *)16));
}

TEST_F(compat, unknown32_enotty)
{
	EXPECT_EQ(-ENOTTY, ioctl32(self->fd, _IOR(IPCCHAN_IOC_MAGIC, 0x7e,
						   __u64), &self->low->mi));
}

#else /* !__x86_64__ */

TEST(compat_x86_64_only)
{
	SKIP(return, "the int $0x80 compat test is x86-64 only");
}

#endif

IPCCHAN_HARNESS_MAIN(NULL)
